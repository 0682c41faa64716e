// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @title LinqP2P governor
/// @notice OpenZeppelin Governor voting with LNQ (ERC20Votes, timestamp clock), simple counting
/// (against/for/abstain), a quorum as a fraction of the past total supply, and execution through a
/// TimelockController that holds DEFAULT_ADMIN_ROLE on every LinqP2P contract: the only way to change a
/// protocol parameter is propose -> vote -> queue -> execute.
/// @dev Proposal flow (timestamps): propose at t; voting from t + votingDelay for votingPeriod; if
/// for > against and for + abstain >= quorum, queue() schedules the calls on the timelock; execute()
/// after the timelock's minDelay.
interface ILinqGovernor is IGovernor {
    /// @notice The timelock that executes proposals.
    function timelock() external view returns (address);

    /// @notice The voting token (LNQ).
    function token() external view returns (address);

    /// @notice Quorum numerator (quorum = numerator / 100 of the total supply at the snapshot).
    function quorumNumerator() external view returns (uint256);

    /// @notice Quorum denominator (100).
    function quorumDenominator() external view returns (uint256);

    /// @notice Sets the delay between a proposal and the start of its vote. Only through governance.
    function setVotingDelay(uint48 newVotingDelay) external;

    /// @notice Sets the length of a vote. Only through governance.
    function setVotingPeriod(uint32 newVotingPeriod) external;

    /// @notice Sets the votes needed to propose. Only through governance.
    function setProposalThreshold(uint256 newProposalThreshold) external;

    /// @notice Sets the quorum numerator. Only through governance.
    function updateQuorumNumerator(uint256 newQuorumNumerator) external;
}
