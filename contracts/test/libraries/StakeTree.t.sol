// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "../utils/Test.sol";
import {StakeTree} from "../../src/libraries/StakeTree.sol";

contract StakeTreeHarness {
    using StakeTree for StakeTree.Tree;

    StakeTree.Tree internal _t;

    function add(address a, uint256 w) external {
        _t.add(a, w);
    }

    function sub(address a, uint256 w) external {
        _t.sub(a, w);
    }

    function draw(uint256 ticket) external view returns (address) {
        return _t.draw(ticket);
    }

    function weightOf(address a) external view returns (uint256) {
        return _t.weightOf(a);
    }

    function total() external view returns (uint256) {
        return _t.total;
    }

    function slots() external view returns (uint256) {
        return _t.slots;
    }
}

contract StakeTreeTest is Test {
    StakeTreeHarness internal h;

    function setUp() public {
        h = new StakeTreeHarness();
    }

    function _acct(uint256 i) internal pure returns (address) {
        return address(uint160(0x1000 + i));
    }

    function test_DrawMapsTicketRangesToAccounts() public {
        h.add(_acct(1), 10);
        h.add(_acct(2), 0); // no slot for zero weight
        h.add(_acct(3), 5);
        h.add(_acct(4), 1);
        assertEq(h.slots(), 3);
        assertEq(h.total(), 16);
        assertEq(h.draw(0), _acct(1));
        assertEq(h.draw(9), _acct(1));
        assertEq(h.draw(10), _acct(3));
        assertEq(h.draw(14), _acct(3));
        assertEq(h.draw(15), _acct(4));
        vm.expectRevert(abi.encodeWithSelector(StakeTree.StakeTreeTicketOutOfRange.selector, 16, 16));
        h.draw(16);
        h.sub(_acct(3), 5);
        assertEq(h.draw(10), _acct(4));
        assertEq(h.weightOf(_acct(3)), 0);
        assertEq(h.weightOf(_acct(1)), 10);
    }

    function test_SubUnderflowReverts() public {
        h.add(_acct(1), 3);
        vm.expectRevert();
        h.sub(_acct(1), 4);
    }

    /// @dev Against a plain array model: weights, totals and the account of every ticket boundary.
    function testFuzz_MatchesLinearModel(uint256 seed, uint8 count) public {
        uint256 n = bound(count, 1, 40);
        uint256[] memory w = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            w[i] = uint256(keccak256(abi.encode(seed, i))) % 1_000 + 1;
            h.add(_acct(i), w[i]);
        }
        // a few updates, including removals to zero
        for (uint256 k; k < n; k += 3) {
            uint256 r = uint256(keccak256(abi.encode(seed, "u", k)));
            if (r & 1 == 0) {
                h.sub(_acct(k), w[k]);
                w[k] = 0;
            } else {
                h.add(_acct(k), r % 500);
                w[k] += r % 500;
            }
        }
        uint256 sum;
        for (uint256 i; i < n; ++i) {
            assertEq(h.weightOf(_acct(i)), w[i]);
            if (w[i] == 0) continue;
            assertEq(h.draw(sum), _acct(i)); // first ticket of i's range
            assertEq(h.draw(sum + w[i] - 1), _acct(i)); // last ticket
            sum += w[i];
        }
        assertEq(h.total(), sum);
    }
}
