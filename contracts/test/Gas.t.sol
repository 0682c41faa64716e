// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Fixture} from "./utils/Fixture.sol";

/// @notice Job lifecycles whose gas SPEC.md §2 tabulates. Run each with
/// `forge test --isolate --gas-report --match-test <name>`: --isolate makes every top-level call its own
/// transaction (cold storage, 21k intrinsic gas), as on chain.
contract GasTest is Fixture {
    uint64 internal pA;

    function setUp() public override {
        super.setUp();
        pA = _register(alice, PROVIDER_STAKE);
        vm.prank(requester);
        token.approve(address(escrow), type(uint256).max);
    }

    function _lockN(uint256 n) internal returns (uint256 jobId) {
        (uint64[] memory ids, uint96[] memory prices) = _uniform(pA, n, PRICE);
        vm.prank(requester);
        jobId = escrow.lock(keccak256("spec"), uint64(block.timestamp) + JOB_DURATION, WINDOW, ids, prices);
    }

    function test_Gas_OneShard_Accept() public {
        uint256 jobId = _lockN(1);
        vm.prank(alice);
        escrow.complete(jobId, 0, keccak256("r"));
        vm.prank(requester);
        escrow.accept(jobId, 0);
    }

    function test_Gas_OneShard_Claim() public {
        uint256 jobId = _lockN(1);
        vm.prank(alice);
        escrow.complete(jobId, 0, keccak256("r"));
        vm.warp(block.timestamp + WINDOW);
        vm.prank(alice);
        escrow.claim(jobId, 0);
    }

    function test_Gas_FiftyShards_Batch() public {
        uint256 jobId = _lockN(50);
        _completeAll(jobId, alice, 50);
        vm.prank(requester);
        escrow.acceptBatch(jobId, _indices(50));
    }

    function test_Gas_FiftyShards_BatchClaim() public {
        uint256 jobId = _lockN(50);
        _completeAll(jobId, alice, 50);
        vm.warp(block.timestamp + WINDOW);
        vm.prank(alice);
        escrow.claimBatch(jobId, _indices(50));
    }

    function test_Gas_FiftyShards_Single() public {
        uint256 jobId = _lockN(50);
        for (uint256 i; i < 50; ++i) {
            vm.prank(alice);
            escrow.complete(jobId, i, keccak256(abi.encode(i)));
        }
        for (uint256 i; i < 50; ++i) {
            vm.prank(requester);
            escrow.accept(jobId, i);
        }
    }
}
