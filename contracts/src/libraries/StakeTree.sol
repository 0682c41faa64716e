// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title StakeTree: stake-weighted random selection in O(log n)
/// @notice A Fenwick (binary indexed) tree over account slots 1..n. Node i stores the total weight of
/// slots (i - lowbit(i), i]. Adding or removing weight and drawing an account for a ticket in
/// [0, total) each touch at most ceil(log2 n) + 1 nodes. Slots are appended and never removed: an account
/// with zero weight simply can no longer be drawn.
library StakeTree {
    struct Tree {
        uint256 slots;
        uint256 total;
        mapping(uint256 slot => uint256) nodes;
        mapping(uint256 slot => address) accountAt;
        mapping(address account => uint256) slotOf;
    }

    /// @notice The ticket is not below the total weight.
    error StakeTreeTicketOutOfRange(uint256 ticket, uint256 total);

    /// @notice Adds `amount` to `account`'s weight, giving it a slot if it has none.
    function add(Tree storage t, address account, uint256 amount) internal {
        if (amount == 0) return;
        uint256 slot = t.slotOf[account];
        if (slot == 0) slot = _append(t, account);
        t.total += amount;
        uint256 n = t.slots;
        for (uint256 i = slot; i <= n; i += _lowbit(i)) {
            t.nodes[i] += amount;
        }
    }

    /// @notice Removes `amount` from `account`'s weight (reverts on underflow).
    function sub(Tree storage t, address account, uint256 amount) internal {
        if (amount == 0) return;
        uint256 slot = t.slotOf[account];
        t.total -= amount;
        uint256 n = t.slots;
        for (uint256 i = slot; i <= n; i += _lowbit(i)) {
            t.nodes[i] -= amount;
        }
    }

    /// @notice The account whose cumulative weight range [prefix(s-1), prefix(s)) contains `ticket`.
    function draw(Tree storage t, uint256 ticket) internal view returns (address) {
        if (ticket >= t.total) revert StakeTreeTicketOutOfRange(ticket, t.total);
        uint256 n = t.slots;
        uint256 step = 1;
        while (step <= n >> 1) {
            step <<= 1;
        }
        uint256 pos;
        for (; step > 0; step >>= 1) {
            uint256 next = pos + step;
            if (next <= n) {
                uint256 w = t.nodes[next];
                if (w <= ticket) {
                    pos = next;
                    ticket -= w;
                }
            }
        }
        return t.accountAt[pos + 1];
    }

    /// @notice `account`'s weight.
    function weightOf(Tree storage t, address account) internal view returns (uint256) {
        uint256 slot = t.slotOf[account];
        if (slot == 0) return 0;
        return _prefix(t, slot) - _prefix(t, slot - 1);
    }

    function _append(Tree storage t, address account) private returns (uint256 slot) {
        slot = ++t.slots;
        t.slotOf[account] = slot;
        t.accountAt[slot] = account;
        // The new slot weighs zero, so its node sums the existing slots it covers.
        uint256 covered = _prefix(t, slot - 1) - _prefix(t, slot - _lowbit(slot));
        if (covered != 0) t.nodes[slot] = covered;
    }

    function _prefix(Tree storage t, uint256 slot) private view returns (uint256 sum) {
        for (uint256 i = slot; i > 0; i -= _lowbit(i)) {
            sum += t.nodes[i];
        }
    }

    function _lowbit(uint256 i) private pure returns (uint256) {
        unchecked {
            return i & (~i + 1);
        }
    }
}
