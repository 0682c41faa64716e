// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "./utils/Fixture.sol";

/// @notice The fixture's deployment ends in the state SPEC.md §2 describes.
contract DeploymentTest is Fixture {
    bytes32 internal constant ADMIN = 0x00;

    function test_RolesAreWiredAndHandedToTheTimelock() public view {
        address tl = address(timelock);
        assertTrue(token.hasRole(ADMIN, tl));
        assertTrue(token.hasRole(token.MINTER_ROLE(), tl));
        assertTrue(registry.hasRole(ADMIN, tl));
        assertTrue(rewardPool.hasRole(ADMIN, tl));
        assertTrue(escrow.hasRole(ADMIN, tl));
        assertTrue(court.hasRole(ADMIN, tl));
        assertFalse(token.hasRole(ADMIN, deployer));
        assertFalse(token.hasRole(token.MINTER_ROLE(), deployer));
        assertFalse(registry.hasRole(ADMIN, deployer));
        assertFalse(rewardPool.hasRole(ADMIN, deployer));
        assertFalse(escrow.hasRole(ADMIN, deployer));
        assertFalse(court.hasRole(ADMIN, deployer));
        assertFalse(timelock.hasRole(ADMIN, deployer));
        assertTrue(timelock.hasRole(ADMIN, tl));
        assertTrue(registry.hasRole(registry.ESCROW_ROLE(), address(escrow)));
        assertTrue(registry.hasRole(registry.COURT_ROLE(), address(court)));
        assertTrue(escrow.hasRole(escrow.COURT_ROLE(), address(court)));
        assertTrue(rewardPool.hasRole(rewardPool.ESCROW_ROLE(), address(escrow)));
        assertTrue(timelock.hasRole(timelock.PROPOSER_ROLE(), address(governor)));
        assertTrue(timelock.hasRole(timelock.CANCELLER_ROLE(), address(governor)));
        assertTrue(timelock.hasRole(timelock.EXECUTOR_ROLE(), address(0)));
    }

    function test_AddressesAndParameters() public view {
        assertEq(escrow.token(), address(token));
        assertEq(escrow.registry(), address(registry));
        assertEq(escrow.rewardPool(), address(rewardPool));
        assertEq(escrow.treasury(), address(timelock));
        assertEq(court.escrow(), address(escrow));
        assertEq(court.registry(), address(registry));
        assertEq(court.token(), address(token));
        assertEq(governor.timelock(), address(timelock));
        assertEq(address(governor.token()), address(token));
        assertEq(token.cap(), CAP);
        assertEq(token.totalSupply(), INITIAL_SUPPLY);
        assertEq(token.balanceOf(address(rewardPool)), REWARD_FUNDING);
        assertEq(registry.minStake(), MIN_STAKE);
        assertEq(escrow.feeBps(), FEE_BPS);
        assertEq(court.parameters().jurorCount, JUROR_COUNT);
        assertEq(governor.votingDelay(), VOTING_DELAY);
        assertEq(governor.votingPeriod(), VOTING_PERIOD);
        assertEq(governor.quorumNumerator(), QUORUM_PERCENT);
        assertEq(timelock.getMinDelay(), TIMELOCK_DELAY);
        assertEq(token.CLOCK_MODE(), "mode=timestamp");
    }
}
