// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Task-completion rewards for providers, on a tapering schedule set by governance
/// @notice The pool holds LNQ (anyone may {fund} it) and pays a reward for every shard the escrow
/// releases to a provider. The reward per shard decays geometrically by epoch:
/// `rewardPerShard(t) = initialRewardPerShard * (decayBps / 10_000) ^ floor((t - start) / epochDuration)`,
/// so `decayBps = 5_000` halves it every epoch and `10_000` keeps it flat. A payment never exceeds the
/// pool's balance: an empty pool pays zero and never blocks a release.
/// @dev Roles: DEFAULT_ADMIN_ROLE (governance, i.e. the timelock) sets the schedule and may withdraw;
/// ESCROW_ROLE (the JobEscrow) calls {payReward}.
interface IRewardPool {
    /// @notice The schedule is invalid: epochDuration must be > 0 and decayBps <= 10_000.
    error RewardInvalidSchedule(uint256 initialRewardPerShard, uint64 epochDuration, uint16 decayBps);
    /// @notice An amount of zero was given where a positive amount is required.
    error RewardZeroAmount();
    /// @notice A withdrawal asked for more than the pool holds.
    error RewardInsufficientBalance(uint256 requested, uint256 available);
    /// @notice A zero address was given for a recipient.
    error RewardZeroAddress();

    /// @notice The schedule was replaced; epochs count from `start`.
    event RewardScheduleSet(uint256 initialRewardPerShard, uint64 epochDuration, uint16 decayBps, uint64 start);
    /// @notice `amount` LNQ was added to the pool by `from`.
    event RewardFunded(address indexed from, uint256 amount);
    /// @notice `amount` LNQ was paid to `to` (the owner of `providerId`) for `shards` released shards.
    event RewardPaid(uint64 indexed providerId, address indexed to, uint256 shards, uint256 amount);
    /// @notice Governance withdrew `amount` LNQ to `to`.
    event RewardWithdrawn(address indexed to, uint256 amount);

    /// @notice The role of the escrow, the only caller of {payReward}.
    function ESCROW_ROLE() external view returns (bytes32);

    /// @notice Pulls `amount` LNQ from the caller into the pool (needs an allowance).
    function fund(uint256 amount) external;

    /// @notice Pays the current reward for `shards` shards to `to`, capped by the pool balance.
    /// @dev Only ESCROW_ROLE. Never reverts for an empty pool: returns 0.
    /// @return paid the amount transferred
    function payReward(uint64 providerId, address to, uint256 shards) external returns (uint256 paid);

    /// @notice Replaces the schedule, restarting epoch 0 now. Only governance.
    function setSchedule(uint256 initialRewardPerShard, uint64 epochDuration, uint16 decayBps) external;

    /// @notice Moves `amount` LNQ out of the pool to `to`. Only governance.
    function withdraw(address to, uint256 amount) external;

    /// @notice The reward per shard now.
    function rewardPerShard() external view returns (uint256);

    /// @notice The reward per shard at `timestamp` under the current schedule (the initial reward
    /// before the schedule started).
    function rewardPerShardAt(uint256 timestamp) external view returns (uint256);

    /// @notice The epoch number now (0 during the first epoch).
    function currentEpoch() external view returns (uint256);

    /// @notice The current schedule.
    function schedule()
        external
        view
        returns (uint256 initialRewardPerShard, uint64 epochDuration, uint16 decayBps, uint64 start);

    /// @notice LNQ paid out as rewards so far.
    function totalPaid() external view returns (uint256);
}
