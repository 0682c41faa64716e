// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "./utils/Fixture.sol";
import {IDisputeCourt} from "../src/interfaces/IDisputeCourt.sol";
import {IJobEscrow} from "../src/interfaces/IJobEscrow.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract DisputeCourtTest is Fixture {
    uint64 internal pA;
    uint256 internal jobId;

    function setUp() public override {
        super.setUp();
        pA = _register(alice, PROVIDER_STAKE);
        jobId = _lockUniform(pA, 4);
        _completeAll(jobId, alice, 4);
        _stakeJurors(MIN_JUROR_STAKE);
    }

    function _status(uint256 id) internal view returns (IDisputeCourt.DisputeStatus) {
        return court.dispute(id).status;
    }

    function _toVoting(address opener, uint256 shardIndex) internal returns (uint256 id) {
        id = _open(opener, jobId, shardIndex);
        _respond(id);
        _draw(id, bytes32(shardIndex));
    }

    function _seats(uint256 id, address j) internal view returns (uint256) {
        return court.vote(id, j).seats;
    }

    // ---------------------------------------------------------------- open / respond

    function test_Open_FreezesShardAndTakesBond() public {
        uint256 r0 = token.balanceOf(requester);
        vm.startPrank(requester);
        token.approve(address(court), DISPUTE_BOND);
        vm.expectEmit(address(court));
        emit IDisputeCourt.DisputeOpened(
            1, jobId, 2, requester, alice, DISPUTE_BOND, uint64(block.timestamp) + RESPOND_PERIOD
        );
        uint256 id = court.openDispute(jobId, 2);
        vm.stopPrank();
        assertEq(id, 1);
        assertEq(court.disputeCount(), 1);
        assertEq(court.disputeIdOf(jobId, 2), 1);
        assertEq(r0 - token.balanceOf(requester), DISPUTE_BOND);
        assertEq(court.bondsHeld(), DISPUTE_BOND);
        assertTrue(escrow.shard(jobId, 2).state == IJobEscrow.ShardState.Disputed);
        IDisputeCourt.Dispute memory d = court.dispute(id);
        assertEq(d.opener, requester);
        assertEq(d.respondent, alice);
        assertEq(d.requester, requester);
        assertEq(d.providerId, pA);
        assertEq(d.bond, DISPUTE_BOND);
        assertEq(d.seats, JUROR_COUNT);
        assertTrue(d.status == IDisputeCourt.DisputeStatus.AwaitingResponse);
    }

    function test_Open_Reverts() public {
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IJobEscrow.EscrowNotParty.selector, jobId, 0, stranger));
        court.openDispute(jobId, 0);
        vm.stopPrank();
        vm.warp(block.timestamp + WINDOW);
        vm.startPrank(requester);
        token.approve(address(court), DISPUTE_BOND);
        vm.expectRevert(
            abi.encodeWithSelector(IJobEscrow.EscrowDisputeWindowClosed.selector, jobId, 0, uint64(block.timestamp))
        );
        court.openDispute(jobId, 0);
        vm.stopPrank();
    }

    function test_Open_RevertsForSelfDealing() public {
        // alice hires herself
        (uint64[] memory ids, uint96[] memory prices) = _uniform(pA, 1, PRICE);
        uint256 own = _lock(alice, ids, prices);
        _completeAll(own, alice, 1);
        vm.startPrank(alice);
        token.approve(address(court), DISPUTE_BOND);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtSelfDispute.selector, own, 0));
        court.openDispute(own, 0);
        vm.stopPrank();
    }

    function _signPermit(uint256 key, address owner, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        bytes32 typehash =
            keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
        bytes32 structHash = keccak256(abi.encode(typehash, owner, address(court), value, token.nonces(owner), deadline));
        (v, r, s) = vm.sign(key, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
    }

    function test_OpenWithPermitAndRespondWithPermit() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _signPermit(requesterKey, requester, DISPUTE_BOND, deadline);
        vm.prank(requester);
        uint256 id = court.openDisputeWithPermit(jobId, 0, deadline, v, r, s);
        uint256 aliceKey = uint256(keccak256("alice")); // makeAddr derives the key from the name
        (v, r, s) = _signPermit(aliceKey, alice, DISPUTE_BOND, deadline);
        vm.prank(alice);
        court.respondWithPermit(id, deadline, v, r, s);
        assertEq(court.bondsHeld(), 2 * DISPUTE_BOND);
        assertEq(token.allowance(requester, address(court)), 0);
        assertEq(token.allowance(alice, address(court)), 0);
    }

    function test_Respond_CommitsDrawBlock() public {
        uint256 id = _open(requester, jobId, 0);
        vm.startPrank(alice);
        token.approve(address(court), DISPUTE_BOND);
        vm.expectEmit(address(court));
        emit IDisputeCourt.DisputeAnswered(id, alice, uint64(block.number) + DRAW_DELAY_BLOCKS);
        court.respond(id);
        vm.stopPrank();
        assertTrue(_status(id) == IDisputeCourt.DisputeStatus.AwaitingDraw);
        assertTrue(court.dispute(id).respondentBonded);
        assertEq(court.bondsHeld(), 2 * DISPUTE_BOND);
    }

    function test_Respond_Reverts() public {
        uint256 id = _open(requester, jobId, 0);
        uint256 id2 = _open(alice, jobId, 1); // the provider may open too
        vm.prank(requester);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtNotRespondent.selector, id, requester));
        court.respond(id);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtUnknownDispute.selector, 9));
        court.respond(9);
        uint64 deadline = court.dispute(id).respondDeadline;
        vm.warp(deadline + 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtResponsePeriodOver.selector, id, deadline));
        court.respond(id);
        vm.warp(court.dispute(id2).respondDeadline);
        _respond(id2);
        vm.prank(requester);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeCourt.CourtInvalidStatus.selector, id2, IDisputeCourt.DisputeStatus.AwaitingDraw
            )
        );
        court.respond(id2);
    }

    // ---------------------------------------------------------------- draw

    function test_Draw_PicksSeatsFromStakedJurorsOnly() public {
        uint256 id = _open(requester, jobId, 0);
        _respond(id);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtDrawTooEarly.selector, id, court.dispute(id).drawBlock)
        );
        court.drawJurors(id);
        _draw(id, "x");
        IDisputeCourt.Dispute memory d = court.dispute(id);
        assertTrue(d.status == IDisputeCourt.DisputeStatus.Voting);
        assertEq(d.commitDeadline, block.timestamp + COMMIT_PERIOD);
        assertEq(d.revealDeadline, block.timestamp + COMMIT_PERIOD + REVEAL_PERIOD);
        address[] memory p = court.panel(id);
        uint256 seats;
        for (uint256 i; i < p.length; ++i) {
            seats += _seats(id, p[i]);
            assertEq(court.juror(p[i]).activeDisputes, 1);
            assertTrue(p[i] != requester && p[i] != alice);
        }
        assertEq(seats, JUROR_COUNT);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtInvalidStatus.selector, id, IDisputeCourt.DisputeStatus.Voting)
        );
        court.drawJurors(id);
    }

    function test_Draw_RecommitsWhenHashExpired() public {
        uint256 id = _open(requester, jobId, 0);
        _respond(id);
        uint64 drawBlock = court.dispute(id).drawBlock;
        vm.roll(drawBlock + 257);
        vm.expectEmit(address(court));
        emit IDisputeCourt.DrawRecommitted(id, uint64(block.number) + DRAW_DELAY_BLOCKS);
        court.drawJurors(id);
        assertEq(court.dispute(id).drawBlock, block.number + DRAW_DELAY_BLOCKS);
        assertTrue(_status(id) == IDisputeCourt.DisputeStatus.AwaitingDraw);
        _draw(id, "y");
        assertTrue(_status(id) == IDisputeCourt.DisputeStatus.Voting);
    }

    function test_Draw_RevertsWithoutJurors() public {
        for (uint256 i; i < jurors.length; ++i) {
            vm.prank(jurors[i]);
            court.requestJurorWithdrawal(MIN_JUROR_STAKE);
        }
        assertEq(court.totalJurorWeight(), 0);
        uint256 id = _open(requester, jobId, 0);
        _respond(id);
        uint64 drawBlock = court.dispute(id).drawBlock;
        vm.roll(drawBlock + 1);
        vm.setBlockhash(drawBlock, keccak256("h"));
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtNotEnoughJurors.selector, id));
        court.drawJurors(id);
    }

    function test_Draw_NeverPicksTheParties() public {
        // only the two parties are jurors: the draw cannot fill a seat
        for (uint256 i; i < jurors.length; ++i) {
            vm.prank(jurors[i]);
            court.requestJurorWithdrawal(MIN_JUROR_STAKE);
        }
        address[2] memory parties = [requester, alice];
        for (uint256 i; i < 2; ++i) {
            vm.startPrank(parties[i]);
            token.approve(address(court), 100_000e18);
            court.stakeAsJuror(100_000e18);
            vm.stopPrank();
        }
        uint256 id = _open(requester, jobId, 0);
        _respond(id);
        uint64 drawBlock = court.dispute(id).drawBlock;
        vm.roll(drawBlock + 1);
        vm.setBlockhash(drawBlock, keccak256("h"));
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtNotEnoughJurors.selector, id));
        court.drawJurors(id);
        // one small independent juror: it gets every seat although the parties hold 99% of the stake
        vm.startPrank(jurors[0]);
        token.approve(address(court), MIN_JUROR_STAKE);
        court.stakeAsJuror(MIN_JUROR_STAKE);
        vm.stopPrank();
        court.drawJurors(id);
        address[] memory p = court.panel(id);
        assertEq(p.length, 1);
        assertEq(p[0], jurors[0]);
        assertEq(_seats(id, jurors[0]), JUROR_COUNT);
        // the parties' weight is back in the tree
        assertEq(court.totalJurorWeight(), 200_000e18 + MIN_JUROR_STAKE);
    }

    // ---------------------------------------------------------------- vote

    function test_Vote_CommitRevealFlow() public {
        uint256 id = _toVoting(requester, 0);
        address[] memory p = court.panel(id);
        address j = p[0];
        bytes32 c = court.commitmentOf(id, j, IDisputeCourt.Ruling.ProviderWins, _salt(j));
        vm.expectEmit(address(court));
        emit IDisputeCourt.VoteCommitted(id, j);
        vm.prank(j);
        court.commitVote(id, c);
        assertEq(court.tally(id).committed, _seats(id, j));
        if (p.length > 1) {
            // reveals are closed until the commit deadline or until every seat committed
            vm.prank(j);
            vm.expectRevert(
                abi.encodeWithSelector(IDisputeCourt.CourtRevealNotOpen.selector, id, court.dispute(id).commitDeadline)
            );
            court.revealVote(id, IDisputeCourt.Ruling.ProviderWins, _salt(j));
        }
        vm.warp(court.dispute(id).commitDeadline + 1);
        vm.expectEmit(address(court));
        emit IDisputeCourt.VoteRevealed(id, j, IDisputeCourt.Ruling.ProviderWins, uint16(_seats(id, j)));
        vm.prank(j);
        court.revealVote(id, IDisputeCourt.Ruling.ProviderWins, _salt(j));
        assertTrue(court.vote(id, j).revealed == IDisputeCourt.Ruling.ProviderWins);
        assertEq(court.tally(id).forProvider, _seats(id, j));
    }

    function test_Vote_Reverts() public {
        uint256 id = _toVoting(requester, 0);
        address[] memory p = court.panel(id);
        address j = p[0];
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtNotJuror.selector, id, stranger));
        court.commitVote(id, keccak256("c"));
        vm.startPrank(j);
        vm.expectRevert(IDisputeCourt.CourtZeroCommitment.selector);
        court.commitVote(id, 0);
        court.commitVote(id, court.commitmentOf(id, j, IDisputeCourt.Ruling.RequesterWins, _salt(j)));
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtAlreadyCommitted.selector, id, j));
        court.commitVote(id, keccak256("again"));
        vm.stopPrank();
        uint64 commitDeadline = court.dispute(id).commitDeadline;
        vm.warp(commitDeadline + 1);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtCommitPhaseOver.selector, id, commitDeadline));
        court.commitVote(id, keccak256("late"));
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtNotJuror.selector, id, stranger));
        court.revealVote(id, IDisputeCourt.Ruling.RequesterWins, 0);
        if (p.length > 1) {
            vm.prank(p[1]);
            vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtNotCommitted.selector, id, p[1]));
            court.revealVote(id, IDisputeCourt.Ruling.RequesterWins, _salt(p[1]));
        }
        vm.startPrank(j);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtInvalidRuling.selector, IDisputeCourt.Ruling.Split)
        );
        court.revealVote(id, IDisputeCourt.Ruling.Split, _salt(j));
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtCommitmentMismatch.selector, id, j));
        court.revealVote(id, IDisputeCourt.Ruling.ProviderWins, _salt(j));
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtCommitmentMismatch.selector, id, j));
        court.revealVote(id, IDisputeCourt.Ruling.RequesterWins, keccak256("wrong salt"));
        court.revealVote(id, IDisputeCourt.Ruling.RequesterWins, _salt(j));
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtAlreadyRevealed.selector, id, j));
        court.revealVote(id, IDisputeCourt.Ruling.RequesterWins, _salt(j));
        uint64 revealDeadline = court.dispute(id).revealDeadline;
        vm.warp(revealDeadline + 1);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtRevealPhaseOver.selector, id, revealDeadline));
        court.revealVote(id, IDisputeCourt.Ruling.RequesterWins, _salt(j));
        vm.stopPrank();
    }

    function test_Vote_RevertsBeforeDraw() public {
        uint256 id = _open(requester, jobId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeCourt.CourtInvalidStatus.selector, id, IDisputeCourt.DisputeStatus.AwaitingResponse
            )
        );
        court.commitVote(id, keccak256("c"));
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeCourt.CourtInvalidStatus.selector, id, IDisputeCourt.DisputeStatus.AwaitingResponse
            )
        );
        court.revealVote(id, IDisputeCourt.Ruling.RequesterWins, 0);
    }

    // ---------------------------------------------------------------- resolve

    function test_Resolve_RequesterWinsByJury() public {
        uint256 id = _toVoting(requester, 0);
        _unanimous(id, IDisputeCourt.Ruling.RequesterWins);
        address[] memory p = court.panel(id);
        uint256[] memory before = new uint256[](p.length);
        for (uint256 i; i < p.length; ++i) {
            before[i] = token.balanceOf(p[i]);
        }
        uint256 r0 = token.balanceOf(requester);
        uint256 a0 = token.balanceOf(alice);
        uint256 t0 = token.balanceOf(address(timelock));
        uint256 perSeat = uint256(DISPUTE_BOND) / JUROR_COUNT;
        vm.expectEmit(address(court));
        emit IDisputeCourt.DisputeResolved(id, IDisputeCourt.Ruling.RequesterWins, false, perSeat);
        vm.prank(stranger);
        court.resolve(id);

        uint256 slash = PROVIDER_STAKE * SLASH_BPS / 10_000;
        assertEq(token.balanceOf(requester) - r0, PRICE + slash + DISPUTE_BOND);
        assertEq(token.balanceOf(alice), a0); // lost the bond (already paid in) and got nothing
        assertEq(registry.provider(pA).stake, PROVIDER_STAKE - slash);
        assertEq(registry.provider(pA).disputesLost, 1);
        assertEq(registry.provider(pA).failed, 1);
        for (uint256 i; i < p.length; ++i) {
            assertEq(token.balanceOf(p[i]) - before[i], perSeat * _seats(id, p[i]));
            assertEq(court.juror(p[i]).activeDisputes, 0);
        }
        assertEq(token.balanceOf(address(timelock)) - t0, DISPUTE_BOND - perSeat * JUROR_COUNT); // dust
        assertTrue(escrow.shard(jobId, 0).state == IJobEscrow.ShardState.Refunded);
        IDisputeCourt.Dispute memory d = court.dispute(id);
        assertTrue(d.status == IDisputeCourt.DisputeStatus.Resolved);
        assertTrue(d.ruling == IDisputeCourt.Ruling.RequesterWins);
        assertEq(court.bondsHeld(), 0);
        assertEq(token.balanceOf(address(court)), court.totalJurorStake());
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtInvalidStatus.selector, id, IDisputeCourt.DisputeStatus.Resolved)
        );
        court.resolve(id);
    }

    function test_Resolve_ProviderWinsByJury() public {
        uint256 id = _toVoting(requester, 1);
        _unanimous(id, IDisputeCourt.Ruling.ProviderWins);
        uint256 r0 = token.balanceOf(requester);
        uint256 a0 = token.balanceOf(alice);
        court.resolve(id);
        uint256 fee = uint256(PRICE) * FEE_BPS / 10_000;
        assertEq(token.balanceOf(alice) - a0, PRICE - fee + INITIAL_REWARD + DISPUTE_BOND);
        assertEq(token.balanceOf(requester), r0);
        assertEq(registry.provider(pA).stake, PROVIDER_STAKE);
        assertEq(registry.provider(pA).completed, 1);
        assertEq(registry.provider(pA).disputesLost, 0);
        assertTrue(escrow.shard(jobId, 1).state == IJobEscrow.ShardState.Released);
    }

    function test_Resolve_MajorityRulesAndMinorityIsNotPaid() public {
        // find a draw with three distinct jurors, then vote 2 : 1
        uint256 id = _open(requester, jobId, 0);
        _respond(id);
        uint64 drawBlock = court.dispute(id).drawBlock;
        vm.roll(drawBlock + 1);
        for (uint256 e;; ++e) {
            uint256 snap = vm.snapshotState();
            vm.setBlockhash(drawBlock, keccak256(abi.encode(e)));
            court.drawJurors(id);
            if (court.panel(id).length == 3) break;
            vm.revertToState(snap);
        }
        address[] memory p = court.panel(id);
        _commit(id, p[0], IDisputeCourt.Ruling.ProviderWins);
        _commit(id, p[1], IDisputeCourt.Ruling.ProviderWins);
        _commit(id, p[2], IDisputeCourt.Ruling.RequesterWins);
        _reveal(id, p[0], IDisputeCourt.Ruling.ProviderWins);
        _reveal(id, p[1], IDisputeCourt.Ruling.ProviderWins);
        _reveal(id, p[2], IDisputeCourt.Ruling.RequesterWins);
        uint256 m0 = token.balanceOf(p[2]);
        uint256 w0 = token.balanceOf(p[0]);
        court.resolve(id);
        assertTrue(court.dispute(id).ruling == IDisputeCourt.Ruling.ProviderWins);
        assertEq(token.balanceOf(p[2]), m0);
        assertEq(token.balanceOf(p[0]) - w0, uint256(DISPUTE_BOND) / 2);
    }

    function test_Resolve_TieSplitsAndPenalizesNoShow() public {
        uint256 id = _open(requester, jobId, 0);
        _respond(id);
        uint64 drawBlock = court.dispute(id).drawBlock;
        vm.roll(drawBlock + 1);
        for (uint256 e;; ++e) {
            uint256 snap = vm.snapshotState();
            vm.setBlockhash(drawBlock, keccak256(abi.encode(e)));
            court.drawJurors(id);
            if (court.panel(id).length == 3) break;
            vm.revertToState(snap);
        }
        address[] memory p = court.panel(id);
        _commit(id, p[0], IDisputeCourt.Ruling.ProviderWins);
        _commit(id, p[1], IDisputeCourt.Ruling.RequesterWins);
        vm.warp(court.dispute(id).commitDeadline + 1);
        _reveal(id, p[0], IDisputeCourt.Ruling.ProviderWins);
        _reveal(id, p[1], IDisputeCourt.Ruling.RequesterWins);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtTooEarly.selector, id, court.dispute(id).revealDeadline)
        );
        court.resolve(id);
        vm.warp(court.dispute(id).revealDeadline + 1);
        uint256 r0 = token.balanceOf(requester);
        uint256 a0 = token.balanceOf(alice);
        uint256 j0 = token.balanceOf(p[0]);
        uint256 penalty = uint256(MIN_JUROR_STAKE) * NO_SHOW_BPS / 10_000;
        vm.expectEmit(address(court));
        emit IDisputeCourt.JurorPenalized(id, p[2], penalty);
        court.resolve(id);
        assertTrue(court.dispute(id).ruling == IDisputeCourt.Ruling.Split);
        uint256 half = uint256(PRICE) / 2;
        assertEq(token.balanceOf(requester) - r0, half + DISPUTE_BOND);
        assertEq(token.balanceOf(alice) - a0, half - half * FEE_BPS / 10_000 + DISPUTE_BOND);
        assertEq(court.juror(p[2]).stake, MIN_JUROR_STAKE - penalty);
        assertEq(token.balanceOf(p[0]) - j0, penalty / 2); // revealers share the no-show's penalty
        assertTrue(escrow.shard(jobId, 0).state == IJobEscrow.ShardState.Split);
        assertEq(registry.provider(pA).stake, PROVIDER_STAKE);
    }

    function test_Resolve_NoRevealsSplitsAndPenaltiesGoToTreasury() public {
        uint256 id = _toVoting(alice, 3);
        address[] memory p = court.panel(id);
        vm.warp(court.dispute(id).revealDeadline + 1);
        uint256 t0 = token.balanceOf(address(timelock));
        uint256 stakeBefore = court.totalJurorStake();
        court.resolve(id);
        uint256 penalties = stakeBefore - court.totalJurorStake();
        assertEq(penalties, p.length * (uint256(MIN_JUROR_STAKE) * NO_SHOW_BPS / 10_000));
        uint256 half = uint256(PRICE) / 2;
        assertEq(token.balanceOf(address(timelock)) - t0, penalties + half * FEE_BPS / 10_000);
        assertTrue(court.dispute(id).ruling == IDisputeCourt.Ruling.Split);
    }

    function test_Resolve_DefaultJudgmentForRequester() public {
        uint256 id = _open(requester, jobId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtTooEarly.selector, id, court.dispute(id).respondDeadline)
        );
        court.resolve(id);
        vm.warp(court.dispute(id).respondDeadline + 1);
        uint256 r0 = token.balanceOf(requester);
        vm.expectEmit(address(court));
        emit IDisputeCourt.DisputeResolved(id, IDisputeCourt.Ruling.RequesterWins, true, 0);
        court.resolve(id);
        uint256 slash = PROVIDER_STAKE * SLASH_BPS / 10_000;
        assertEq(token.balanceOf(requester) - r0, PRICE + slash + DISPUTE_BOND);
        assertEq(registry.provider(pA).disputesLost, 1);
        assertEq(court.bondsHeld(), 0);
    }

    function test_Resolve_DefaultJudgmentForProvider() public {
        uint256 id = _open(alice, jobId, 0);
        vm.warp(court.dispute(id).respondDeadline + 1);
        uint256 a0 = token.balanceOf(alice);
        court.resolve(id);
        assertTrue(court.dispute(id).ruling == IDisputeCourt.Ruling.ProviderWins);
        uint256 fee = uint256(PRICE) * FEE_BPS / 10_000;
        assertEq(token.balanceOf(alice) - a0, PRICE - fee + INITIAL_REWARD + DISPUTE_BOND);
    }

    function test_Resolve_Reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtUnknownDispute.selector, 1));
        court.resolve(1);
        uint256 id = _open(requester, jobId, 0);
        _respond(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IDisputeCourt.CourtInvalidStatus.selector, id, IDisputeCourt.DisputeStatus.AwaitingDraw
            )
        );
        court.resolve(id);
        _draw(id, "z");
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtTooEarly.selector, id, court.dispute(id).revealDeadline)
        );
        court.resolve(id);
    }

    // ---------------------------------------------------------------- jurors

    function test_JurorStake_WithdrawFlow() public {
        address j = jurors[0];
        vm.startPrank(j);
        token.approve(address(court), MIN_JUROR_STAKE);
        vm.expectEmit(address(court));
        emit IDisputeCourt.JurorStaked(j, MIN_JUROR_STAKE, 2 * MIN_JUROR_STAKE);
        court.stakeAsJuror(MIN_JUROR_STAKE);
        uint64 readyAt = uint64(block.timestamp) + JUROR_WITHDRAWAL_DELAY;
        vm.expectEmit(address(court));
        emit IDisputeCourt.JurorWithdrawalRequested(j, MIN_JUROR_STAKE, readyAt);
        court.requestJurorWithdrawal(MIN_JUROR_STAKE);
        assertEq(court.totalJurorWeight(), 5 * MIN_JUROR_STAKE);
        assertEq(court.totalJurorStake(), 6 * MIN_JUROR_STAKE);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtWithdrawalNotReady.selector, j, readyAt));
        court.withdrawJurorStake();
        vm.warp(readyAt);
        uint256 b0 = token.balanceOf(j);
        assertEq(court.withdrawJurorStake(), MIN_JUROR_STAKE);
        assertEq(token.balanceOf(j) - b0, MIN_JUROR_STAKE);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtNothingToWithdraw.selector, j));
        court.withdrawJurorStake();
        vm.stopPrank();
        assertEq(token.balanceOf(address(court)), 5 * MIN_JUROR_STAKE);
    }

    function test_JurorStake_Reverts() public {
        vm.startPrank(stranger);
        vm.expectRevert(IDisputeCourt.CourtZeroAmount.selector);
        court.stakeAsJuror(0);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtStakeBelowMinimum.selector, 1, MIN_JUROR_STAKE)
        );
        court.stakeAsJuror(1);
        vm.expectRevert(IDisputeCourt.CourtZeroAmount.selector);
        court.requestJurorWithdrawal(0);
        vm.stopPrank();
        address j = jurors[0];
        vm.startPrank(j);
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtInsufficientStake.selector, MIN_JUROR_STAKE + 1, MIN_JUROR_STAKE)
        );
        court.requestJurorWithdrawal(MIN_JUROR_STAKE + 1);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtStakeBelowMinimum.selector, 1, MIN_JUROR_STAKE));
        court.requestJurorWithdrawal(MIN_JUROR_STAKE - 1);
        vm.stopPrank();
    }

    function test_JurorStake_LockedWhileSitting() public {
        uint256 id = _toVoting(requester, 0);
        address j = court.panel(id)[0];
        vm.prank(j);
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtJurorBusy.selector, j, 1));
        court.requestJurorWithdrawal(MIN_JUROR_STAKE);
        _unanimous(id, IDisputeCourt.Ruling.ProviderWins);
        court.resolve(id);
        vm.prank(j);
        court.requestJurorWithdrawal(MIN_JUROR_STAKE);
    }

    // ---------------------------------------------------------------- governance

    function test_SetParameters() public {
        IDisputeCourt.CourtParams memory p = defaultCourtParams();
        p.jurorCount = 5;
        p.slashBps = 2_500;
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, bytes32(0))
        );
        court.setParameters(p);
        vm.prank(address(timelock));
        court.setParameters(p);
        assertEq(court.parameters().jurorCount, 5);
        assertEq(court.parameters().slashBps, 2_500);
        // an open dispute keeps its seat count
        uint256 id = _open(requester, jobId, 0);
        assertEq(court.dispute(id).seats, 5);
    }

    function test_SetParameters_Validation() public {
        vm.startPrank(address(timelock));
        IDisputeCourt.CourtParams memory p = defaultCourtParams();
        p.jurorCount = 4;
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtInvalidParameter.selector, bytes32("jurorCount"), 4));
        court.setParameters(p);
        p.jurorCount = 0;
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtInvalidParameter.selector, bytes32("jurorCount"), 0));
        court.setParameters(p);
        p.jurorCount = 33;
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtInvalidParameter.selector, bytes32("jurorCount"), 33));
        court.setParameters(p);
        p = defaultCourtParams();
        p.slashBps = 10_001;
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtInvalidParameter.selector, bytes32("slashBps"), 10_001)
        );
        court.setParameters(p);
        p = defaultCourtParams();
        p.noShowPenaltyBps = 10_001;
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtInvalidParameter.selector, bytes32("noShowPenaltyBps"), 10_001)
        );
        court.setParameters(p);
        p = defaultCourtParams();
        p.minJurorStake = 0;
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtInvalidParameter.selector, bytes32("minJurorStake"), 0)
        );
        court.setParameters(p);
        p = defaultCourtParams();
        p.respondPeriod = 0;
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtInvalidParameter.selector, bytes32("respondPeriod"), 0)
        );
        court.setParameters(p);
        p = defaultCourtParams();
        p.commitPeriod = 0;
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtInvalidParameter.selector, bytes32("commitPeriod"), 0));
        court.setParameters(p);
        p = defaultCourtParams();
        p.revealPeriod = 0;
        vm.expectRevert(abi.encodeWithSelector(IDisputeCourt.CourtInvalidParameter.selector, bytes32("revealPeriod"), 0));
        court.setParameters(p);
        p = defaultCourtParams();
        p.drawDelayBlocks = 0;
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtInvalidParameter.selector, bytes32("drawDelayBlocks"), 0)
        );
        court.setParameters(p);
        p.drawDelayBlocks = 201;
        vm.expectRevert(
            abi.encodeWithSelector(IDisputeCourt.CourtInvalidParameter.selector, bytes32("drawDelayBlocks"), 201)
        );
        court.setParameters(p);
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- fuzz

    /// @dev Any entropy, any stake distribution: the panel has exactly jurorCount seats, never a party,
    /// never a juror without drawable stake.
    function testFuzz_DrawFillsSeatsFromEligibleJurors(bytes32 entropy, uint256 s0, uint256 s1, uint256 s2) public {
        uint256[3] memory extra = [bound(s0, 0, 50_000e18), bound(s1, 0, 50_000e18), bound(s2, 0, 50_000e18)];
        for (uint256 i; i < 3; ++i) {
            if (extra[i] == 0) continue;
            vm.startPrank(jurors[i]);
            token.approve(address(court), extra[i]);
            court.stakeAsJuror(extra[i]);
            vm.stopPrank();
        }
        vm.prank(jurors[4]);
        court.requestJurorWithdrawal(MIN_JUROR_STAKE); // juror 4 is out of the draw
        uint256 id = _open(requester, jobId, 0);
        _respond(id);
        _draw(id, entropy);
        address[] memory p = court.panel(id);
        uint256 seats;
        for (uint256 i; i < p.length; ++i) {
            assertTrue(p[i] != jurors[4] && p[i] != requester && p[i] != alice);
            seats += _seats(id, p[i]);
        }
        assertEq(seats, JUROR_COUNT);
    }
}
