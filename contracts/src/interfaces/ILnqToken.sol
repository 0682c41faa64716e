// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {IERC5805} from "@openzeppelin/contracts/interfaces/IERC5805.sol";

/// @title LNQ, the LinqP2P settlement and governance token
/// @notice An ERC-20 with EIP-2612 permits (so a requester locks escrow in one transaction) and ERC-5805
/// vote checkpoints on a timestamp clock (L2 block numbers are irregular), with a hard supply cap.
/// @dev Minting past the constructor's initial supply is reserved to MINTER_ROLE (the timelock after
/// deployment) and can never exceed {cap}.
interface ILnqToken is IERC20, IERC20Permit, IERC5805 {
    /// @notice The hard cap on the total supply, in wei of LNQ (18 decimals).
    function cap() external view returns (uint256);

    /// @notice Mints `amount` to `to`. Only MINTER_ROLE; reverts with ERC20ExceededCap past the cap.
    function mint(address to, uint256 amount) external;

    /// @notice The role allowed to {mint}.
    function MINTER_ROLE() external view returns (bytes32);
}
