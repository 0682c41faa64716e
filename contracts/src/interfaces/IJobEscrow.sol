// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Job escrow: LNQ locked per shard, released on completion, refunded on a missed deadline
/// @notice A requester locks the price of every shard of a job in one call ({lock}, or {lockWithPermit}
/// with an EIP-2612 signature instead of a separate approve). Each shard names its own awarded provider
/// and price, so an N-shard job may go to up to N providers. Shard life cycle:
///
///     Locked --complete (provider, before deadline)--> Completed
///     Locked --refundExpired (anyone, after deadline)--> Refunded   (+ stake penalty, failure recorded)
///     Completed --accept (requester)--> Released
///     Completed --claim (anyone, dispute window over)--> Released
///     Completed --openDispute (court, within window)--> Disputed
///     Disputed --settleDispute (court)--> Released | Refunded | Split (both paid half)
///
/// On release the provider's owner receives the price less the protocol fee (fee snapshotted at lock,
/// paid to the treasury), the completion is recorded in the registry and the reward pool pays the
/// current reward per shard. Every action has a batch form taking many shard indices of one job.
/// @dev Roles: DEFAULT_ADMIN_ROLE = governance (the timelock); COURT_ROLE = the DisputeCourt.
interface IJobEscrow {
    /// @notice State of one shard.
    enum ShardState {
        None,
        Locked,
        Completed,
        Disputed,
        Released,
        Refunded,
        Split
    }

    /// @notice Terms of a job, fixed at lock time.
    struct Job {
        address requester;
        uint64 deadline; // completion deadline (unix seconds)
        uint32 shardCount;
        uint64 disputeWindow; // seconds after a shard's completion during which it can be disputed
        uint16 feeBps; // protocol fee snapshotted at lock
        uint16 penaltyBps; // missed-deadline penalty (of the shard price) snapshotted at lock
        bytes32 specHash; // digest of the job spec CID
    }

    /// @notice One shard of a job.
    struct Shard {
        uint64 providerId;
        uint96 price; // LNQ wei locked for this shard
        ShardState state;
        uint64 completedAt;
        bytes32 resultHash; // digest of the result CID, set on completion
    }

    /// @notice The job does not exist.
    error EscrowUnknownJob(uint256 jobId);
    /// @notice The shard index is out of range.
    error EscrowUnknownShard(uint256 jobId, uint256 shardIndex);
    /// @notice The shard is not in the state the action needs.
    error EscrowInvalidShardState(uint256 jobId, uint256 shardIndex, ShardState state);
    /// @notice A job must have between 1 and {maxShardsPerJob} shards, and as many prices as providers.
    error EscrowInvalidShardCount(uint256 providers, uint256 prices);
    /// @notice A batch's index and result-hash arrays differ in length, or are empty.
    error EscrowInvalidBatch(uint256 indices, uint256 values);
    /// @notice A shard price of zero.
    error EscrowZeroPrice(uint256 shardIndex);
    /// @notice The awarded provider is unknown or below the minimum stake.
    error EscrowProviderNotActive(uint64 providerId);
    /// @notice The deadline is not in the future.
    error EscrowInvalidDeadline(uint64 deadline);
    /// @notice The dispute window is outside [minDisputeWindow, maxDisputeWindow].
    error EscrowInvalidDisputeWindow(uint64 disputeWindow);
    /// @notice The caller is not the job's requester.
    error EscrowNotRequester(uint256 jobId, address caller);
    /// @notice The caller is not the owner of the shard's provider.
    error EscrowNotProvider(uint256 jobId, uint256 shardIndex, address caller);
    /// @notice The caller is neither the requester nor the shard's provider.
    error EscrowNotParty(uint256 jobId, uint256 shardIndex, address account);
    /// @notice The completion deadline has passed.
    error EscrowDeadlinePassed(uint256 jobId, uint64 deadline);
    /// @notice The completion deadline has not passed yet.
    error EscrowDeadlineNotPassed(uint256 jobId, uint64 deadline);
    /// @notice The dispute window of the shard is still open.
    error EscrowDisputeWindowOpen(uint256 jobId, uint256 shardIndex, uint64 closesAt);
    /// @notice The dispute window of the shard has closed.
    error EscrowDisputeWindowClosed(uint256 jobId, uint256 shardIndex, uint64 closedAt);
    /// @notice A result hash of zero.
    error EscrowZeroResultHash(uint256 shardIndex);
    /// @notice The permit left an allowance below the job's total.
    error EscrowNotFunded(uint256 allowance, uint256 total);
    /// @notice A provider share above 10_000 basis points.
    error EscrowInvalidShare(uint16 providerShareBps);
    /// @notice A parameter value is out of range.
    error EscrowInvalidParameter(bytes32 name, uint256 value);

    /// @notice A job was locked: `total` LNQ for `shardCount` shards.
    event JobLocked(
        uint256 indexed jobId,
        address indexed requester,
        bytes32 specHash,
        uint32 shardCount,
        uint256 total,
        uint64 deadline,
        uint64 disputeWindow
    );
    /// @notice A shard of a locked job was awarded to `providerId` at `price` (one per shard, at lock).
    event ShardAwarded(uint256 indexed jobId, uint256 indexed shardIndex, uint64 indexed providerId, uint256 price);
    /// @notice The provider marked a shard complete with the digest of its result CID.
    event ShardCompleted(uint256 indexed jobId, uint256 indexed shardIndex, uint64 indexed providerId, bytes32 resultHash);
    /// @notice A shard's price was paid: `amount` to the provider's owner, `fee` to the treasury.
    event ShardReleased(
        uint256 indexed jobId, uint256 indexed shardIndex, uint64 indexed providerId, uint256 amount, uint256 fee
    );
    /// @notice A shard's price went back to the requester.
    event ShardRefunded(uint256 indexed jobId, uint256 indexed shardIndex, address indexed requester, uint256 amount);
    /// @notice A shard was put under dispute by `opener` through the court.
    event ShardDisputed(uint256 indexed jobId, uint256 indexed shardIndex, address indexed opener);
    /// @notice The court settled a disputed shard: `providerAmount` (after fee) to the provider,
    /// `refund` to the requester.
    event DisputeSettled(
        uint256 indexed jobId, uint256 indexed shardIndex, uint16 providerShareBps, uint256 providerAmount, uint256 refund
    );
    /// @notice Governance set the protocol fee.
    event FeeSet(uint16 feeBps);
    /// @notice Governance set the treasury.
    event TreasurySet(address treasury);
    /// @notice Governance set the allowed dispute windows.
    event DisputeWindowBoundsSet(uint64 minDisputeWindow, uint64 maxDisputeWindow);
    /// @notice Governance set the missed-deadline penalty.
    event PenaltySet(uint16 penaltyBps);
    /// @notice Governance set the largest job.
    event MaxShardsPerJobSet(uint32 maxShardsPerJob);
    /// @notice Governance set the reward pool (zero: no rewards).
    event RewardPoolSet(address rewardPool);

    /// @notice The court's role.
    function COURT_ROLE() external view returns (bytes32);

    /// @notice Locks `sum(prices)` LNQ from the caller (needs an allowance) for a job whose shard `i` is
    /// awarded to `providerIds[i]` at `prices[i]`.
    /// @return jobId the new job's id (1, 2, ...)
    function lock(
        bytes32 specHash,
        uint64 deadline,
        uint64 disputeWindow,
        uint64[] calldata providerIds,
        uint96[] calldata prices
    ) external returns (uint256 jobId);

    /// @notice {lock} with an EIP-2612 permit for the job's total, in one transaction.
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
    ) external returns (uint256 jobId);

    /// @notice The shard's provider marks it complete with `resultHash`. Before the deadline.
    function complete(uint256 jobId, uint256 shardIndex, bytes32 resultHash) external;

    /// @notice {complete} for many shards of one job (they may belong to different providers, all owned by
    /// the caller).
    function completeBatch(uint256 jobId, uint256[] calldata shardIndices, bytes32[] calldata resultHashes)
        external;

    /// @notice The requester accepts a completed shard: it is paid at once.
    function accept(uint256 jobId, uint256 shardIndex) external;

    /// @notice {accept} for many shards of one job.
    function acceptBatch(uint256 jobId, uint256[] calldata shardIndices) external;

    /// @notice Pays a completed shard whose dispute window is over. Anyone may call.
    function claim(uint256 jobId, uint256 shardIndex) external;

    /// @notice {claim} for many shards of one job.
    function claimBatch(uint256 jobId, uint256[] calldata shardIndices) external;

    /// @notice Refunds a shard not completed by the deadline to the requester and takes the missed-deadline
    /// penalty (`penaltyBps` of the price, capped by the stake) from the provider's stake to the
    /// requester. Anyone may call.
    function refundExpired(uint256 jobId, uint256 shardIndex) external;

    /// @notice {refundExpired} for many shards of one job.
    function refundExpiredBatch(uint256 jobId, uint256[] calldata shardIndices) external;

    /// @notice Puts a completed shard under dispute, within its window. Only COURT_ROLE; `opener` must be
    /// the requester or the owner of the shard's provider.
    /// @return requester the job's requester
    /// @return providerId the shard's provider
    /// @return providerOwner that provider's owner
    function openDispute(uint256 jobId, uint256 shardIndex, address opener)
        external
        returns (address requester, uint64 providerId, address providerOwner);

    /// @notice Settles a disputed shard: the provider gets `providerShareBps` of the price (less the fee),
    /// the requester the rest. 10_000 = provider wins, 0 = requester wins. Only COURT_ROLE.
    function settleDispute(uint256 jobId, uint256 shardIndex, uint16 providerShareBps) external;

    /// @notice Sets the protocol fee (<= 1_000 bps) for jobs locked from now on. Only governance.
    function setFeeBps(uint16 feeBps) external;

    /// @notice Sets the fee recipient. Only governance.
    function setTreasury(address treasury) external;

    /// @notice Sets the allowed range of a job's dispute window. Only governance.
    function setDisputeWindowBounds(uint64 minDisputeWindow, uint64 maxDisputeWindow) external;

    /// @notice Sets the missed-deadline penalty (<= 10_000 bps of the shard price). Only governance.
    function setPenaltyBps(uint16 penaltyBps) external;

    /// @notice Sets the most shards a job may have (1..4096). Only governance.
    function setMaxShardsPerJob(uint32 maxShardsPerJob) external;

    /// @notice Sets the reward pool; the zero address disables rewards. Only governance.
    function setRewardPool(address rewardPool) external;

    /// @notice Terms of `jobId`.
    function job(uint256 jobId) external view returns (Job memory);

    /// @notice Shard `shardIndex` of `jobId`.
    function shard(uint256 jobId, uint256 shardIndex) external view returns (Shard memory);

    /// @notice Number of jobs ever locked (ids are 1..jobCount).
    function jobCount() external view returns (uint256);

    /// @notice LNQ held for shards not yet paid out (equals this contract's LNQ balance).
    function totalLocked() external view returns (uint256);

    /// @notice Protocol fee for new jobs, in basis points.
    function feeBps() external view returns (uint16);

    /// @notice Fee recipient.
    function treasury() external view returns (address);

    /// @notice Shortest allowed dispute window.
    function minDisputeWindow() external view returns (uint64);

    /// @notice Longest allowed dispute window.
    function maxDisputeWindow() external view returns (uint64);

    /// @notice Missed-deadline penalty for new jobs, in basis points of the shard price.
    function penaltyBps() external view returns (uint16);

    /// @notice Most shards a job may have.
    function maxShardsPerJob() external view returns (uint32);

    /// @notice The reward pool, or zero.
    function rewardPool() external view returns (address);

    /// @notice The provider registry.
    function registry() external view returns (address);

    /// @notice The LNQ token.
    function token() external view returns (address);
}
