// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IRewardPool} from "./interfaces/IRewardPool.sol";

/// @title RewardPool
/// @notice See {IRewardPool}.
contract RewardPool is IRewardPool, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;

    bytes32 public constant ESCROW_ROLE = keccak256("ESCROW_ROLE");
    uint16 private constant _BPS = 10_000;
    uint256 private constant _WAD = 1e18;

    IERC20 private immutable _token;

    uint256 private _initialRewardPerShard;
    uint64 private _epochDuration;
    uint16 private _decayBps;
    uint64 private _start;
    uint256 private _totalPaid;

    /// @param token LNQ
    /// @param admin receives DEFAULT_ADMIN_ROLE (the deployer; hand it to the timelock)
    /// @param initialRewardPerShard reward for one shard in epoch 0
    /// @param epochDuration seconds per epoch (> 0)
    /// @param decayBps per-epoch multiplier in basis points (<= 10_000; 5_000 halves every epoch)
    constructor(IERC20 token, address admin, uint256 initialRewardPerShard, uint64 epochDuration, uint16 decayBps) {
        _token = token;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setSchedule(initialRewardPerShard, epochDuration, decayBps);
    }

    /// @inheritdoc IRewardPool
    function fund(uint256 amount) external nonReentrant {
        if (amount == 0) revert RewardZeroAmount();
        _token.safeTransferFrom(msg.sender, address(this), amount);
        emit RewardFunded(msg.sender, amount);
    }

    /// @inheritdoc IRewardPool
    function payReward(uint64 providerId, address to, uint256 shards)
        external
        nonReentrant
        onlyRole(ESCROW_ROLE)
        returns (uint256 paid)
    {
        if (shards == 0 || to == address(0)) return 0;
        uint256 due = rewardPerShardAt(block.timestamp) * shards;
        paid = Math.min(due, _token.balanceOf(address(this)));
        if (paid == 0) return 0;
        _totalPaid += paid;
        _token.safeTransfer(to, paid);
        emit RewardPaid(providerId, to, shards, paid);
    }

    /// @inheritdoc IRewardPool
    function setSchedule(uint256 initialRewardPerShard, uint64 epochDuration, uint16 decayBps)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setSchedule(initialRewardPerShard, epochDuration, decayBps);
    }

    /// @inheritdoc IRewardPool
    function withdraw(address to, uint256 amount) external nonReentrant onlyRole(DEFAULT_ADMIN_ROLE) {
        if (to == address(0)) revert RewardZeroAddress();
        if (amount == 0) revert RewardZeroAmount();
        uint256 available = _token.balanceOf(address(this));
        if (amount > available) revert RewardInsufficientBalance(amount, available);
        _token.safeTransfer(to, amount);
        emit RewardWithdrawn(to, amount);
    }

    /// @inheritdoc IRewardPool
    function rewardPerShard() external view returns (uint256) {
        return rewardPerShardAt(block.timestamp);
    }

    /// @inheritdoc IRewardPool
    function rewardPerShardAt(uint256 timestamp) public view returns (uint256) {
        uint256 epoch = _epochAt(timestamp);
        if (epoch == 0 || _decayBps == _BPS) return _initialRewardPerShard;
        if (_decayBps == 0) return 0;
        // factor = (decayBps / 10_000) ^ epoch in WAD, by squaring; it only shrinks, so it reaches 0.
        uint256 factor = _WAD;
        uint256 base = uint256(_decayBps) * _WAD / _BPS;
        while (epoch > 0 && factor > 0) {
            if (epoch & 1 == 1) factor = factor * base / _WAD;
            base = base * base / _WAD;
            epoch >>= 1;
        }
        return Math.mulDiv(_initialRewardPerShard, factor, _WAD);
    }

    /// @inheritdoc IRewardPool
    function currentEpoch() external view returns (uint256) {
        return _epochAt(block.timestamp);
    }

    /// @inheritdoc IRewardPool
    function schedule()
        external
        view
        returns (uint256 initialRewardPerShard, uint64 epochDuration, uint16 decayBps, uint64 start)
    {
        return (_initialRewardPerShard, _epochDuration, _decayBps, _start);
    }

    /// @inheritdoc IRewardPool
    function totalPaid() external view returns (uint256) {
        return _totalPaid;
    }

    function _epochAt(uint256 timestamp) private view returns (uint256) {
        if (timestamp <= _start) return 0;
        return (timestamp - _start) / _epochDuration;
    }

    function _setSchedule(uint256 initialRewardPerShard, uint64 epochDuration, uint16 decayBps) private {
        if (epochDuration == 0 || decayBps > _BPS) {
            revert RewardInvalidSchedule(initialRewardPerShard, epochDuration, decayBps);
        }
        _initialRewardPerShard = initialRewardPerShard;
        _epochDuration = epochDuration;
        _decayBps = decayBps;
        _start = uint64(block.timestamp);
        emit RewardScheduleSet(initialRewardPerShard, epochDuration, decayBps, uint64(block.timestamp));
    }
}
