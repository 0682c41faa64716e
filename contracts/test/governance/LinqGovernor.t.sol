// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "../utils/Fixture.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IDisputeCourt} from "../../src/interfaces/IDisputeCourt.sol";

contract LinqGovernorTest is Fixture {
    address internal voterA;
    address internal voterB;

    function setUp() public override {
        super.setUp();
        voterA = makeAddr("voterA");
        voterB = makeAddr("voterB");
        vm.startPrank(deployer);
        token.transfer(voterA, 5_000_000e18); // 5% of the supply: above the 4% quorum
        token.transfer(voterB, 1_000_000e18);
        vm.stopPrank();
        vm.prank(voterA);
        token.delegate(voterA);
        vm.prank(voterB);
        token.delegate(voterB);
        vm.warp(block.timestamp + 1); // the delegation checkpoints are in the past now
    }

    function _proposal(bytes memory data, address target)
        internal
        pure
        returns (address[] memory targets, uint256[] memory values, bytes[] memory calldatas)
    {
        targets = new address[](1);
        values = new uint256[](1);
        calldatas = new bytes[](1);
        targets[0] = target;
        calldatas[0] = data;
    }

    function test_ProposeVoteQueueExecute_ChangesEscrowFee() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) =
            _proposal(abi.encodeCall(escrow.setFeeBps, (250)), address(escrow));
        string memory description = "LIP-1: protocol fee 2.5%";
        bytes32 descriptionHash = keccak256(bytes(description));

        vm.prank(voterA);
        uint256 id = governor.propose(targets, values, calldatas, description);
        assertTrue(governor.state(id) == IGovernor.ProposalState.Pending);

        vm.warp(block.timestamp + VOTING_DELAY + 1);
        assertTrue(governor.state(id) == IGovernor.ProposalState.Active);
        vm.prank(voterA);
        governor.castVote(id, 1); // for
        vm.prank(voterB);
        governor.castVote(id, 0); // against
        (uint256 against, uint256 forVotes, uint256 abstain) = governor.proposalVotes(id);
        assertEq(forVotes, 5_000_000e18);
        assertEq(against, 1_000_000e18);
        assertEq(abstain, 0);

        vm.warp(block.timestamp + VOTING_PERIOD);
        assertTrue(governor.state(id) == IGovernor.ProposalState.Succeeded);
        governor.queue(targets, values, calldatas, descriptionHash);
        assertTrue(governor.state(id) == IGovernor.ProposalState.Queued);

        vm.expectRevert(); // the timelock delay has not passed
        governor.execute(targets, values, calldatas, descriptionHash);

        vm.warp(block.timestamp + TIMELOCK_DELAY);
        assertEq(escrow.feeBps(), FEE_BPS);
        governor.execute(targets, values, calldatas, descriptionHash);
        assertTrue(governor.state(id) == IGovernor.ProposalState.Executed);
        assertEq(escrow.feeBps(), 250);
    }

    function test_Proposal_ChangesCourtJurorCountAndSlash() public {
        IDisputeCourt.CourtParams memory p = defaultCourtParams();
        p.jurorCount = 7;
        p.slashBps = 3_000;
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) =
            _proposal(abi.encodeCall(court.setParameters, (p)), address(court));
        vm.prank(voterA);
        uint256 id = governor.propose(targets, values, calldatas, "LIP-2");
        vm.warp(block.timestamp + VOTING_DELAY + 1);
        vm.prank(voterA);
        governor.castVote(id, 1);
        vm.warp(block.timestamp + VOTING_PERIOD);
        governor.queue(targets, values, calldatas, keccak256("LIP-2"));
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        governor.execute(targets, values, calldatas, keccak256("LIP-2"));
        assertEq(court.parameters().jurorCount, 7);
        assertEq(court.parameters().slashBps, 3_000);
    }

    function test_Proposal_DefeatedWithoutQuorum() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) =
            _proposal(abi.encodeCall(registry.setMinStake, (1)), address(registry));
        vm.prank(voterA);
        uint256 id = governor.propose(targets, values, calldatas, "LIP-3");
        vm.warp(block.timestamp + VOTING_DELAY + 1);
        vm.prank(voterB); // 1% of the supply: below the 4% quorum
        governor.castVote(id, 1);
        vm.warp(block.timestamp + VOTING_PERIOD);
        assertTrue(governor.state(id) == IGovernor.ProposalState.Defeated);
        vm.expectRevert();
        governor.queue(targets, values, calldatas, keccak256("LIP-3"));
    }

    function test_Propose_RevertsBelowThreshold() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) =
            _proposal(abi.encodeCall(registry.setMinStake, (1)), address(registry));
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IGovernor.GovernorInsufficientProposerVotes.selector, stranger, 0, PROPOSAL_THRESHOLD)
        );
        governor.propose(targets, values, calldatas, "nope");
    }

    function test_ParametersAreOnlyReachableThroughTheTimelock() public {
        // not even the governor itself nor a large holder can call a setter directly
        bytes memory denied = abi.encodeWithSelector(
            IAccessControl.AccessControlUnauthorizedAccount.selector, address(governor), bytes32(0)
        );
        vm.startPrank(address(governor));
        vm.expectRevert(denied);
        escrow.setFeeBps(1);
        vm.expectRevert(denied);
        registry.setMinStake(1);
        vm.expectRevert(denied);
        rewardPool.setSchedule(1, 1, 1);
        vm.expectRevert(denied);
        court.setParameters(defaultCourtParams());
        vm.stopPrank();
    }
}
