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
    bool public attackSucceeded;
    uint256 public lockedByHandler;
    mapping(bytes4 action => uint256) public calls;
    mapping(uint256 disputeId => mapping(address juror => IDisputeCourt.Ruling)) internal _committed;

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
        for (uint256 k; k < jobs.length; ++k) {
            uint256 jobId = jobs[(jobSeed % jobs.length + k) % jobs.length];
            IJobEscrow.Job memory j = _escrow.job(jobId);
            if (block.timestamp > j.deadline) continue;
            for (uint256 q; q < _providers.length; ++q) {
                uint256 p = (providerSeed % _providers.length + q) % _providers.length;
                uint256[] memory idx = _shardsIn(jobId, j.shardCount, IJobEscrow.ShardState.Locked, _providerIds[p]);
                if (idx.length == 0) continue;
                bytes32[] memory hashes = new bytes32[](idx.length);
                for (uint256 i; i < idx.length; ++i) {
                    hashes[i] = keccak256(abi.encode(jobId, idx[i]));
                }
                vm.prank(_providers[p]);
                _watch();
                _escrow.completeBatch(jobId, idx, hashes);
                _check();
                calls[this.complete.selector]++;
                return;
            }
        }
    }

    function accept(uint256 jobSeed) external {
        for (uint256 k; k < jobs.length; ++k) {
            uint256 jobId = jobs[(jobSeed % jobs.length + k) % jobs.length];
            IJobEscrow.Job memory j = _escrow.job(jobId);
            uint256[] memory idx = _shardsIn(jobId, j.shardCount, IJobEscrow.ShardState.Completed, 0);
            if (idx.length == 0) continue;
            vm.prank(j.requester);
            _watch();
            _escrow.acceptBatch(jobId, idx);
            _check();
            calls[this.accept.selector]++;
            return;
        }
    }

    function claim(uint256 jobSeed) external {
        for (uint256 q; q < jobs.length; ++q) {
            uint256 jobId = jobs[(jobSeed % jobs.length + q) % jobs.length];
            IJobEscrow.Job memory j = _escrow.job(jobId);
            uint256[] memory all = _shardsIn(jobId, j.shardCount, IJobEscrow.ShardState.Completed, 0);
            uint256[] memory idx = new uint256[](all.length);
            uint256 k;
            for (uint256 i; i < all.length; ++i) {
                if (block.timestamp >= _escrow.shard(jobId, all[i]).completedAt + j.disputeWindow) idx[k++] = all[i];
            }
            if (k == 0) continue;
            assembly {
                mstore(idx, k)
            }
            _watch();
            _escrow.claimBatch(jobId, idx);
            _check();
            calls[this.claim.selector]++;
            return;
        }
    }

    function refundExpired(uint256 jobSeed) external {
        for (uint256 k; k < jobs.length; ++k) {
            uint256 jobId = jobs[(jobSeed % jobs.length + k) % jobs.length];
            IJobEscrow.Job memory j = _escrow.job(jobId);
            if (block.timestamp <= j.deadline) continue;
            uint256[] memory idx = _shardsIn(jobId, j.shardCount, IJobEscrow.ShardState.Locked, 0);
            if (idx.length == 0) continue;
            uint256[] memory before = _slashable();
            _watch();
            _escrow.refundExpiredBatch(jobId, idx);
            _check();
            _checkSlashes(before, j.penaltyBps, idx, jobId);
            calls[this.refundExpired.selector]++;
            return;
        }
    }

    function openDispute(uint256 jobSeed, uint8 shardSeed, bool byProvider) external {
        if (_openAny(jobSeed, shardSeed, byProvider)) calls[this.openDispute.selector]++;
    }

    function _openAny(uint256 jobSeed, uint8 shardSeed, bool byProvider) internal returns (bool) {
        for (uint256 k; k < jobs.length; ++k) {
            uint256 jobId = jobs[(jobSeed % jobs.length + k) % jobs.length];
            IJobEscrow.Job memory j = _escrow.job(jobId);
            for (uint256 q; q < j.shardCount; ++q) {
                uint256 shardIndex = (uint256(shardSeed) + q) % j.shardCount;
                IJobEscrow.Shard memory s = _escrow.shard(jobId, shardIndex);
                if (s.state != IJobEscrow.ShardState.Completed) continue;
                if (block.timestamp >= s.completedAt + j.disputeWindow) continue;
                address opener = byProvider ? _registry.ownerOf(s.providerId) : j.requester;
                uint256 bond = _court.parameters().disputeBond;
                vm.startPrank(opener);
                _token.approve(address(_court), bond);
                disputes.push(_court.openDispute(jobId, shardIndex));
                vm.stopPrank();
                return true;
            }
        }
        return false;
    }

    function respond(uint256 disputeSeed) external {
        for (uint256 k; k < disputes.length; ++k) {
            uint256 id = disputes[(disputeSeed % disputes.length + k) % disputes.length];
            IDisputeCourt.Dispute memory d = _court.dispute(id);
            if (d.status != IDisputeCourt.DisputeStatus.AwaitingResponse || block.timestamp > d.respondDeadline) {
                continue;
            }
            vm.startPrank(d.respondent);
            _token.approve(address(_court), d.bond);
            _court.respond(id);
            vm.stopPrank();
            calls[this.respond.selector]++;
            return;
        }
    }

    function draw(uint256 disputeSeed, bytes32 entropy) external {
        for (uint256 k; k < disputes.length; ++k) {
            uint256 id = disputes[(disputeSeed % disputes.length + k) % disputes.length];
            IDisputeCourt.Dispute memory d = _court.dispute(id);
            if (d.status != IDisputeCourt.DisputeStatus.AwaitingDraw) continue;
            if (block.number <= d.drawBlock) vm.roll(d.drawBlock + 1);
            if (block.number - d.drawBlock <= 256) {
                vm.setBlockhash(d.drawBlock, keccak256(abi.encode(entropy, d.drawBlock)));
            }
            _court.drawJurors(id); // recommits instead when the hash is older than 256 blocks
            calls[this.draw.selector]++;
            return;
        }
    }

    function vote(uint256 disputeSeed, uint256 votes) external {
        for (uint256 k; k < disputes.length; ++k) {
            uint256 id = disputes[(disputeSeed % disputes.length + k) % disputes.length];
            IDisputeCourt.Dispute memory d = _court.dispute(id);
            if (d.status != IDisputeCourt.DisputeStatus.Voting || block.timestamp > d.revealDeadline) continue;
            _vote(id, d, votes);
            calls[this.vote.selector]++;
            return;
        }
    }

    function _vote(uint256 id, IDisputeCourt.Dispute memory d, uint256 votes) internal {
        address[] memory panel = _court.panel(id);
        for (uint256 i; i < panel.length; ++i) {
            address j = panel[i];
            IDisputeCourt.Ruling ruling =
                (votes >> i) & 1 == 0 ? IDisputeCourt.Ruling.RequesterWins : IDisputeCourt.Ruling.ProviderWins;
            IDisputeCourt.Vote memory v = _court.vote(id, j);
            if (v.commitment != bytes32(0) || block.timestamp > d.commitDeadline) continue;
            if ((votes >> (i + 8)) % 8 == 0) continue; // now and then a juror stays away
            bytes32 commitment = _court.commitmentOf(id, j, ruling, keccak256(abi.encode(id, j)));
            vm.prank(j);
            _court.commitVote(id, commitment);
            _committed[id][j] = ruling;
        }
        IDisputeCourt.Tally memory t = _court.tally(id);
        if (block.timestamp <= d.commitDeadline && t.committed < d.seats) return; // reveals not open yet
        if (block.timestamp > d.revealDeadline) return; // reveals closed
        for (uint256 i; i < panel.length; ++i) {
            address j = panel[i];
            IDisputeCourt.Vote memory v = _court.vote(id, j);
            if (v.commitment == bytes32(0) || v.revealed != IDisputeCourt.Ruling.None) continue;
            vm.prank(j);
            _court.revealVote(id, _committed[id][j], keccak256(abi.encode(id, j)));
        }
    }

    function resolve(uint256 disputeSeed) external {
        for (uint256 k; k < disputes.length; ++k) {
            uint256 id = disputes[(disputeSeed % disputes.length + k) % disputes.length];
            IDisputeCourt.Dispute memory d = _court.dispute(id);
            if (d.status == IDisputeCourt.DisputeStatus.AwaitingResponse) {
                if (block.timestamp <= d.respondDeadline) continue;
            } else if (d.status == IDisputeCourt.DisputeStatus.Voting) {
                if (block.timestamp <= d.revealDeadline && _court.tally(id).revealed < d.seats) continue;
            } else {
                continue;
            }
            _resolve(id, d);
            calls[this.resolve.selector]++;
            return;
        }
    }

    /// @dev Takes the first unresolved dispute from `disputeSeed` through the rest of its course in one
    /// step (answered or not, drawn, voted with some jurors absent, resolved), so that runs of a few dozen
    /// calls settle disputes; the single-step actions above interleave the same steps with everything else.
    function runDispute(uint256 disputeSeed, uint256 choices) external {
        uint256 id;
        for (uint256 k; k < disputes.length && id == 0; ++k) {
            uint256 candidate = disputes[(disputeSeed % disputes.length + k) % disputes.length];
            if (_court.dispute(candidate).status != IDisputeCourt.DisputeStatus.Resolved) id = candidate;
        }
        if (id == 0) {
            if (!_openAny(disputeSeed, uint8(choices >> 200), (choices >> 199) & 1 == 1)) return;
            id = disputes[disputes.length - 1];
        }
        IDisputeCourt.Dispute memory d = _court.dispute(id);
        if (d.status == IDisputeCourt.DisputeStatus.AwaitingResponse) {
            if (choices & 1 == 1 && block.timestamp <= d.respondDeadline) {
                vm.startPrank(d.respondent);
                _token.approve(address(_court), d.bond);
                _court.respond(id);
                vm.stopPrank();
            } else {
                if (block.timestamp <= d.respondDeadline) vm.warp(d.respondDeadline + 1);
                _resolve(id, _court.dispute(id)); // default judgment for the opener
                calls[this.runDispute.selector]++;
                return;
            }
        }
        d = _court.dispute(id);
        if (d.status == IDisputeCourt.DisputeStatus.AwaitingDraw) {
            if (block.number <= d.drawBlock) vm.roll(d.drawBlock + 1);
            if (block.number - d.drawBlock <= 256) {
                vm.setBlockhash(d.drawBlock, keccak256(abi.encode(choices, d.drawBlock)));
            }
            _court.drawJurors(id);
            d = _court.dispute(id);
            if (d.status != IDisputeCourt.DisputeStatus.Voting) return; // recommitted
        }
        if (block.timestamp <= d.revealDeadline) _vote(id, d, choices >> 1);
        if (_court.tally(id).revealed < d.seats) {
            if (block.timestamp <= d.commitDeadline) vm.warp(d.commitDeadline + 1);
            _vote(id, _court.dispute(id), choices >> 1); // reveal what was committed
            if (_court.tally(id).revealed < d.seats) vm.warp(d.revealDeadline + 1);
        }
        _resolve(id, _court.dispute(id));
        calls[this.runDispute.selector]++;
    }

    /// @dev Adversarial: tries to pay, refund or re-complete a shard that is disputed or already settled.
    /// Every attempt must revert; one that does not is recorded (and its payout counted by _check).
    function attack(uint256 jobSeed, uint8 kind) external {
        for (uint256 k; k < jobs.length; ++k) {
            uint256 jobId = jobs[(jobSeed % jobs.length + k) % jobs.length];
            IJobEscrow.Job memory j = _escrow.job(jobId);
            for (uint256 i; i < j.shardCount; ++i) {
                IJobEscrow.Shard memory s = _escrow.shard(jobId, i);
                if (s.state == IJobEscrow.ShardState.Locked || s.state == IJobEscrow.ShardState.Completed) continue;
                bool ok;
                _watch();
                if (kind % 4 == 0) {
                    vm.prank(j.requester);
                    try _escrow.accept(jobId, i) {
                        ok = true;
                    } catch {}
                } else if (kind % 4 == 1) {
                    if (block.timestamp < s.completedAt + j.disputeWindow) vm.warp(s.completedAt + j.disputeWindow);
                    try _escrow.claim(jobId, i) {
                        ok = true;
                    } catch {}
                } else if (kind % 4 == 2) {
                    if (block.timestamp <= j.deadline) vm.warp(uint256(j.deadline) + 1);
                    try _escrow.refundExpired(jobId, i) {
                        ok = true;
                    } catch {}
                } else {
                    vm.prank(_registry.ownerOf(s.providerId));
                    try _escrow.complete(jobId, i, keccak256("again")) {
                        ok = true;
                    } catch {}
                }
                _check();
                if (ok) attackSucceeded = true;
                calls[this.attack.selector]++;
                return;
            }
        }
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
        ProviderRegistry.Provider memory pr = _registry.provider(_providerIds[p]);
        uint256 stake = pr.stake;
        uint256 minStake = _registry.minStake();
        if (stake <= minStake || pr.unbonding != 0) return; // one unbonding at a time, so it can mature
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
        vm.warp(block.timestamp + seconds_ % 12 hours);
        vm.roll(block.number + 1 + blocks % 20);
        calls[this.warp.selector]++;
    }

    // ---------------------------------------------------------------- internals

    function _resolve(uint256 id, IDisputeCourt.Dispute memory d) internal {
        uint256 stakeBefore = _registry.slashableStake(d.providerId);
        uint256 maxSlash = stakeBefore * _court.parameters().slashBps / 10_000;
        _watch();
        _court.resolve(id);
        _check();
        uint256 stakeAfter = _registry.slashableStake(d.providerId);
        if (stakeAfter > stakeBefore || stakeBefore - stakeAfter > maxSlash) slashExceededStake = true;
    }

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
