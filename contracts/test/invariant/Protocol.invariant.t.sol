// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "../utils/Fixture.sol";
import {ProtocolHandler} from "./ProtocolHandler.sol";
import {IJobEscrow} from "../../src/interfaces/IJobEscrow.sol";
import {IDisputeCourt} from "../../src/interfaces/IDisputeCourt.sol";

/// @notice Protocol-wide invariants under random traffic from {ProtocolHandler}.
contract ProtocolInvariantTest is Fixture {
    ProtocolHandler internal handler;
    address internal requester2;

    function setUp() public override {
        super.setUp();
        requester2 = makeAddr("requester2");
        vm.prank(deployer);
        token.transfer(requester2, ACTOR_FUNDS);
        _register(alice, PROVIDER_STAKE);
        _register(bob, PROVIDER_STAKE);
        _register(carol, 2 * PROVIDER_STAKE);
        _stakeJurors(MIN_JUROR_STAKE);
        // short court periods so that a run of a few dozen calls goes through whole disputes
        IDisputeCourt.CourtParams memory p = defaultCourtParams();
        (p.respondPeriod, p.commitPeriod, p.revealPeriod) = (2 hours, 1 hours, 1 hours);
        vm.prank(address(timelock));
        court.setParameters(p);
        address[] memory requesters = new address[](2);
        (requesters[0], requesters[1]) = (requester, requester2);
        address[] memory providers = new address[](3);
        (providers[0], providers[1], providers[2]) = (alice, bob, carol);
        handler = new ProtocolHandler(token, registry, escrow, court, requesters, providers);

        bytes4[] memory selectors = new bytes4[](16);
        selectors[0] = ProtocolHandler.lockJob.selector;
        selectors[1] = ProtocolHandler.complete.selector;
        selectors[2] = ProtocolHandler.accept.selector;
        selectors[3] = ProtocolHandler.claim.selector;
        selectors[4] = ProtocolHandler.refundExpired.selector;
        selectors[5] = ProtocolHandler.openDispute.selector;
        selectors[6] = ProtocolHandler.respond.selector;
        selectors[7] = ProtocolHandler.draw.selector;
        selectors[8] = ProtocolHandler.vote.selector;
        selectors[9] = ProtocolHandler.resolve.selector;
        selectors[10] = ProtocolHandler.topUp.selector;
        selectors[11] = ProtocolHandler.unbond.selector;
        selectors[12] = ProtocolHandler.withdrawUnbonded.selector;
        selectors[13] = ProtocolHandler.warp.selector;
        selectors[14] = ProtocolHandler.runDispute.selector;
        selectors[15] = ProtocolHandler.attack.selector;
        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev The handler is not vacuous: a pseudo-random walk of 600 actions reaches every action with its
    /// preconditions met (the counters only move when the action really ran), and the invariants hold after.
    function test_HandlerReachesEveryAction() public {
        for (uint256 i; i < 600; ++i) {
            uint256 r = uint256(keccak256(abi.encode("walk", i)));
            uint256 a = r % 14;
            uint8 b = uint8(r >> 8);
            uint256 c = r >> 16;
            if (a == 0) handler.lockJob(c, b, b);
            else if (a == 1) handler.complete(c, b);
            else if (a == 2) handler.accept(c);
            else if (a == 3) handler.claim(c);
            else if (a == 4) handler.refundExpired(c);
            else if (a == 5) handler.openDispute(c, b, b & 1 == 1);
            else if (a == 6) handler.respond(c);
            else if (a == 7) handler.draw(c, bytes32(c));
            else if (a == 8) handler.vote(c, c);
            else if (a == 9) handler.resolve(c);
            else if (a == 10) handler.topUp(b, c);
            else if (a == 11) handler.unbond(b, c);
            else if (a == 12) handler.withdrawUnbonded(b);
            else handler.warp(c % 1 days, b);
        }
        for (uint256 i; i < 5; ++i) {
            handler.lockJob(i, 3, 0);
            handler.complete(handler.jobCount() - 1, 0);
            handler.runDispute(i, uint256(keccak256(abi.encode(i))));
        }
        for (uint256 i; i < 8; ++i) {
            handler.attack(i, uint8(i));
        }
        bytes4[16] memory actions = [
            ProtocolHandler.lockJob.selector,
            ProtocolHandler.complete.selector,
            ProtocolHandler.accept.selector,
            ProtocolHandler.claim.selector,
            ProtocolHandler.refundExpired.selector,
            ProtocolHandler.openDispute.selector,
            ProtocolHandler.respond.selector,
            ProtocolHandler.draw.selector,
            ProtocolHandler.vote.selector,
            ProtocolHandler.resolve.selector,
            ProtocolHandler.topUp.selector,
            ProtocolHandler.unbond.selector,
            ProtocolHandler.withdrawUnbonded.selector,
            ProtocolHandler.warp.selector,
            ProtocolHandler.runDispute.selector,
            ProtocolHandler.attack.selector
        ];
        for (uint256 i; i < actions.length; ++i) {
            vm.assertGt(handler.calls(actions[i]), 0, string.concat("action never ran: ", vm_toString(i)));
        }
        invariant_LnqConserved();
        invariant_EscrowHoldsUnpaidShards();
        invariant_NoShardPaidTwice();
        invariant_NothingReleasedWhileDisputed();
        invariant_SlashNeverExceedsStake();
    }

    /// @dev Every LNQ is accounted for: the balances of all holders sum to the minted supply, and each
    /// contract holds exactly what its books say (escrow: locked payments; registry: stakes; court:
    /// juror stakes + bonds; reward pool: funding - paid).
    function invariant_LnqConserved() public view {
        address[] memory holders = _holders();
        uint256 sum = token.balanceOf(requester2);
        for (uint256 i; i < holders.length; ++i) {
            sum += token.balanceOf(holders[i]);
        }
        assertEq(sum, token.totalSupply(), "sum of balances != supply");
        assertEq(token.totalSupply(), INITIAL_SUPPLY, "supply changed");
        assertEq(token.balanceOf(address(escrow)), escrow.totalLocked(), "escrow books");
        assertEq(token.balanceOf(address(registry)), registry.totalStaked(), "registry books");
        assertEq(
            token.balanceOf(address(court)), court.totalJurorStake() + court.bondsHeld(), "court books"
        );
        assertEq(token.balanceOf(address(rewardPool)), REWARD_FUNDING - rewardPool.totalPaid(), "pool books");
    }

    /// @dev The escrow's locked total is exactly the price of every shard not yet paid out.
    function invariant_EscrowHoldsUnpaidShards() public view {
        uint256 unpaid;
        for (uint256 k; k < handler.jobCount(); ++k) {
            uint256 jobId = handler.jobs(k);
            uint256 n = escrow.job(jobId).shardCount;
            for (uint256 i; i < n; ++i) {
                IJobEscrow.Shard memory s = escrow.shard(jobId, i);
                if (
                    s.state == IJobEscrow.ShardState.Locked || s.state == IJobEscrow.ShardState.Completed
                        || s.state == IJobEscrow.ShardState.Disputed
                ) unpaid += s.price;
            }
        }
        assertEq(escrow.totalLocked(), unpaid, "locked != unpaid shards");
    }

    function invariant_NoShardPaidTwice() public view {
        assertLe(handler.maxPayouts(), 1, "a shard was paid out twice");
        assertFalse(handler.attackSucceeded(), "a settled or disputed shard was paid, refunded or re-completed");
    }

    /// @dev Nothing is released while a dispute is open: no payout event for a shard under an unresolved
    /// dispute, and every unresolved dispute's shard is frozen in the escrow.
    function invariant_NothingReleasedWhileDisputed() public view {
        assertFalse(handler.releasedWhileDisputed(), "payout during an open dispute");
        for (uint256 k; k < handler.disputeCount(); ++k) {
            IDisputeCourt.Dispute memory d = court.dispute(handler.disputes(k));
            IJobEscrow.ShardState st = escrow.shard(d.jobId, d.shardIndex).state;
            if (d.status != IDisputeCourt.DisputeStatus.Resolved) {
                assertTrue(st == IJobEscrow.ShardState.Disputed, "open dispute, shard not frozen");
            } else {
                assertTrue(
                    st == IJobEscrow.ShardState.Released || st == IJobEscrow.ShardState.Refunded
                        || st == IJobEscrow.ShardState.Split,
                    "resolved dispute, shard not settled"
                );
            }
        }
    }

    /// @dev A slash or penalty never takes more than the stake (nor more than its parameter allows), and
    /// the registry's total is the sum of the providers' stakes.
    function invariant_SlashNeverExceedsStake() public view {
        assertFalse(handler.slashExceededStake(), "slash beyond stake or parameter");
        uint64[] memory ids = handler.providerIds();
        uint256 sum;
        for (uint256 i; i < ids.length; ++i) {
            sum += registry.slashableStake(ids[i]);
        }
        assertEq(sum, registry.totalStaked(), "stakes do not add up");
        for (uint256 i; i < jurors.length; ++i) {
            IDisputeCourt.Juror memory j = court.juror(jurors[i]);
            assertLe(j.stake, MIN_JUROR_STAKE, "juror stake grew without a deposit");
        }
    }
}
