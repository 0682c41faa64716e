// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IJobEscrow} from "./interfaces/IJobEscrow.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {IRewardPool} from "./interfaces/IRewardPool.sol";

/// @title JobEscrow
/// @notice See {IJobEscrow}.
contract JobEscrow is IJobEscrow, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 public constant COURT_ROLE = keccak256("COURT_ROLE");
    uint16 private constant _BPS = 10_000;
    uint16 private constant _MAX_FEE_BPS = 1_000;
    uint32 private constant _MAX_SHARDS_LIMIT = 4_096;

    /// @dev Payout to one provider, aggregated over a run of consecutive shards it holds.
    struct Payout {
        uint64 providerId;
        uint256 amount;
        uint256 count;
    }

    IERC20 private immutable _token;
    IProviderRegistry private immutable _registry;

    IRewardPool private _rewardPool;
    address private _treasury;
    uint16 private _feeBps;
    uint16 private _penaltyBps;
    uint32 private _maxShardsPerJob;
    uint64 private _minDisputeWindow;
    uint64 private _maxDisputeWindow;

    uint256 private _jobCount;
    uint256 private _totalLocked;
    mapping(uint256 jobId => Job) private _jobs;
    mapping(uint256 jobId => mapping(uint256 shardIndex => Shard)) private _shards;

    /// @param token_ LNQ
    /// @param registry_ the ProviderRegistry (this escrow needs its ESCROW_ROLE)
    /// @param rewardPool_ the RewardPool (this escrow needs its ESCROW_ROLE), or zero for no rewards
    /// @param treasury_ protocol-fee recipient
    /// @param admin receives DEFAULT_ADMIN_ROLE (the deployer; hand it to the timelock)
    /// @param feeBps_ protocol fee, <= 1_000
    /// @param penaltyBps_ missed-deadline penalty in bps of the shard price, <= 10_000
    /// @param minDisputeWindow_ shortest dispute window a job may set
    /// @param maxDisputeWindow_ longest dispute window a job may set
    /// @param maxShardsPerJob_ most shards per job, 1..4096
    constructor(
        IERC20 token_,
        IProviderRegistry registry_,
        IRewardPool rewardPool_,
        address treasury_,
        address admin,
        uint16 feeBps_,
        uint16 penaltyBps_,
        uint64 minDisputeWindow_,
        uint64 maxDisputeWindow_,
        uint32 maxShardsPerJob_
    ) {
        _token = token_;
        _registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setRewardPool(address(rewardPool_));
        _setTreasury(treasury_);
        _setFeeBps(feeBps_);
        _setPenaltyBps(penaltyBps_);
        _setDisputeWindowBounds(minDisputeWindow_, maxDisputeWindow_);
        _setMaxShardsPerJob(maxShardsPerJob_);
    }

    // ---------------------------------------------------------------- requester

    /// @inheritdoc IJobEscrow
    function lock(
        bytes32 specHash,
        uint64 deadline,
        uint64 disputeWindow,
        uint64[] calldata providerIds,
        uint96[] calldata prices
    ) external nonReentrant returns (uint256) {
        return _lock(specHash, deadline, disputeWindow, providerIds, prices);
    }

    /// @inheritdoc IJobEscrow
    function lockWithPermit(
        bytes32 specHash,
        uint64 deadline,
        uint64 disputeWindow,
        uint64[] calldata providerIds,
        uint96[] calldata prices,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256) {
        uint256 total;
        for (uint256 i; i < prices.length; ++i) {
            total += prices[i];
        }
        // A permit front-run with the same signature reverts here but has already set the allowance.
        try IERC20Permit(address(_token)).permit(msg.sender, address(this), total, permitDeadline, v, r, s) {} catch {}
        uint256 allowance = _token.allowance(msg.sender, address(this));
        if (allowance < total) revert EscrowNotFunded(allowance, total);
        return _lock(specHash, deadline, disputeWindow, providerIds, prices);
    }

    /// @inheritdoc IJobEscrow
    function accept(uint256 jobId, uint256 shardIndex) external nonReentrant {
        uint256[] memory one = new uint256[](1);
        one[0] = shardIndex;
        _release(jobId, one, true);
    }

    /// @inheritdoc IJobEscrow
    function acceptBatch(uint256 jobId, uint256[] calldata shardIndices) external nonReentrant {
        _release(jobId, shardIndices, true);
    }

    /// @inheritdoc IJobEscrow
    function refundExpired(uint256 jobId, uint256 shardIndex) external nonReentrant {
        uint256[] memory one = new uint256[](1);
        one[0] = shardIndex;
        _refundExpired(jobId, one);
    }

    /// @inheritdoc IJobEscrow
    function refundExpiredBatch(uint256 jobId, uint256[] calldata shardIndices) external nonReentrant {
        _refundExpired(jobId, shardIndices);
    }

    // ---------------------------------------------------------------- provider

    /// @inheritdoc IJobEscrow
    function complete(uint256 jobId, uint256 shardIndex, bytes32 resultHash) external nonReentrant {
        uint256[] memory one = new uint256[](1);
        one[0] = shardIndex;
        bytes32[] memory hashes = new bytes32[](1);
        hashes[0] = resultHash;
        _complete(jobId, one, hashes);
    }

    /// @inheritdoc IJobEscrow
    function completeBatch(uint256 jobId, uint256[] calldata shardIndices, bytes32[] calldata resultHashes)
        external
        nonReentrant
    {
        _complete(jobId, shardIndices, resultHashes);
    }

    /// @inheritdoc IJobEscrow
    function claim(uint256 jobId, uint256 shardIndex) external nonReentrant {
        uint256[] memory one = new uint256[](1);
        one[0] = shardIndex;
        _release(jobId, one, false);
    }

    /// @inheritdoc IJobEscrow
    function claimBatch(uint256 jobId, uint256[] calldata shardIndices) external nonReentrant {
        _release(jobId, shardIndices, false);
    }

    // ---------------------------------------------------------------- court

    /// @inheritdoc IJobEscrow
    function openDispute(uint256 jobId, uint256 shardIndex, address opener)
        external
        nonReentrant
        onlyRole(COURT_ROLE)
        returns (address requester, uint64 providerId, address providerOwner)
    {
        Job storage j = _requireJob(jobId);
        Shard storage s = _requireShard(jobId, j, shardIndex);
        if (s.state != ShardState.Completed) revert EscrowInvalidShardState(jobId, shardIndex, s.state);
        uint64 closesAt = s.completedAt + j.disputeWindow;
        if (block.timestamp >= closesAt) revert EscrowDisputeWindowClosed(jobId, shardIndex, closesAt);
        requester = j.requester;
        providerId = s.providerId;
        providerOwner = _registry.ownerOf(providerId);
        if (opener != requester && opener != providerOwner) revert EscrowNotParty(jobId, shardIndex, opener);
        s.state = ShardState.Disputed;
        emit ShardDisputed(jobId, shardIndex, opener);
    }

    /// @inheritdoc IJobEscrow
    function settleDispute(uint256 jobId, uint256 shardIndex, uint16 providerShareBps)
        external
        nonReentrant
        onlyRole(COURT_ROLE)
    {
        if (providerShareBps > _BPS) revert EscrowInvalidShare(providerShareBps);
        Job storage j = _requireJob(jobId);
        Shard storage s = _requireShard(jobId, j, shardIndex);
        if (s.state != ShardState.Disputed) revert EscrowInvalidShardState(jobId, shardIndex, s.state);
        uint256 price = s.price;
        uint256 gross = price * providerShareBps / _BPS;
        uint256 fee = gross * j.feeBps / _BPS;
        uint256 net = gross - fee;
        uint256 refund = price - gross;
        s.state = providerShareBps == _BPS
            ? ShardState.Released
            : (providerShareBps == 0 ? ShardState.Refunded : ShardState.Split);
        _totalLocked -= price;
        emit DisputeSettled(jobId, shardIndex, providerShareBps, net, refund);

        uint64 providerId = s.providerId;
        if (refund > 0) _token.safeTransfer(j.requester, refund);
        if (fee > 0) _token.safeTransfer(_treasury, fee);
        if (net > 0) {
            address owner = _registry.ownerOf(providerId);
            _token.safeTransfer(owner, net);
            if (providerShareBps == _BPS) {
                _registry.recordCompleted(providerId, 1);
                _payReward(providerId, owner, 1);
            }
        }
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IJobEscrow
    function setFeeBps(uint16 feeBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFeeBps(feeBps_);
    }

    /// @inheritdoc IJobEscrow
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setTreasury(treasury_);
    }

    /// @inheritdoc IJobEscrow
    function setDisputeWindowBounds(uint64 minDisputeWindow_, uint64 maxDisputeWindow_)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setDisputeWindowBounds(minDisputeWindow_, maxDisputeWindow_);
    }

    /// @inheritdoc IJobEscrow
    function setPenaltyBps(uint16 penaltyBps_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPenaltyBps(penaltyBps_);
    }

    /// @inheritdoc IJobEscrow
    function setMaxShardsPerJob(uint32 maxShardsPerJob_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxShardsPerJob(maxShardsPerJob_);
    }

    /// @inheritdoc IJobEscrow
    function setRewardPool(address rewardPool_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRewardPool(rewardPool_);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IJobEscrow
    function job(uint256 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    /// @inheritdoc IJobEscrow
    function shard(uint256 jobId, uint256 shardIndex) external view returns (Shard memory) {
        return _shards[jobId][shardIndex];
    }

    /// @inheritdoc IJobEscrow
    function jobCount() external view returns (uint256) {
        return _jobCount;
    }

    /// @inheritdoc IJobEscrow
    function totalLocked() external view returns (uint256) {
        return _totalLocked;
    }

    /// @inheritdoc IJobEscrow
    function feeBps() external view returns (uint16) {
        return _feeBps;
    }

    /// @inheritdoc IJobEscrow
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IJobEscrow
    function minDisputeWindow() external view returns (uint64) {
        return _minDisputeWindow;
    }

    /// @inheritdoc IJobEscrow
    function maxDisputeWindow() external view returns (uint64) {
        return _maxDisputeWindow;
    }

    /// @inheritdoc IJobEscrow
    function penaltyBps() external view returns (uint16) {
        return _penaltyBps;
    }

    /// @inheritdoc IJobEscrow
    function maxShardsPerJob() external view returns (uint32) {
        return _maxShardsPerJob;
    }

    /// @inheritdoc IJobEscrow
    function rewardPool() external view returns (address) {
        return address(_rewardPool);
    }

    /// @inheritdoc IJobEscrow
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IJobEscrow
    function token() external view returns (address) {
        return address(_token);
    }

    // ---------------------------------------------------------------- internals

    function _lock(
        bytes32 specHash,
        uint64 deadline,
        uint64 disputeWindow,
        uint64[] calldata providerIds,
        uint96[] calldata prices
    ) private returns (uint256 jobId) {
        uint256 n = providerIds.length;
        if (n == 0 || n != prices.length || n > _maxShardsPerJob) {
            revert EscrowInvalidShardCount(n, prices.length);
        }
        if (deadline <= block.timestamp) revert EscrowInvalidDeadline(deadline);
        if (disputeWindow < _minDisputeWindow || disputeWindow > _maxDisputeWindow) {
            revert EscrowInvalidDisputeWindow(disputeWindow);
        }
        jobId = ++_jobCount;
        _jobs[jobId] = Job({
            requester: msg.sender,
            deadline: deadline,
            // forge-lint: disable-next-line(unsafe-typecast) n <= maxShardsPerJob <= 4096
            shardCount: uint32(n),
            disputeWindow: disputeWindow,
            feeBps: _feeBps,
            penaltyBps: _penaltyBps,
            specHash: specHash
        });
        uint256 total = _award(jobId, providerIds, prices);
        _totalLocked += total;
        // forge-lint: disable-next-line(unsafe-typecast) n <= maxShardsPerJob <= 4096
        emit JobLocked(jobId, msg.sender, specHash, uint32(n), total, deadline, disputeWindow);
        _token.safeTransferFrom(msg.sender, address(this), total);
    }

    function _award(uint256 jobId, uint64[] calldata providerIds, uint96[] calldata prices)
        private
        returns (uint256 total)
    {
        uint64 checked;
        mapping(uint256 => Shard) storage shards = _shards[jobId];
        for (uint256 i; i < providerIds.length; ++i) {
            uint64 providerId = providerIds[i];
            if (providerId != checked) {
                if (!_registry.isActive(providerId)) revert EscrowProviderNotActive(providerId);
                checked = providerId;
            }
            uint96 price = prices[i];
            if (price == 0) revert EscrowZeroPrice(i);
            total += price;
            shards[i] = Shard({
                providerId: providerId,
                price: price,
                state: ShardState.Locked,
                completedAt: 0,
                resultHash: bytes32(0)
            });
            emit ShardAwarded(jobId, i, providerId, price);
        }
    }

    function _complete(uint256 jobId, uint256[] memory shardIndices, bytes32[] memory resultHashes) private {
        uint256 n = shardIndices.length;
        if (n == 0 || n != resultHashes.length) revert EscrowInvalidBatch(n, resultHashes.length);
        Job storage j = _requireJob(jobId);
        if (block.timestamp > j.deadline) revert EscrowDeadlinePassed(jobId, j.deadline);
        uint64 verified;
        for (uint256 k; k < n; ++k) {
            uint256 index = shardIndices[k];
            bytes32 resultHash = resultHashes[k];
            Shard storage s = _requireShard(jobId, j, index);
            if (s.state != ShardState.Locked) revert EscrowInvalidShardState(jobId, index, s.state);
            if (resultHash == bytes32(0)) revert EscrowZeroResultHash(index);
            uint64 providerId = s.providerId;
            if (providerId != verified) {
                if (_registry.ownerOf(providerId) != msg.sender) revert EscrowNotProvider(jobId, index, msg.sender);
                verified = providerId;
            }
            s.state = ShardState.Completed;
            s.completedAt = uint64(block.timestamp);
            s.resultHash = resultHash;
            emit ShardCompleted(jobId, index, providerId, resultHash);
        }
    }

    /// @dev accept (byRequester) or claim: Completed -> Released, paying runs of shards per provider.
    function _release(uint256 jobId, uint256[] memory shardIndices, bool byRequester) private {
        uint256 n = shardIndices.length;
        if (n == 0) revert EscrowInvalidBatch(0, 0);
        Job storage j = _requireJob(jobId);
        if (byRequester && msg.sender != j.requester) revert EscrowNotRequester(jobId, msg.sender);
        Payout[] memory payouts = new Payout[](n);
        uint256 runs;
        uint256 totalPrice;
        uint256 totalFee;
        for (uint256 k; k < n; ++k) {
            (uint64 providerId, uint256 price, uint256 fee) = _releaseOne(jobId, j, shardIndices[k], byRequester);
            totalPrice += price;
            totalFee += fee;
            runs = _addToRun(payouts, runs, providerId, price - fee);
        }
        _totalLocked -= totalPrice;

        if (totalFee > 0) _token.safeTransfer(_treasury, totalFee);
        for (uint256 r; r < runs; ++r) {
            Payout memory p = payouts[r];
            address owner = _registry.ownerOf(p.providerId);
            if (p.amount > 0) _token.safeTransfer(owner, p.amount);
            _registry.recordCompleted(p.providerId, p.count);
            _payReward(p.providerId, owner, p.count);
        }
    }

    function _releaseOne(uint256 jobId, Job storage j, uint256 index, bool byRequester)
        private
        returns (uint64 providerId, uint256 price, uint256 fee)
    {
        Shard storage s = _requireShard(jobId, j, index);
        if (s.state != ShardState.Completed) revert EscrowInvalidShardState(jobId, index, s.state);
        if (!byRequester) {
            uint64 closesAt = s.completedAt + j.disputeWindow;
            if (block.timestamp < closesAt) revert EscrowDisputeWindowOpen(jobId, index, closesAt);
        }
        s.state = ShardState.Released;
        providerId = s.providerId;
        price = s.price;
        fee = price * j.feeBps / _BPS;
        emit ShardReleased(jobId, index, providerId, price - fee, fee);
    }

    /// @dev Locked -> Refunded after the deadline, with the missed-deadline penalty per provider run.
    function _refundExpired(uint256 jobId, uint256[] memory shardIndices) private {
        uint256 n = shardIndices.length;
        if (n == 0) revert EscrowInvalidBatch(0, 0);
        Job storage j = _requireJob(jobId);
        if (block.timestamp <= j.deadline) revert EscrowDeadlineNotPassed(jobId, j.deadline);
        Payout[] memory penalties = new Payout[](n);
        uint256 runs;
        uint256 refund;
        for (uint256 k; k < n; ++k) {
            uint256 index = shardIndices[k];
            Shard storage s = _requireShard(jobId, j, index);
            if (s.state != ShardState.Locked) revert EscrowInvalidShardState(jobId, index, s.state);
            s.state = ShardState.Refunded;
            uint256 price = s.price;
            refund += price;
            emit ShardRefunded(jobId, index, j.requester, price);
            runs = _addToRun(penalties, runs, s.providerId, price * j.penaltyBps / _BPS);
        }
        _totalLocked -= refund;

        address requester = j.requester;
        _token.safeTransfer(requester, refund);
        for (uint256 r; r < runs; ++r) {
            Payout memory p = penalties[r];
            _registry.recordFailed(p.providerId, p.count);
            if (p.amount > 0) _registry.penalize(p.providerId, p.amount, requester);
        }
    }

    /// @dev Adds one shard worth `amount` to the last run if it is the same provider's, else opens a run.
    function _addToRun(Payout[] memory runs_, uint256 runs, uint64 providerId, uint256 amount)
        private
        pure
        returns (uint256)
    {
        if (runs == 0 || runs_[runs - 1].providerId != providerId) {
            runs_[runs++] = Payout(providerId, 0, 0);
        }
        runs_[runs - 1].amount += amount;
        runs_[runs - 1].count += 1;
        return runs;
    }

    function _payReward(uint64 providerId, address owner, uint256 count) private {
        IRewardPool pool = _rewardPool;
        if (address(pool) == address(0)) return;
        // Rewards are a bonus: a failing or misconfigured pool must never block a payment.
        try pool.payReward(providerId, owner, count) {} catch {}
    }

    function _requireJob(uint256 jobId) private view returns (Job storage j) {
        j = _jobs[jobId];
        if (j.requester == address(0)) revert EscrowUnknownJob(jobId);
    }

    function _requireShard(uint256 jobId, Job storage j, uint256 shardIndex) private view returns (Shard storage) {
        if (shardIndex >= j.shardCount) revert EscrowUnknownShard(jobId, shardIndex);
        return _shards[jobId][shardIndex];
    }

    function _setFeeBps(uint16 feeBps_) private {
        if (feeBps_ > _MAX_FEE_BPS) revert EscrowInvalidParameter("feeBps", feeBps_);
        _feeBps = feeBps_;
        emit FeeSet(feeBps_);
    }

    function _setTreasury(address treasury_) private {
        if (treasury_ == address(0)) revert EscrowInvalidParameter("treasury", 0);
        _treasury = treasury_;
        emit TreasurySet(treasury_);
    }

    function _setDisputeWindowBounds(uint64 min_, uint64 max_) private {
        if (min_ == 0 || min_ > max_) revert EscrowInvalidParameter("disputeWindow", min_);
        if (max_ > 90 days) revert EscrowInvalidParameter("disputeWindow", max_);
        _minDisputeWindow = min_;
        _maxDisputeWindow = max_;
        emit DisputeWindowBoundsSet(min_, max_);
    }

    function _setPenaltyBps(uint16 penaltyBps_) private {
        if (penaltyBps_ > _BPS) revert EscrowInvalidParameter("penaltyBps", penaltyBps_);
        _penaltyBps = penaltyBps_;
        emit PenaltySet(penaltyBps_);
    }

    function _setMaxShardsPerJob(uint32 max_) private {
        if (max_ == 0 || max_ > _MAX_SHARDS_LIMIT) revert EscrowInvalidParameter("maxShardsPerJob", max_);
        _maxShardsPerJob = max_;
        emit MaxShardsPerJobSet(max_);
    }

    function _setRewardPool(address pool) private {
        _rewardPool = IRewardPool(pool);
        emit RewardPoolSet(pool);
    }
}
