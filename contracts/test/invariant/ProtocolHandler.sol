// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "../utils/Vm.sol";
import {LnqToken} from "../../src/LnqToken.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {JobEscrow} from "../../src/JobEscrow.sol";
import {DisputeCourt} from "../../src/DisputeCourt.sol";
import {IJobEscrow} from "../../src/interfaces/IJobEscrow.sol";
import {IDisputeCourt} from "../../src/interfaces/IDisputeCourt.sol";

/// @notice Drives random but valid protocol traffic: jobs locked, shards completed, accepted, claimed,
/// refunded, disputed, voted and resolved, stake topped up and unbonded, time and blocks moving. Every
/// call it makes must succeed (the invariant profile has fail_on_revert = true), so it only picks actions
/// whose preconditions hold. It watches the escrow's payout events for double payments and releases of
/// disputed shards, and every slash for exceeding the stake.
contract ProtocolHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    LnqToken internal immutable _token;
    ProviderRegistry internal immutable _registry;
    JobEscrow internal immutable _escrow;
    DisputeCourt internal immutable _court;

    address[] internal _requesters;
    address[] internal _providers;
    uint64[] internal _providerIds;

    uint256[] public jobs;
    uint256[] public disputes;

    mapping(bytes32 shardKey => uint256) public payouts;
    uint256 public maxPayouts;
    bool public releasedWhileDisputed;
    bool public slashExceededStake;
    uint256 public lockedByHandler;
    mapping(bytes4 action => uint256) public calls;

    bytes32 internal immutable RELEASED = IJobEscrow.ShardReleased.selector;
    bytes32 internal immutable REFUNDED = IJobEscrow.ShardRefunded.selector;
    bytes32 internal immutable SETTLED = IJobEscrow.DisputeSettled.selector;

    constructor(
        LnqToken token_,
        ProviderRegistry registry_,
        JobEscrow escrow_,
        DisputeCourt court_,
        address[] memory requesters_,
        address[] memory providers_
    ) {
        _token = token_;
        _registry = registry_;
        _escrow = escrow_;
        _court = court_;
        _requesters = requesters_;
        _providers = providers_;
        for (uint256 i; i < providers_.length; ++i) {
            _providerIds.push(registry_.providerIdOf(providers_[i]));
        }
    }

    function jobCount() external view returns (uint256) {
        return jobs.length;
    }

    function disputeCount() external view returns (uint256) {
        return disputes.length;
    }

    function providerIds() external view returns (uint64[] memory) {
        return _providerIds;
    }

    // ---------------------------------------------------------------- actions

    function lockJob(uint256 seed, uint8 shards, uint8 who) external {
        uint256 n = 1 + uint256(shards) % 8;
        uint64[] memory ids = new uint64[](n);
        uint96[] memory prices = new uint96[](n);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint64 id = _providerIds[r % _providerIds.length];
            if (!_registry.isActive(id)) return;
            ids[i] = id;
            prices[i] = uint96(1e15 + (r >> 16) % 100e18);
            total += prices[i];
        }
        address requester = _requesters[who % _requesters.length];
        vm.startPrank(requester);
        _token.approve(address(_escrow), total);
        uint256 jobId = _escrow.lock(keccak256(abi.encode(seed)), uint64(block.timestamp + 1 + seed % 3 days),
            uint64(1 hours + seed % 2 days), ids, prices);
        vm.stopPrank();
        jobs.push(jobId);
        lockedByHandler += total;
        calls[this.lockJob.selector]++;
    }

    function complete(uint256 jobSeed, uint8 providerSeed) external {
        if (jobs.length == 0) return;
        uint256 jobId = jobs[jobSeed % jobs.length];
        IJobEscrow.Job memory j = _escrow.job(jobId);
        if (block.timestamp > j.deadline) return;
        uint256 p = providerSeed % _providers.length;
        uint256[] memory idx = _shardsIn(jobId, j.shardCount, IJobEscrow.ShardState.Locked, _providerIds[p]);
        if (idx.length == 0) return;
        bytes32[] memory hashes = new bytes32[](idx.length);
        for (uint256 i; i < idx.length; ++i) {
            hashes[i] = keccak256(abi.encode(jobId, idx[i]));
        }
        vm.prank(_providers[p]);
        _watch();
        _escrow.completeBatch(jobId, idx, hashes);
        _check();
        calls[this.complete.selector]++;
    }

    function accept(uint256 jobSeed) external {
        if (jobs.length == 0) return;
        uint256 jobId = jobs[jobSeed % jobs.length];
        IJobEscrow.Job memory j = _escrow.job(jobId);
        uint256[] memory idx = _shardsIn(jobId, j.shardCount, IJobEscrow.ShardState.Completed, 0);
        if (idx.length == 0) return;
        vm.prank(j.requester);
        _watch();
        _escrow.acceptBatch(jobId, idx);
        _check();
        calls[this.accept.selector]++;
    }

    function claim(uint256 jobSeed) external {
        if (jobs.length == 0) return;
        uint256 jobId = jobs[jobSeed % jobs.length];
        IJobEscrow.Job memory j = _escrow.job(jobId);
        uint256[] memory all = _shardsIn(jobId, j.shardCount, IJobEscrow.ShardState.Completed, 0);
        uint256[] memory idx = new uint256[](all.length);
        uint256 k;
        for (uint256 i; i < all.length; ++i) {
            if (block.timestamp >= _escrow.shard(jobId, all[i]).completedAt + j.disputeWindow) idx[k++] = all[i];
        }
        if (k == 0) return;
        assembly {
            mstore(idx, k)
        }
        _watch();
        _escrow.claimBatch(jobId, idx);
        _check();
        calls[this.claim.selector]++;
    }

    function refundExpired(uint256 jobSeed) external {
        if (jobs.length == 0) return;
        uint256 jobId = jobs[jobSeed % jobs.length];
        IJobEscrow.Job memory j = _escrow.job(jobId);
        if (block.timestamp <= j.deadline) return;
        uint256[] memory idx = _shardsIn(jobId, j.shardCount, IJobEscrow.ShardState.Locked, 0);
        if (idx.length == 0) return;
        uint256[] memory before = _slashable();
        _watch();
        _escrow.refundExpiredBatch(jobId, idx);
        _check();
        _checkSlashes(before, j.penaltyBps, idx, jobId);
        calls[this.refundExpired.selector]++;
    }

    function openDispute(uint256 jobSeed, uint8 shardSeed, bool byProvider) external {
        if (jobs.length == 0) return;
        uint256 jobId = jobs[jobSeed % jobs.length];
        IJobEscrow.Job memory j = _escrow.job(jobId);
        uint256 shardIndex = shardSeed % j.shardCount;
        IJobEscrow.Shard memory s = _escrow.shard(jobId, shardIndex);
        if (s.state != IJobEscrow.ShardState.Completed) return;
        if (block.timestamp >= s.completedAt + j.disputeWindow) return;
        address opener = byProvider ? _registry.ownerOf(s.providerId) : j.requester;
        uint256 bond = _court.parameters().disputeBond;
        vm.startPrank(opener);
        _token.approve(address(_court), bond);
        disputes.push(_court.openDispute(jobId, shardIndex));
        vm.stopPrank();
        calls[this.openDispute.selector]++;
    }

    function respond(uint256 disputeSeed) external {
        if (disputes.length == 0) return;
        uint256 id = disputes[disputeSeed % disputes.length];
        IDisputeCourt.Dispute memory d = _court.dispute(id);
        if (d.status != IDisputeCourt.DisputeStatus.AwaitingResponse || block.timestamp > d.respondDeadline) return;
        vm.startPrank(d.respondent);
        _token.approve(address(_court), d.bond);
        _court.respond(id);
        vm.stopPrank();
        calls[this.respond.selector]++;
    }

    function draw(uint256 disputeSeed, bytes32 entropy) external {
        if (disputes.length == 0) return;
        uint256 id = disputes[disputeSeed % disputes.length];
        IDisputeCourt.Dispute memory d = _court.dispute(id);
        if (d.status != IDisputeCourt.DisputeStatus.AwaitingDraw) return;
        if (block.number <= d.drawBlock) vm.roll(d.drawBlock + 1);
        vm.setBlockhash(d.drawBlock, keccak256(abi.encode(entropy, d.drawBlock)));
        _court.drawJurors(id);
        calls[this.draw.selector]++;
    }

    function vote(uint256 disputeSeed, uint256 votes) external {
        if (disputes.length == 0) return;
        uint256 id = disputes[disputeSeed % disputes.length];
        IDisputeCourt.Dispute memory d = _court.dispute(id);
        if (d.status != IDisputeCourt.DisputeStatus.Voting) return;
        address[] memory panel = _court.panel(id);
        for (uint256 i; i < panel.length; ++i) {
            address j = panel[i];
            IDisputeCourt.Ruling ruling =
                (votes >> i) & 1 == 0 ? IDisputeCourt.Ruling.RequesterWins : IDisputeCourt.Ruling.ProviderWins;
            bytes32 salt = keccak256(abi.encode(id, j));
            IDisputeCourt.Vote memory v = _court.vote(id, j);
            if (v.commitment == bytes32(0)) {
                if (block.timestamp > d.commitDeadline || (votes >> (i + 8)) & 3 == 0) continue; // some never vote
                vm.prank(j);
                _court.commitVote(id, _court.commitmentOf(id, j, ruling, salt));
            }
        }
        IDisputeCourt.Tally memory t = _court.tally(id);
        bool revealOpen = block.timestamp > d.commitDeadline || t.committed == d.seats;
        if (!revealOpen || block.timestamp > d.revealDeadline) return;
        for (uint256 i; i < panel.length; ++i) {
            address j = panel[i];
            IDisputeCourt.Vote memory v = _court.vote(id, j);
            if (v.commitment == bytes32(0) || v.revealed != IDisputeCourt.Ruling.None) continue;
            IDisputeCourt.Ruling ruling =
                (votes >> i) & 1 == 0 ? IDisputeCourt.Ruling.RequesterWins : IDisputeCourt.Ruling.ProviderWins;
            vm.prank(j);
            _court.revealVote(id, ruling, keccak256(abi.encode(id, j)));
        }
        calls[this.vote.selector]++;
    }

    function resolve(uint256 disputeSeed) external {
        if (disputes.length == 0) return;
        uint256 id = disputes[disputeSeed % disputes.length];
        IDisputeCourt.Dispute memory d = _court.dispute(id);
        if (d.status == IDisputeCourt.DisputeStatus.AwaitingResponse) {
            if (block.timestamp <= d.respondDeadline) return;
        } else if (d.status == IDisputeCourt.DisputeStatus.Voting) {
            if (block.timestamp <= d.revealDeadline && _court.tally(id).revealed < d.seats) return;
        } else {
            return;
        }
        uint256 stakeBefore = _registry.slashableStake(d.providerId);
        uint256 maxSlash = stakeBefore * _court.parameters().slashBps / 10_000;
        _watch();
        _court.resolve(id);
        _check();
        uint256 stakeAfter = _registry.slashableStake(d.providerId);
        if (stakeAfter > stakeBefore || stakeBefore - stakeAfter > maxSlash) slashExceededStake = true;
        calls[this.resolve.selector]++;
    }

    function topUp(uint8 providerSeed, uint256 amount) external {
        uint256 p = providerSeed % _providers.length;
        amount = 1 + amount % 5_000e18;
        vm.startPrank(_providers[p]);
        _token.approve(address(_registry), amount);
        _registry.topUp(amount);
        vm.stopPrank();
        calls[this.topUp.selector]++;
    }

    function unbond(uint8 providerSeed, uint256 amount) external {
        uint256 p = providerSeed % _providers.length;
        uint256 stake = _registry.provider(_providerIds[p]).stake;
        uint256 minStake = _registry.minStake();
        if (stake <= minStake) return;
        amount = 1 + amount % (stake - minStake);
        vm.prank(_providers[p]);
        _registry.requestUnbond(amount);
        calls[this.unbond.selector]++;
    }

    function withdrawUnbonded(uint8 providerSeed) external {
        uint256 p = providerSeed % _providers.length;
        ProviderRegistry.Provider memory pr = _registry.provider(_providerIds[p]);
        if (pr.unbonding == 0 || block.timestamp < pr.unbondingReadyAt) return;
        vm.prank(_providers[p]);
        _registry.withdrawUnbonded();
        calls[this.withdrawUnbonded.selector]++;
    }

    function warp(uint256 seconds_, uint8 blocks) external {
        vm.warp(block.timestamp + seconds_ % 2 days);
        vm.roll(block.number + 1 + blocks % 20);
        calls[this.warp.selector]++;
    }

    // ---------------------------------------------------------------- internals

    function _shardsIn(uint256 jobId, uint256 count, IJobEscrow.ShardState state, uint64 providerId)
        internal
        view
        returns (uint256[] memory idx)
    {
        idx = new uint256[](count);
        uint256 k;
        for (uint256 i; i < count; ++i) {
            IJobEscrow.Shard memory s = _escrow.shard(jobId, i);
            if (s.state == state && (providerId == 0 || s.providerId == providerId)) idx[k++] = i;
        }
        assembly {
            mstore(idx, k)
        }
    }

    function _watch() internal {
        vm.recordLogs();
    }

    /// @dev Counts payouts per shard from the escrow's events of the last call.
    function _check() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            Vm.Log memory l = logs[i];
            if (l.emitter != address(_escrow) || l.topics.length < 3) continue;
            bytes32 t0 = l.topics[0];
            if (t0 != RELEASED && t0 != REFUNDED && t0 != SETTLED) continue;
            uint256 jobId = uint256(l.topics[1]);
            uint256 shardIndex = uint256(l.topics[2]);
            bytes32 key = keccak256(abi.encode(jobId, shardIndex));
            uint256 n = ++payouts[key];
            if (n > maxPayouts) maxPayouts = n;
            uint256 disputeId = _court.disputeIdOf(jobId, shardIndex);
            if (disputeId != 0 && _court.dispute(disputeId).status != IDisputeCourt.DisputeStatus.Resolved) {
                releasedWhileDisputed = true;
            }
        }
    }

    function _slashable() internal view returns (uint256[] memory s) {
        s = new uint256[](_providerIds.length);
        for (uint256 i; i < s.length; ++i) {
            s[i] = _registry.slashableStake(_providerIds[i]);
        }
    }

    /// @dev A refund's penalty never takes more than the stake had, nor more than penaltyBps of the prices.
    function _checkSlashes(uint256[] memory before, uint16 penaltyBps, uint256[] memory idx, uint256 jobId)
        internal
    {
        for (uint256 p; p < _providerIds.length; ++p) {
            uint256 maxPenalty;
            for (uint256 i; i < idx.length; ++i) {
                IJobEscrow.Shard memory s = _escrow.shard(jobId, idx[i]);
                if (s.providerId == _providerIds[p]) maxPenalty += uint256(s.price) * penaltyBps / 10_000;
            }
            uint256 afterStake = _registry.slashableStake(_providerIds[p]);
            if (afterStake > before[p] || before[p] - afterStake > maxPenalty) slashExceededStake = true;
        }
    }
}
