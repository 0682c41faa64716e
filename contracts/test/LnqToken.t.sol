// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "./utils/Fixture.sol";
import {LnqToken} from "../src/LnqToken.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

contract LnqTokenTest is Fixture {
    function test_Metadata() public view {
        assertEq(token.name(), "LinqP2P");
        assertEq(token.symbol(), "LNQ");
        assertEq(token.decimals(), 18);
        assertEq(token.cap(), CAP);
        assertEq(token.clock(), block.timestamp);
        assertEq(token.CLOCK_MODE(), "mode=timestamp");
    }

    function test_Mint_OnlyMinterUpToCap() public {
        bytes32 role = token.MINTER_ROLE();
        vm.prank(deployer);
        vm.expectRevert(abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, deployer, role));
        token.mint(deployer, 1);
        vm.startPrank(address(timelock));
        token.mint(stranger, 5e18);
        assertEq(token.balanceOf(stranger), 5e18);
        uint256 room = CAP - token.totalSupply();
        vm.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, CAP + 1, CAP));
        token.mint(stranger, room + 1);
        token.mint(stranger, room);
        vm.stopPrank();
        assertEq(token.totalSupply(), CAP);
    }

    function test_Constructor_RejectsBadCap() public {
        vm.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20InvalidCap.selector, 0));
        new LnqToken(deployer, deployer, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, 11, 10));
        new LnqToken(deployer, deployer, 11, 10);
    }

    function test_Permit() public {
        uint256 deadline = block.timestamp + 1;
        bytes32 typehash =
            keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                token.DOMAIN_SEPARATOR(),
                keccak256(abi.encode(typehash, requester, stranger, 7e18, 0, deadline))
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(requesterKey, digest);
        token.permit(requester, stranger, 7e18, deadline, v, r, s);
        assertEq(token.allowance(requester, stranger), 7e18);
        assertEq(token.nonces(requester), 1);
        vm.expectRevert(); // replay: the nonce moved on, so the recovered signer differs
        token.permit(requester, stranger, 7e18, deadline, v, r, s);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        token.permit(requester, stranger, 7e18, deadline, v, r, s);
    }

    function test_Votes_CheckpointedByTimestamp() public {
        assertEq(token.getVotes(requester), 0); // balances vote only once delegated
        vm.prank(requester);
        token.delegate(requester);
        uint256 t1 = block.timestamp;
        assertEq(token.getVotes(requester), ACTOR_FUNDS);
        vm.warp(t1 + 100);
        vm.prank(requester);
        token.transfer(stranger, 1e18);
        assertEq(token.getVotes(requester), ACTOR_FUNDS - 1e18);
        vm.warp(t1 + 200);
        assertEq(token.getPastVotes(requester, t1 + 50), ACTOR_FUNDS);
        assertEq(token.getPastVotes(requester, t1 + 150), ACTOR_FUNDS - 1e18);
        assertEq(token.getPastTotalSupply(t1 + 150), INITIAL_SUPPLY);
    }

    function testFuzz_TransferKeepsSupply(uint256 amount) public {
        amount = bound(amount, 0, ACTOR_FUNDS);
        vm.prank(requester);
        token.transfer(stranger, amount);
        assertEq(token.balanceOf(stranger), amount);
        assertEq(token.totalSupply(), INITIAL_SUPPLY);
    }
}
