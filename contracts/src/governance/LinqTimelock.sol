// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title LinqTimelock
/// @notice OpenZeppelin TimelockController, named so its artifact and ABI are generated with the rest of
/// the project. It holds DEFAULT_ADMIN_ROLE on every LinqP2P contract and receives the protocol fee.
/// @dev Deploy with proposers = [] and executors = [address(0)] (anyone executes a ready operation), then
/// grant the governor PROPOSER_ROLE and CANCELLER_ROLE and renounce the deployer's admin role.
contract LinqTimelock is TimelockController {
    /// @param minDelay seconds between queueing and executing an operation
    /// @param proposers initial PROPOSER_ROLE (and CANCELLER_ROLE) holders
    /// @param executors initial EXECUTOR_ROLE holders (address(0): anyone)
    /// @param admin optional DEFAULT_ADMIN_ROLE holder for the set-up (renounce it afterwards)
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
