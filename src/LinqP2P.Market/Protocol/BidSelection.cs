using System.Numerics;

namespace LinqP2P.Market.Protocol;

/// <summary>A bid as the requester weighs it.</summary>
/// <param name="Provider">The provider's wallet address (text).</param>
/// <param name="ProviderId">Its registry id.</param>
/// <param name="PeerId">Its libp2p peer id (base58).</param>
/// <param name="Price">Asked price per shard (LNQ base units).</param>
/// <param name="MaxShards">Most shards it takes.</param>
/// <param name="SuccessRateBps">Its registry success rate, 0..10 000.</param>
/// <param name="Order">Arrival order, the last tie-break.</param>
public sealed record CandidateBid(string Provider, ulong ProviderId, string PeerId, BigInteger Price, int MaxShards, int SuccessRateBps, int Order);

/// <summary>One run to fill: copy <see cref="Copy"/> of shard <see cref="Shard"/>.</summary>
public readonly record struct ShardSlot(int Shard, int Copy);

public sealed record SlotAssignment(ShardSlot Slot, CandidateBid Bid);

/// <summary>
/// Chooses providers for shard runs (SPEC.md §7.4): bids above the offer's price are ignored; the rest are
/// ranked by price, then success rate, then arrival. Runs are spread so that no provider gets more than
/// its fair share while others still have room, every provider takes at most its <c>MaxShards</c>, and the
/// copies of one shard always go to distinct providers (and never to one excluded for that shard).
/// Pure and deterministic.
/// </summary>
public static class BidSelection
{
    public static IReadOnlyList<SlotAssignment> Choose(
        IReadOnlyList<ShardSlot> slots,
        IEnumerable<CandidateBid> bids,
        BigInteger maxPrice,
        Func<ShardSlot, string, bool>? excluded = null)
    {
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentNullException.ThrowIfNull(bids);
        var ranked = bids
            .Where(b => b.Price > 0 && b.Price <= maxPrice && b.MaxShards > 0)
            .GroupBy(b => b.Provider, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.OrderBy(b => b.Price).ThenBy(b => b.Order).First()) // one bid per provider: its best
            .OrderBy(b => b.Price).ThenByDescending(b => b.SuccessRateBps).ThenBy(b => b.Order)
            .ToList();
        var result = new List<SlotAssignment>();
        if (ranked.Count == 0 || slots.Count == 0)
        {
            return result;
        }
        var taken = ranked.ToDictionary(b => b, _ => 0);
        var perShard = new Dictionary<int, HashSet<string>>();
        var fairShare = (slots.Count + ranked.Count - 1) / ranked.Count;
        var open = new List<ShardSlot>(slots);
        // First pass honours the fair share; the second lets providers with room take what is left.
        foreach (var cap in new[] { fairShare, int.MaxValue })
        {
            foreach (var slot in open.ToList())
            {
                var used = perShard.TryGetValue(slot.Shard, out var set) ? set : perShard[slot.Shard] = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                var pick = ranked.FirstOrDefault(b =>
                    taken[b] < Math.Min(cap, b.MaxShards) && !used.Contains(b.Provider) && excluded?.Invoke(slot, b.Provider) != true);
                if (pick is null)
                {
                    continue;
                }
                taken[pick]++;
                used.Add(pick.Provider);
                result.Add(new SlotAssignment(slot, pick));
                open.Remove(slot);
            }
        }
        return result;
    }
}
