// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "./utils/Fixture.sol";
import {IRewardPool} from "../src/interfaces/IRewardPool.sol";
import {RewardPool} from "../src/RewardPool.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract RewardPoolTest is Fixture {
    function test_Schedule_HalvesEveryEpoch() public {
        (uint256 initial, uint64 epoch, uint16 decay, uint64 start) = rewardPool.schedule();
        assertEq(initial, INITIAL_REWARD);
        assertEq(epoch, EPOCH);
        assertEq(decay, DECAY_BPS);
        assertEq(rewardPool.currentEpoch(), 0);
        assertEq(rewardPool.rewardPerShard(), INITIAL_REWARD);
        assertEq(rewardPool.rewardPerShardAt(start - 1), INITIAL_REWARD);
        assertEq(rewardPool.rewardPerShardAt(start + EPOCH - 1), INITIAL_REWARD);
        assertEq(rewardPool.rewardPerShardAt(start + EPOCH), INITIAL_REWARD / 2);
        assertEq(rewardPool.rewardPerShardAt(start + 3 * EPOCH), INITIAL_REWARD / 8);
        assertEq(rewardPool.rewardPerShardAt(start + 10 * EPOCH), INITIAL_REWARD / 1024);
        assertEq(rewardPool.rewardPerShardAt(start + 200 * EPOCH), 0);
        vm.warp(start + 2 * EPOCH);
        assertEq(rewardPool.currentEpoch(), 2);
        assertEq(rewardPool.rewardPerShard(), INITIAL_REWARD / 4);
    }

    function test_Schedule_FlatAndZeroDecay() public {
        vm.startPrank(address(timelock));
        rewardPool.setSchedule(3e18, 1 days, 10_000);
        assertEq(rewardPool.rewardPerShardAt(block.timestamp + 1_000 days), 3e18);
        rewardPool.setSchedule(3e18, 1 days, 0);
        assertEq(rewardPool.rewardPerShardAt(block.timestamp + 1 days), 0);
        assertEq(rewardPool.rewardPerShardAt(block.timestamp), 3e18);
        vm.stopPrank();
    }

    function test_Schedule_NinetyPercentDecay() public {
        vm.prank(address(timelock));
        rewardPool.setSchedule(1e18, 1 days, 9_000);
        assertEq(rewardPool.rewardPerShardAt(block.timestamp + 1 days), 0.9e18);
        assertEq(rewardPool.rewardPerShardAt(block.timestamp + 2 days), 0.81e18);
        assertApproxEqAbs(rewardPool.rewardPerShardAt(block.timestamp + 10 days), 0.3486784401e18, 1e3);
    }

    function test_SetSchedule_Reverts() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, bytes32(0))
        );
        rewardPool.setSchedule(1, 1, 1);
        vm.startPrank(address(timelock));
        vm.expectRevert(abi.encodeWithSelector(IRewardPool.RewardInvalidSchedule.selector, 1, 0, 1));
        rewardPool.setSchedule(1, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(IRewardPool.RewardInvalidSchedule.selector, 1, 1, 10_001));
        rewardPool.setSchedule(1, 1, 10_001);
        vm.expectEmit(address(rewardPool));
        emit IRewardPool.RewardScheduleSet(5, 7, 8, uint64(block.timestamp));
        rewardPool.setSchedule(5, 7, 8);
        vm.stopPrank();
    }

    function test_Constructor_ValidatesSchedule() public {
        vm.expectRevert(abi.encodeWithSelector(IRewardPool.RewardInvalidSchedule.selector, 1, 0, 0));
        new RewardPool(IERC20(address(token)), deployer, 1, 0, 0);
    }

    function test_PayReward_OnlyEscrowAndCappedByBalance() public {
        bytes32 role = rewardPool.ESCROW_ROLE();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role));
        rewardPool.payReward(1, stranger, 1);
        vm.startPrank(address(escrow));
        vm.expectEmit(address(rewardPool));
        emit IRewardPool.RewardPaid(1, stranger, 3, 3 * INITIAL_REWARD);
        assertEq(rewardPool.payReward(1, stranger, 3), 3 * INITIAL_REWARD);
        assertEq(rewardPool.payReward(1, stranger, 0), 0);
        assertEq(rewardPool.payReward(1, address(0), 5), 0);
        uint256 left = token.balanceOf(address(rewardPool));
        assertEq(rewardPool.payReward(1, stranger, type(uint128).max), left);
        assertEq(rewardPool.payReward(1, stranger, 1), 0);
        vm.stopPrank();
        assertEq(token.balanceOf(stranger), REWARD_FUNDING);
        assertEq(rewardPool.totalPaid(), REWARD_FUNDING);
    }

    function test_FundAndWithdraw() public {
        vm.startPrank(requester);
        token.approve(address(rewardPool), 5e18);
        vm.expectEmit(address(rewardPool));
        emit IRewardPool.RewardFunded(requester, 5e18);
        rewardPool.fund(5e18);
        vm.expectRevert(IRewardPool.RewardZeroAmount.selector);
        rewardPool.fund(0);
        vm.stopPrank();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, bytes32(0))
        );
        rewardPool.withdraw(stranger, 1);
        vm.startPrank(address(timelock));
        vm.expectRevert(IRewardPool.RewardZeroAddress.selector);
        rewardPool.withdraw(address(0), 1);
        vm.expectRevert(IRewardPool.RewardZeroAmount.selector);
        rewardPool.withdraw(stranger, 0);
        uint256 bal = REWARD_FUNDING + 5e18;
        vm.expectRevert(abi.encodeWithSelector(IRewardPool.RewardInsufficientBalance.selector, bal + 1, bal));
        rewardPool.withdraw(stranger, bal + 1);
        rewardPool.withdraw(stranger, bal);
        vm.stopPrank();
        assertEq(token.balanceOf(stranger), bal);
    }

    /// @dev The reward never grows from one epoch to the next and never exceeds the initial reward.
    function testFuzz_RewardNeverIncreases(uint256 initial, uint16 decay, uint64 epoch, uint256 t) public {
        initial = bound(initial, 0, 1_000_000e18);
        decay = uint16(bound(decay, 0, 10_000));
        epoch = uint64(bound(epoch, 1, 365 days));
        t = bound(t, 0, 100 * 365 days);
        vm.prank(address(timelock));
        rewardPool.setSchedule(initial, epoch, decay);
        uint256 now_ = block.timestamp;
        uint256 a = rewardPool.rewardPerShardAt(now_ + t);
        uint256 b = rewardPool.rewardPerShardAt(now_ + t + epoch);
        assertLe(b, a);
        assertLe(a, initial);
        // one epoch later the reward is the decay factor times this one, up to rounding
        assertApproxEqAbs(b, a * decay / 10_000, initial / 1e12 + 2);
    }
}
