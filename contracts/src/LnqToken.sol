// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Votes} from "@openzeppelin/contracts/governance/utils/Votes.sol";
import {IERC6372} from "@openzeppelin/contracts/interfaces/IERC6372.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";
import {ILnqToken} from "./interfaces/ILnqToken.sol";

/// @title LnqToken
/// @notice See {ILnqToken}.
contract LnqToken is ERC20, ERC20Permit, ERC20Votes, ERC20Capped, AccessControl, ILnqToken {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    /// @param admin receives DEFAULT_ADMIN_ROLE and MINTER_ROLE (hand both to the timelock after deployment)
    /// @param initialHolder receives the initial supply
    /// @param initialSupply minted at construction, in wei of LNQ (reverts ERC20ExceededCap above the cap)
    /// @param cap_ hard cap on the total supply (reverts ERC20InvalidCap when zero)
    constructor(address admin, address initialHolder, uint256 initialSupply, uint256 cap_)
        ERC20("LinqP2P", "LNQ")
        ERC20Permit("LinqP2P")
        ERC20Capped(cap_)
    {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(MINTER_ROLE, admin);
        if (initialSupply > 0) _mint(initialHolder, initialSupply);
    }

    /// @inheritdoc ILnqToken
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Votes are checkpointed by timestamp: L2 block times are irregular.
    function clock() public view override(Votes, IERC6372) returns (uint48) {
        return Time.timestamp();
    }

    /// @notice ERC-6372 clock description.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override(Votes, IERC6372) returns (string memory) {
        return "mode=timestamp";
    }

    /// @inheritdoc ILnqToken
    function cap() public view override(ERC20Capped, ILnqToken) returns (uint256) {
        return super.cap();
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes, ERC20Capped) {
        super._update(from, to, value);
    }

    function nonces(address owner) public view override(ERC20Permit, Nonces, IERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }
}
