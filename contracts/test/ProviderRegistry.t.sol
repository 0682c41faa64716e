// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "./utils/Fixture.sol";
import {IProviderRegistry} from "../src/interfaces/IProviderRegistry.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

contract ProviderRegistryTest is Fixture {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    function test_Register_StoresProviderAndCapabilities() public {
        IProviderRegistry.Capabilities memory caps = _caps("alice");
        caps.tee = IProviderRegistry.TeeKind.IntelTdx;
        vm.startPrank(alice);
        token.approve(address(registry), PROVIDER_STAKE);
        vm.expectEmit(address(registry));
        emit IProviderRegistry.ProviderRegistered(1, alice, PROVIDER_STAKE, caps.peerId);
        uint64 id = registry.register(PROVIDER_STAKE, caps);
        vm.stopPrank();

        assertEq(id, 1);
        assertEq(registry.providerCount(), 1);
        assertEq(registry.providerIdOf(alice), 1);
        assertEq(registry.providerIdByPeerId(caps.peerId), 1);
        assertEq(registry.ownerOf(1), alice);
        assertEq(registry.totalStaked(), PROVIDER_STAKE);
        assertEq(token.balanceOf(address(registry)), PROVIDER_STAKE);
        assertTrue(registry.isActive(1));
        IProviderRegistry.Provider memory p = registry.provider(1);
        assertEq(p.stake, PROVIDER_STAKE);
        assertEq(p.registeredAt, block.timestamp);
        IProviderRegistry.Capabilities memory got = registry.capabilities(1);
        assertEq(got.cpuCores, 16);
        assertEq(got.memoryMiB, 65_536);
        assertEq(got.gpuModel, "RTX 4090");
        assertEq(got.gpuVramMiB, 24_576);
        assertEq(got.storageGiB, 2_000);
        assertEq(got.region, "eu-west");
        assertTrue(got.tee == IProviderRegistry.TeeKind.IntelTdx);
        assertEq(got.peerId, caps.peerId);
        assertEq(registry.successRateBps(1), 0);
    }

    function test_Register_Reverts() public {
        vm.startPrank(alice);
        token.approve(address(registry), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryStakeBelowMinimum.selector, MIN_STAKE - 1, MIN_STAKE)
        );
        registry.register(MIN_STAKE - 1, _caps("a"));
        IProviderRegistry.Capabilities memory caps = _caps("a");
        caps.peerId = "";
        vm.expectRevert(IProviderRegistry.RegistryInvalidPeerId.selector);
        registry.register(MIN_STAKE, caps);
        caps.peerId = new bytes(65);
        vm.expectRevert(IProviderRegistry.RegistryInvalidPeerId.selector);
        registry.register(MIN_STAKE, caps);
        registry.register(MIN_STAKE, _caps("a"));
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryAlreadyRegistered.selector, alice, 1));
        registry.register(MIN_STAKE, _caps("b"));
        vm.stopPrank();
        vm.startPrank(bob);
        token.approve(address(registry), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryPeerIdTaken.selector, 1));
        registry.register(MIN_STAKE, _caps("a"));
        vm.stopPrank();
    }

    function test_RegisterWithPermit() public {
        (address dave, uint256 key) = makeKey("dave");
        vm.prank(deployer);
        token.transfer(dave, MIN_STAKE);
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, dave, address(registry), MIN_STAKE, token.nonces(dave), deadline));
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(key, keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash)));
        vm.prank(dave);
        uint64 id = registry.registerWithPermit(MIN_STAKE, _caps("dave"), deadline, v, r, s);
        assertEq(registry.ownerOf(id), dave);
        assertEq(token.balanceOf(dave), 0);
    }

    function test_UpdateCapabilities_MovesPeerId() public {
        uint64 id = _register(alice, MIN_STAKE);
        bytes memory oldPeer = registry.capabilities(id).peerId;
        IProviderRegistry.Capabilities memory caps = _caps("new");
        caps.region = "us-east";
        vm.expectEmit(address(registry));
        emit IProviderRegistry.CapabilitiesUpdated(id, caps.peerId);
        vm.prank(alice);
        registry.updateCapabilities(caps);
        assertEq(registry.capabilities(id).region, "us-east");
        assertEq(registry.providerIdByPeerId(oldPeer), 0);
        assertEq(registry.providerIdByPeerId(caps.peerId), id);
        // same peer id again is fine; someone else's is not
        vm.prank(alice);
        registry.updateCapabilities(caps);
        uint64 idB = _register(bob, MIN_STAKE);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryPeerIdTaken.selector, id));
        registry.updateCapabilities(caps);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, stranger));
        registry.updateCapabilities(caps);
        idB;
    }

    function test_TopUp() public {
        uint64 id = _register(alice, MIN_STAKE);
        vm.startPrank(alice);
        token.approve(address(registry), 500e18);
        vm.expectEmit(address(registry));
        emit IProviderRegistry.StakeAdded(id, 500e18, MIN_STAKE + 500e18);
        registry.topUp(500e18);
        vm.expectRevert(IProviderRegistry.RegistryZeroAmount.selector);
        registry.topUp(0);
        vm.stopPrank();
        assertEq(registry.provider(id).stake, MIN_STAKE + 500e18);
        assertEq(registry.totalStaked(), MIN_STAKE + 500e18);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, stranger));
        registry.topUp(1);
    }

    function test_Unbond_DelayThenWithdraw() public {
        uint64 id = _register(alice, 3 * MIN_STAKE);
        vm.startPrank(alice);
        uint64 readyAt = uint64(block.timestamp) + UNBONDING_DELAY;
        vm.expectEmit(address(registry));
        emit IProviderRegistry.UnbondRequested(id, MIN_STAKE, MIN_STAKE, readyAt);
        registry.requestUnbond(MIN_STAKE);
        assertTrue(registry.isActive(id));
        assertEq(registry.slashableStake(id), 3 * MIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryUnbondingNotReady.selector, id, readyAt));
        registry.withdrawUnbonded();
        vm.warp(readyAt);
        uint256 before = token.balanceOf(alice);
        assertEq(registry.withdrawUnbonded(), MIN_STAKE);
        assertEq(token.balanceOf(alice) - before, MIN_STAKE);
        assertEq(registry.totalStaked(), 2 * MIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNothingUnbonding.selector, id));
        registry.withdrawUnbonded();
        vm.stopPrank();
    }

    function test_Unbond_Reverts() public {
        uint64 id = _register(alice, 2 * MIN_STAKE);
        vm.startPrank(alice);
        vm.expectRevert(IProviderRegistry.RegistryZeroAmount.selector);
        registry.requestUnbond(0);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryInsufficientStake.selector, 2 * MIN_STAKE + 1, 2 * MIN_STAKE)
        );
        registry.requestUnbond(2 * MIN_STAKE + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryStakeBelowMinimum.selector, MIN_STAKE - 1, MIN_STAKE)
        );
        registry.requestUnbond(MIN_STAKE + 1);
        // a full exit is allowed and makes the provider inactive
        registry.requestUnbond(2 * MIN_STAKE);
        assertFalse(registry.isActive(id));
        vm.stopPrank();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, stranger));
        registry.requestUnbond(1);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryNotRegistered.selector, stranger));
        registry.withdrawUnbonded();
    }

    function test_Unbond_NewRequestRestartsDelay() public {
        _register(alice, 3 * MIN_STAKE);
        vm.startPrank(alice);
        registry.requestUnbond(MIN_STAKE);
        vm.warp(block.timestamp + UNBONDING_DELAY - 1);
        registry.requestUnbond(MIN_STAKE);
        vm.warp(block.timestamp + 1);
        vm.expectPartialRevert(IProviderRegistry.RegistryUnbondingNotReady.selector);
        registry.withdrawUnbonded();
        vm.warp(block.timestamp + UNBONDING_DELAY);
        assertEq(registry.withdrawUnbonded(), 2 * MIN_STAKE);
        vm.stopPrank();
    }

    function test_Reputation_OnlyEscrowAndCourt() public {
        uint64 id = _register(alice, MIN_STAKE);
        bytes32 escrowRole = registry.ESCROW_ROLE();
        bytes32 courtRole = registry.COURT_ROLE();
        vm.startPrank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, escrowRole
            )
        );
        registry.recordCompleted(id, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, escrowRole
            )
        );
        registry.recordFailed(id, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, courtRole
            )
        );
        registry.recordDisputeLost(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, escrowRole
            )
        );
        registry.penalize(id, 1, stranger);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, courtRole
            )
        );
        registry.slash(id, 1, stranger);
        vm.stopPrank();
        // the escrow may not slash, the court may not penalize or record completions
        vm.prank(address(escrow));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(escrow), courtRole
            )
        );
        registry.slash(id, 1, stranger);
        vm.prank(address(court));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, address(court), escrowRole
            )
        );
        registry.recordCompleted(id, 1);
    }

    function test_Reputation_CountersAndSuccessRate() public {
        uint64 id = _register(alice, MIN_STAKE);
        vm.startPrank(address(escrow));
        registry.recordCompleted(id, 7);
        registry.recordFailed(id, 1);
        vm.expectRevert(abi.encodeWithSelector(IProviderRegistry.RegistryUnknownProvider.selector, 9));
        registry.recordCompleted(9, 1);
        vm.stopPrank();
        vm.prank(address(court));
        vm.expectEmit(address(registry));
        emit IProviderRegistry.DisputeLossRecorded(id);
        registry.recordDisputeLost(id);
        IProviderRegistry.Provider memory p = registry.provider(id);
        assertEq(p.completed, 7);
        assertEq(p.failed, 2);
        assertEq(p.disputesLost, 1);
        assertEq(registry.successRateBps(id), 7_777); // 7 / 9
    }

    function test_Slash_TakesBondedThenUnbonding() public {
        uint64 id = _register(alice, 3 * MIN_STAKE);
        vm.prank(alice);
        registry.requestUnbond(MIN_STAKE);
        vm.prank(address(court));
        vm.expectEmit(address(registry));
        emit IProviderRegistry.ProviderSlashed(id, 2_500e18, requester);
        uint256 taken = registry.slash(id, 2_500e18, requester);
        assertEq(taken, 2_500e18);
        IProviderRegistry.Provider memory p = registry.provider(id);
        assertEq(p.stake, 0);
        assertEq(p.unbonding, 500e18);
        assertEq(registry.totalStaked(), 500e18);
        assertEq(token.balanceOf(address(registry)), 500e18);
    }

    function test_Penalize_ZeroRecipientReverts() public {
        uint64 id = _register(alice, MIN_STAKE);
        vm.prank(address(escrow));
        vm.expectRevert(IProviderRegistry.RegistryZeroAddress.selector);
        registry.penalize(id, 1, address(0));
    }

    function testFuzz_SlashNeverExceedsStake(uint256 stake, uint256 unbond, uint256 amount) public {
        stake = bound(stake, MIN_STAKE, ACTOR_FUNDS);
        unbond = bound(unbond, 0, stake);
        if (stake - unbond != 0 && stake - unbond < MIN_STAKE) unbond = stake;
        amount = bound(amount, 0, 10 * ACTOR_FUNDS);
        uint64 id = _register(alice, stake);
        if (unbond > 0) {
            vm.prank(alice);
            registry.requestUnbond(unbond);
        }
        uint256 r0 = token.balanceOf(requester);
        vm.prank(address(court));
        uint256 taken = registry.slash(id, amount, requester);
        assertEq(taken, amount < stake ? amount : stake);
        assertEq(token.balanceOf(requester) - r0, taken);
        assertEq(registry.slashableStake(id), stake - taken);
        assertEq(registry.totalStaked(), token.balanceOf(address(registry)));
    }

    function test_Setters() public {
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, bytes32(0))
        );
        registry.setMinStake(1);
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, bytes32(0))
        );
        registry.setUnbondingDelay(1);
        vm.startPrank(address(timelock));
        vm.expectEmit(address(registry));
        emit IProviderRegistry.MinStakeSet(5e18);
        registry.setMinStake(5e18);
        assertEq(registry.minStake(), 5e18);
        vm.expectRevert(
            abi.encodeWithSelector(IProviderRegistry.RegistryInvalidParameter.selector, bytes32("minStake"), 0)
        );
        registry.setMinStake(0);
        registry.setUnbondingDelay(0);
        assertEq(registry.unbondingDelay(), 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IProviderRegistry.RegistryInvalidParameter.selector, bytes32("unbondingDelay"), 366 days
            )
        );
        registry.setUnbondingDelay(366 days);
        vm.stopPrank();
    }

    function test_MinStakeRaise_DeactivatesUntilTopUp() public {
        uint64 id = _register(alice, MIN_STAKE);
        vm.prank(address(timelock));
        registry.setMinStake(2 * MIN_STAKE);
        assertFalse(registry.isActive(id));
        vm.startPrank(alice);
        token.approve(address(registry), MIN_STAKE);
        registry.topUp(MIN_STAKE);
        vm.stopPrank();
        assertTrue(registry.isActive(id));
    }
}
