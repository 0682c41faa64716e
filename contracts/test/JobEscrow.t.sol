// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "./utils/Fixture.sol";
import {IJobEscrow} from "../src/interfaces/IJobEscrow.sol";
import {IRewardPool} from "../src/interfaces/IRewardPool.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract JobEscrowTest is Fixture {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    uint64 internal pA;
    uint64 internal pB;

    function setUp() public override {
        super.setUp();
        pA = _register(alice, PROVIDER_STAKE);
        pB = _register(bob, PROVIDER_STAKE);
    }

    function _permit(address owner, uint256 key, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, address(escrow), value, token.nonces(owner), deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (v, r, s) = vm.sign(key, digest);
    }

    function _state(uint256 jobId, uint256 i) internal view returns (IJobEscrow.ShardState) {
        return escrow.shard(jobId, i).state;
    }

    // ---------------------------------------------------------------- lock

    function test_Lock_StoresJobAndShardsAndPullsTotal() public {
        uint64[] memory ids = new uint64[](3);
        uint96[] memory prices = new uint96[](3);
        (ids[0], ids[1], ids[2]) = (pA, pB, pA);
        (prices[0], prices[1], prices[2]) = (1e18, 2e18, 3e18);
        uint256 before = token.balanceOf(requester);
        vm.startPrank(requester);
        token.approve(address(escrow), 6e18);
        vm.expectEmit(address(escrow));
        emit IJobEscrow.ShardAwarded(1, 1, pB, 2e18);
        vm.expectEmit(address(escrow));
        emit IJobEscrow.JobLocked(1, requester, keccak256("s"), 3, 6e18, uint64(block.timestamp + 100), 2 hours);
        uint256 jobId = escrow.lock(keccak256("s"), uint64(block.timestamp + 100), 2 hours, ids, prices);
        vm.stopPrank();

        assertEq(jobId, 1);
        assertEq(escrow.jobCount(), 1);
        assertEq(token.balanceOf(requester), before - 6e18);
        assertEq(token.balanceOf(address(escrow)), 6e18);
        assertEq(escrow.totalLocked(), 6e18);
        IJobEscrow.Job memory j = escrow.job(jobId);
        assertEq(j.requester, requester);
        assertEq(j.shardCount, 3);
        assertEq(j.feeBps, FEE_BPS);
        assertEq(j.penaltyBps, PENALTY_BPS);
        assertEq(j.disputeWindow, 2 hours);
        assertEq(j.specHash, keccak256("s"));
        IJobEscrow.Shard memory s1 = escrow.shard(jobId, 1);
        assertEq(s1.providerId, pB);
        assertEq(s1.price, 2e18);
        assertTrue(s1.state == IJobEscrow.ShardState.Locked);
    }

    function test_Lock_RevertsOnBadShardCounts() public {
        uint64[] memory none = new uint64[](0);
        uint96[] memory noPrices = new uint96[](0);
        vm.startPrank(requester);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidShardCount.selector, 0, 0));
        escrow.lock(0, uint64(block.timestamp + 1), WINDOW, none, noPrices);
        (uint64[] memory ids,) = _uniform(pA, 2, PRICE);
        (, uint96[] memory three) = _uniform(pA, 3, PRICE);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidShardCount.selector, 2, 3));
        escrow.lock(0, uint64(block.timestamp + 1), WINDOW, ids, three);
        (uint64[] memory many, uint96[] memory manyPrices) = _uniform(pA, MAX_SHARDS + 1, 1);
        vm.expectPartialRevert(IJobEscrow.EscrowInvalidShardCount.selector);
        escrow.lock(0, uint64(block.timestamp + 1), WINDOW, many, manyPrices);
        vm.stopPrank();
    }

    function test_Lock_RevertsOnBadTerms() public {
        (uint64[] memory ids, uint96[] memory prices) = _uniform(pA, 2, PRICE);
        vm.startPrank(requester);
        token.approve(address(escrow), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidDeadline.selector, uint64(block.timestamp)));
        escrow.lock(0, uint64(block.timestamp), WINDOW, ids, prices);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidDisputeWindow.selector, MIN_WINDOW - 1));
        escrow.lock(0, uint64(block.timestamp + 1), MIN_WINDOW - 1, ids, prices);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidDisputeWindow.selector, MAX_WINDOW + 1));
        escrow.lock(0, uint64(block.timestamp + 1), MAX_WINDOW + 1, ids, prices);
        prices[1] = 0;
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowZeroPrice.selector, 1));
        escrow.lock(0, uint64(block.timestamp + 1), WINDOW, ids, prices);
        prices[1] = PRICE;
        ids[1] = 99;
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowProviderNotActive.selector, 99));
        escrow.lock(0, uint64(block.timestamp + 1), WINDOW, ids, prices);
        vm.stopPrank();
    }

    function test_Lock_RevertsForUnderbondedProvider() public {
        vm.prank(alice);
        registry.requestUnbond(PROVIDER_STAKE); // full exit: stake 0
        (uint64[] memory ids, uint96[] memory prices) = _uniform(pA, 1, PRICE);
        vm.startPrank(requester);
        token.approve(address(escrow), PRICE);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowProviderNotActive.selector, pA));
        escrow.lock(0, uint64(block.timestamp + 1), WINDOW, ids, prices);
        vm.stopPrank();
    }

    function test_Lock_RevertsWithoutAllowance() public {
        (uint64[] memory ids, uint96[] memory prices) = _uniform(pA, 1, PRICE);
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(escrow), 0, PRICE)
        );
        escrow.lock(0, uint64(block.timestamp + 1), WINDOW, ids, prices);
    }

    function test_LockWithPermit_NeedsNoApproveTransaction() public {
        (uint64[] memory ids, uint96[] memory prices) = _uniform(pA, 4, PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(requester, requesterKey, 4 * PRICE, deadline);
        assertEq(token.allowance(requester, address(escrow)), 0);
        vm.prank(requester);
        uint256 jobId = escrow.lockWithPermit(0, uint64(block.timestamp + 1 days), WINDOW, ids, prices, deadline, v, r, s);
        assertEq(escrow.job(jobId).shardCount, 4);
        assertEq(token.balanceOf(address(escrow)), 4 * PRICE);
        assertEq(token.allowance(requester, address(escrow)), 0);
        assertEq(token.nonces(requester), 1);
    }

    function test_LockWithPermit_SucceedsWhenPermitWasFrontRun() public {
        (uint64[] memory ids, uint96[] memory prices) = _uniform(pA, 2, PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(requester, requesterKey, 2 * PRICE, deadline);
        token.permit(requester, address(escrow), 2 * PRICE, deadline, v, r, s); // a griefer submits it first
        vm.prank(requester);
        escrow.lockWithPermit(0, uint64(block.timestamp + 1 days), WINDOW, ids, prices, deadline, v, r, s);
        assertEq(token.balanceOf(address(escrow)), 2 * PRICE);
    }

    function test_LockWithPermit_RevertsOnBadSignature() public {
        (uint64[] memory ids, uint96[] memory prices) = _uniform(pA, 2, PRICE);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(requester, requesterKey, PRICE, deadline); // signs too little
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowNotFunded.selector, 0, 2 * PRICE));
        escrow.lockWithPermit(0, uint64(block.timestamp + 1 days), WINDOW, ids, prices, deadline, v, r, s);
    }

    // ---------------------------------------------------------------- complete

    function test_Complete_RecordsResultHash() public {
        uint256 jobId = _lockUniform(pA, 2);
        vm.expectEmit(address(escrow));
        emit IJobEscrow.ShardCompleted(jobId, 1, pA, keccak256("r"));
        vm.prank(alice);
        escrow.complete(jobId, 1, keccak256("r"));
        IJobEscrow.Shard memory s = escrow.shard(jobId, 1);
        assertTrue(s.state == IJobEscrow.ShardState.Completed);
        assertEq(s.resultHash, keccak256("r"));
        assertEq(s.completedAt, block.timestamp);
        assertTrue(_state(jobId, 0) == IJobEscrow.ShardState.Locked);
    }

    function test_Complete_Reverts() public {
        uint256 jobId = _lockUniform(pA, 2);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowNotProvider.selector, jobId, 0, bob));
        escrow.complete(jobId, 0, keccak256("r"));
        vm.startPrank(alice);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowZeroResultHash.selector, 0));
        escrow.complete(jobId, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowUnknownJob.selector, 7));
        escrow.complete(7, 0, keccak256("r"));
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowUnknownShard.selector, jobId, 2));
        escrow.complete(jobId, 2, keccak256("r"));
        escrow.complete(jobId, 0, keccak256("r"));
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobEscrow.EscrowInvalidShardState.selector, jobId, 0, IJobEscrow.ShardState.Completed
            )
        );
        escrow.complete(jobId, 0, keccak256("r"));
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidBatch.selector, 2, 1));
        escrow.completeBatch(jobId, _indices(2), _hashes(1));
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidBatch.selector, 0, 0));
        escrow.completeBatch(jobId, _indices(0), _hashes(0));
        uint64 deadline = escrow.job(jobId).deadline;
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowDeadlinePassed.selector, jobId, deadline));
        escrow.complete(jobId, 1, keccak256("r"));
        vm.stopPrank();
    }

    function test_CompleteBatch_RevertsWhenOneShardIsAnotherProviders() public {
        uint64[] memory ids = new uint64[](2);
        (ids[0], ids[1]) = (pA, pB);
        (, uint96[] memory prices) = _uniform(pA, 2, PRICE);
        uint256 jobId = _lock(requester, ids, prices);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowNotProvider.selector, jobId, 1, alice));
        escrow.completeBatch(jobId, _indices(2), _hashes(2));
        assertTrue(_state(jobId, 0) == IJobEscrow.ShardState.Locked); // the whole batch reverted
    }

    // ---------------------------------------------------------------- accept / claim

    function test_Accept_PaysProviderFeeAndReward() public {
        uint256 jobId = _lockUniform(pA, 3);
        _completeAll(jobId, alice, 3);
        uint256 aliceBefore = token.balanceOf(alice);
        uint256 treasuryBefore = token.balanceOf(address(timelock));
        uint256 fee = uint256(PRICE) * FEE_BPS / 10_000;
        vm.expectEmit(address(escrow));
        emit IJobEscrow.ShardReleased(jobId, 1, pA, PRICE - fee, fee);
        vm.prank(requester);
        escrow.acceptBatch(jobId, _indices(3));
        assertEq(token.balanceOf(alice), aliceBefore + 3 * (PRICE - fee) + 3 * INITIAL_REWARD);
        assertEq(token.balanceOf(address(timelock)), treasuryBefore + 3 * fee);
        assertEq(escrow.totalLocked(), 0);
        assertEq(token.balanceOf(address(escrow)), 0);
        assertEq(registry.provider(pA).completed, 3);
        assertEq(registry.successRateBps(pA), 10_000);
        assertEq(rewardPool.totalPaid(), 3 * INITIAL_REWARD);
        for (uint256 i; i < 3; ++i) {
            assertTrue(_state(jobId, i) == IJobEscrow.ShardState.Released);
        }
    }

    function test_Accept_SingleShardIgnoresWindow() public {
        uint256 jobId = _lockUniform(pA, 2);
        _completeAll(jobId, alice, 2);
        vm.prank(requester);
        escrow.accept(jobId, 0);
        assertTrue(_state(jobId, 0) == IJobEscrow.ShardState.Released);
        assertTrue(_state(jobId, 1) == IJobEscrow.ShardState.Completed);
        assertEq(escrow.totalLocked(), PRICE);
    }

    function test_Accept_Reverts() public {
        uint256 jobId = _lockUniform(pA, 2);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowNotRequester.selector, jobId, stranger));
        escrow.accept(jobId, 0);
        vm.startPrank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(IJobEscrow.EscrowInvalidShardState.selector, jobId, 0, IJobEscrow.ShardState.Locked)
        );
        escrow.accept(jobId, 0);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidBatch.selector, 0, 0));
        escrow.acceptBatch(jobId, _indices(0));
        vm.stopPrank();
        _completeAll(jobId, alice, 2);
        vm.startPrank(requester);
        escrow.accept(jobId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobEscrow.EscrowInvalidShardState.selector, jobId, 0, IJobEscrow.ShardState.Released
            )
        );
        escrow.accept(jobId, 0); // never paid twice
        uint256[] memory dup = new uint256[](2); // the same shard twice in one batch
        (dup[0], dup[1]) = (1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobEscrow.EscrowInvalidShardState.selector, jobId, 1, IJobEscrow.ShardState.Released
            )
        );
        escrow.acceptBatch(jobId, dup);
        vm.stopPrank();
    }

    function test_Claim_AfterWindowByAnyone() public {
        uint256 jobId = _lockUniform(pA, 2);
        _completeAll(jobId, alice, 2);
        uint64 closesAt = uint64(block.timestamp) + WINDOW;
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowDisputeWindowOpen.selector, jobId, 0, closesAt));
        escrow.claim(jobId, 0);
        vm.warp(closesAt - 1);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowDisputeWindowOpen.selector, jobId, 0, closesAt));
        escrow.claimBatch(jobId, _indices(2));
        vm.warp(closesAt);
        uint256 before = token.balanceOf(alice);
        vm.prank(stranger);
        escrow.claimBatch(jobId, _indices(2));
        uint256 fee = uint256(PRICE) * FEE_BPS / 10_000;
        assertEq(token.balanceOf(alice), before + 2 * (PRICE - fee) + 2 * INITIAL_REWARD);
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobEscrow.EscrowInvalidShardState.selector, jobId, 0, IJobEscrow.ShardState.Released
            )
        );
        escrow.claim(jobId, 0);
    }

    function test_Claim_RevertsForLockedShard() public {
        uint256 jobId = _lockUniform(pA, 1);
        vm.warp(block.timestamp + 30 days);
        vm.expectRevert(
            abi.encodeWithSelector(IJobEscrow.EscrowInvalidShardState.selector, jobId, 0, IJobEscrow.ShardState.Locked)
        );
        escrow.claim(jobId, 0);
    }

    function test_Release_MixedProvidersPaysEachOwner() public {
        uint64 pC = _register(carol, PROVIDER_STAKE);
        uint64[] memory ids = new uint64[](5);
        (ids[0], ids[1], ids[2], ids[3], ids[4]) = (pA, pA, pB, pC, pA);
        (, uint96[] memory prices) = _uniform(pA, 5, PRICE);
        uint256 jobId = _lock(requester, ids, prices);
        uint256[] memory aIdx = new uint256[](3);
        (aIdx[0], aIdx[1], aIdx[2]) = (0, 1, 4);
        bytes32[] memory h3 = _hashes(3);
        vm.prank(alice);
        escrow.completeBatch(jobId, aIdx, h3);
        vm.prank(bob);
        escrow.complete(jobId, 2, keccak256("b"));
        vm.prank(carol);
        escrow.complete(jobId, 3, keccak256("c"));
        uint256 a0 = token.balanceOf(alice);
        uint256 b0 = token.balanceOf(bob);
        uint256 c0 = token.balanceOf(carol);
        vm.prank(requester);
        escrow.acceptBatch(jobId, _indices(5));
        uint256 net = PRICE - uint256(PRICE) * FEE_BPS / 10_000 + INITIAL_REWARD;
        assertEq(token.balanceOf(alice) - a0, 3 * net);
        assertEq(token.balanceOf(bob) - b0, net);
        assertEq(token.balanceOf(carol) - c0, net);
        assertEq(registry.provider(pA).completed, 3);
        assertEq(registry.provider(pB).completed, 1);
        assertEq(registry.provider(pC).completed, 1);
    }

    function test_Release_FeeSnapshottedAtLock() public {
        uint256 jobId = _lockUniform(pA, 1);
        vm.prank(address(timelock));
        escrow.setFeeBps(1_000);
        _completeAll(jobId, alice, 1);
        uint256 t0 = token.balanceOf(address(timelock));
        vm.prank(requester);
        escrow.accept(jobId, 0);
        assertEq(token.balanceOf(address(timelock)) - t0, uint256(PRICE) * FEE_BPS / 10_000);
    }

    function test_Release_EmptyRewardPoolStillPays() public {
        vm.prank(address(timelock));
        rewardPool.withdraw(address(timelock), REWARD_FUNDING);
        uint256 jobId = _lockUniform(pA, 1);
        _completeAll(jobId, alice, 1);
        uint256 a0 = token.balanceOf(alice);
        vm.prank(requester);
        escrow.accept(jobId, 0);
        assertEq(token.balanceOf(alice) - a0, PRICE - uint256(PRICE) * FEE_BPS / 10_000);
    }

    function test_Release_WithoutRewardPool() public {
        vm.prank(address(timelock));
        escrow.setRewardPool(address(0));
        uint256 jobId = _lockUniform(pA, 1);
        _completeAll(jobId, alice, 1);
        uint256 a0 = token.balanceOf(alice);
        vm.prank(requester);
        escrow.accept(jobId, 0);
        assertEq(token.balanceOf(alice) - a0, PRICE - uint256(PRICE) * FEE_BPS / 10_000);
        assertEq(rewardPool.totalPaid(), 0);
    }

    function test_Release_RevokedPoolRoleDoesNotBlockPayment() public {
        vm.startPrank(address(timelock));
        rewardPool.revokeRole(rewardPool.ESCROW_ROLE(), address(escrow));
        vm.stopPrank();
        uint256 jobId = _lockUniform(pA, 1);
        _completeAll(jobId, alice, 1);
        vm.prank(requester);
        escrow.accept(jobId, 0);
        assertTrue(_state(jobId, 0) == IJobEscrow.ShardState.Released);
        assertEq(rewardPool.totalPaid(), 0);
    }

    // ---------------------------------------------------------------- refund

    function test_RefundExpired_RefundsAndPenalizes() public {
        uint256 jobId = _lockUniform(pA, 3);
        vm.prank(alice);
        escrow.complete(jobId, 0, keccak256("r"));
        uint64 deadline = escrow.job(jobId).deadline;
        uint256[] memory late = new uint256[](2);
        (late[0], late[1]) = (1, 2);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowDeadlineNotPassed.selector, jobId, deadline));
        escrow.refundExpiredBatch(jobId, late);
        vm.warp(deadline + 1);
        uint256 r0 = token.balanceOf(requester);
        uint256 penalty = uint256(PRICE) * PENALTY_BPS / 10_000;
        vm.expectEmit(address(escrow));
        emit IJobEscrow.ShardRefunded(jobId, 2, requester, PRICE);
        vm.prank(stranger);
        escrow.refundExpiredBatch(jobId, late);
        assertEq(token.balanceOf(requester) - r0, 2 * PRICE + 2 * penalty);
        assertEq(registry.provider(pA).stake, PROVIDER_STAKE - 2 * penalty);
        assertEq(registry.provider(pA).failed, 2);
        assertEq(escrow.totalLocked(), PRICE);
        // the completed shard cannot be refunded
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobEscrow.EscrowInvalidShardState.selector, jobId, 0, IJobEscrow.ShardState.Completed
            )
        );
        escrow.refundExpired(jobId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IJobEscrow.EscrowInvalidShardState.selector, jobId, 1, IJobEscrow.ShardState.Refunded)
        );
        escrow.refundExpired(jobId, 1);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidBatch.selector, 0, 0));
        escrow.refundExpiredBatch(jobId, _indices(0));
    }

    function test_RefundExpired_PenaltyCappedByStake() public {
        (uint64[] memory ids, uint96[] memory prices) = _uniform(pA, 1, 100_000e18);
        uint256 jobId = _lock(requester, ids, prices);
        vm.warp(escrow.job(jobId).deadline + 1);
        uint256 r0 = token.balanceOf(requester);
        escrow.refundExpired(jobId, 0);
        assertEq(token.balanceOf(requester) - r0, 100_000e18 + PROVIDER_STAKE); // 20% of 100k > 5k stake
        assertEq(registry.slashableStake(pA), 0);
        assertEq(registry.successRateBps(pA), 0);
    }

    // ---------------------------------------------------------------- court hooks

    function test_CourtHooks_OnlyCourt() public {
        uint256 jobId = _lockUniform(pA, 1);
        _completeAll(jobId, alice, 1);
        bytes32 role = escrow.COURT_ROLE();
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role));
        escrow.openDispute(jobId, 0, requester);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, role));
        escrow.settleDispute(jobId, 0, 0);
        vm.stopPrank();
    }

    function test_CourtHooks_StateChecks() public {
        uint256 jobId = _lockUniform(pA, 2);
        vm.startPrank(address(court));
        vm.expectRevert(
            abi.encodeWithSelector(IJobEscrow.EscrowInvalidShardState.selector, jobId, 0, IJobEscrow.ShardState.Locked)
        );
        escrow.openDispute(jobId, 0, requester);
        vm.stopPrank();
        _completeAll(jobId, alice, 2);
        vm.startPrank(address(court));
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowNotParty.selector, jobId, 0, stranger));
        escrow.openDispute(jobId, 0, stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobEscrow.EscrowInvalidShardState.selector, jobId, 0, IJobEscrow.ShardState.Completed
            )
        );
        escrow.settleDispute(jobId, 0, 0);
        (address req, uint64 pid, address owner) = escrow.openDispute(jobId, 0, alice);
        assertEq(req, requester);
        assertEq(pid, pA);
        assertEq(owner, alice);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidShare.selector, 10_001));
        escrow.settleDispute(jobId, 0, 10_001);
        vm.warp(block.timestamp + WINDOW);
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobEscrow.EscrowDisputeWindowClosed.selector, jobId, 1, uint64(block.timestamp)
            )
        );
        escrow.openDispute(jobId, 1, requester);
        vm.stopPrank();
        // nothing is released while the dispute is open
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobEscrow.EscrowInvalidShardState.selector, jobId, 0, IJobEscrow.ShardState.Disputed
            )
        );
        escrow.claim(jobId, 0);
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobEscrow.EscrowInvalidShardState.selector, jobId, 0, IJobEscrow.ShardState.Disputed
            )
        );
        escrow.accept(jobId, 0);
        vm.warp(block.timestamp + 30 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                IJobEscrow.EscrowInvalidShardState.selector, jobId, 0, IJobEscrow.ShardState.Disputed
            )
        );
        escrow.refundExpired(jobId, 0);
    }

    function test_SettleDispute_Split() public {
        uint256 jobId = _lockUniform(pA, 1);
        _completeAll(jobId, alice, 1);
        vm.startPrank(address(court));
        escrow.openDispute(jobId, 0, requester);
        uint256 a0 = token.balanceOf(alice);
        uint256 r0 = token.balanceOf(requester);
        escrow.settleDispute(jobId, 0, 5_000);
        vm.stopPrank();
        uint256 half = uint256(PRICE) / 2;
        uint256 fee = half * FEE_BPS / 10_000;
        assertEq(token.balanceOf(alice) - a0, half - fee);
        assertEq(token.balanceOf(requester) - r0, half);
        assertTrue(_state(jobId, 0) == IJobEscrow.ShardState.Split);
        assertEq(registry.provider(pA).completed, 0);
        assertEq(escrow.totalLocked(), 0);
    }

    // ---------------------------------------------------------------- governance

    function test_Setters_OnlyGovernance() public {
        bytes32 admin = 0x00;
        vm.startPrank(stranger);
        bytes memory err =
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, admin);
        vm.expectRevert(err);
        escrow.setFeeBps(1);
        vm.expectRevert(err);
        escrow.setTreasury(stranger);
        vm.expectRevert(err);
        escrow.setDisputeWindowBounds(1, 2);
        vm.expectRevert(err);
        escrow.setPenaltyBps(1);
        vm.expectRevert(err);
        escrow.setMaxShardsPerJob(1);
        vm.expectRevert(err);
        escrow.setRewardPool(address(0));
        vm.stopPrank();
    }

    function test_Setters_ValidateAndEmit() public {
        vm.startPrank(address(timelock));
        vm.expectEmit(address(escrow));
        emit IJobEscrow.FeeSet(250);
        escrow.setFeeBps(250);
        assertEq(escrow.feeBps(), 250);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidParameter.selector, bytes32("feeBps"), 1_001));
        escrow.setFeeBps(1_001);
        escrow.setTreasury(stranger);
        assertEq(escrow.treasury(), stranger);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidParameter.selector, bytes32("treasury"), 0));
        escrow.setTreasury(address(0));
        escrow.setDisputeWindowBounds(10, 20);
        assertEq(escrow.minDisputeWindow(), 10);
        assertEq(escrow.maxDisputeWindow(), 20);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidParameter.selector, bytes32("disputeWindow"), 0));
        escrow.setDisputeWindowBounds(0, 20);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidParameter.selector, bytes32("disputeWindow"), 30));
        escrow.setDisputeWindowBounds(30, 20);
        vm.expectRevert(
            abi.encodeWithSelector(IJobEscrow.EscrowInvalidParameter.selector, bytes32("disputeWindow"), 91 days)
        );
        escrow.setDisputeWindowBounds(1, 91 days);
        escrow.setPenaltyBps(10_000);
        assertEq(escrow.penaltyBps(), 10_000);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidParameter.selector, bytes32("penaltyBps"), 10_001));
        escrow.setPenaltyBps(10_001);
        escrow.setMaxShardsPerJob(4_096);
        assertEq(escrow.maxShardsPerJob(), 4_096);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowInvalidParameter.selector, bytes32("maxShardsPerJob"), 0));
        escrow.setMaxShardsPerJob(0);
        vm.expectRevert(
            abi.encodeWithSelector(IJobEscrow.EscrowInvalidParameter.selector, bytes32("maxShardsPerJob"), 4_097)
        );
        escrow.setMaxShardsPerJob(4_097);
        escrow.setRewardPool(address(0));
        assertEq(escrow.rewardPool(), address(0));
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- fuzz

    /// @dev Any prices, fee and split of the job between accept, claim and refund: every shard is paid
    /// exactly once, to the right party, and the escrow ends empty.
    function testFuzz_LifecycleConservesValue(uint256 seed, uint8 nShards, uint16 fee) public {
        uint256 n = bound(nShards, 1, 24);
        fee = uint16(bound(fee, 0, 1_000));
        vm.prank(address(timelock));
        escrow.setFeeBps(fee);
        uint64[] memory ids = new uint64[](n);
        uint96[] memory prices = new uint96[](n);
        uint256 total;
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            ids[i] = r & 1 == 0 ? pA : pB;
            prices[i] = uint96(bound(r >> 8, 1, 1_000e18));
            total += prices[i];
        }
        uint256 jobId = _lock(requester, ids, prices);
        // each shard: 0 = accept, 1 = claim, 2 = let expire
        uint256 supply = token.totalSupply();
        uint256 r0 = token.balanceOf(requester);
        uint256 t0 = token.balanceOf(address(timelock));
        uint256 expectedFee;
        uint256 expectedRefund;
        for (uint256 i; i < n; ++i) {
            uint256 action = uint256(keccak256(abi.encode(seed, "a", i))) % 3;
            if (action == 2) {
                expectedRefund += prices[i];
                continue;
            }
            vm.prank(ids[i] == pA ? alice : bob);
            escrow.complete(jobId, i, keccak256(abi.encode(i)));
            expectedFee += uint256(prices[i]) * fee / 10_000;
            if (action == 0) {
                vm.prank(requester);
                escrow.accept(jobId, i);
            }
        }
        vm.warp(escrow.job(jobId).deadline + 1); // also past every completed shard's window
        for (uint256 i; i < n; ++i) {
            IJobEscrow.ShardState st = _state(jobId, i);
            if (st == IJobEscrow.ShardState.Completed) {
                escrow.claim(jobId, i);
            } else if (st == IJobEscrow.ShardState.Locked) {
                escrow.refundExpired(jobId, i);
            }
        }
        assertEq(escrow.totalLocked(), 0);
        assertEq(token.balanceOf(address(escrow)), 0);
        assertEq(token.balanceOf(address(timelock)) - t0, expectedFee);
        assertGe(token.balanceOf(requester) - r0, expectedRefund); // plus any penalties
        assertEq(token.totalSupply(), supply);
        for (uint256 i; i < n; ++i) {
            IJobEscrow.ShardState st = _state(jobId, i);
            assertTrue(st == IJobEscrow.ShardState.Released || st == IJobEscrow.ShardState.Refunded);
        }
        total; // silence
    }
}
