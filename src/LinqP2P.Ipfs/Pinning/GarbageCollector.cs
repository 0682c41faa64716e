using LinqP2P.Ipfs.Blocks;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Pinning;

/// <summary>What a collection removed.</summary>
public sealed record GcResult(int BlocksRemoved, int BlocksKept);

/// <summary>
/// Mark and sweep: every block reachable from a recursive pin, and every directly pinned block, is kept;
/// all other blocks are deleted. Blocks are matched by multihash, as the store keys them. SPEC.md §6.
/// </summary>
public static class GarbageCollector
{
    public static async Task<GcResult> CollectAsync(IBlockStore store, PinStore pins, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(pins);
        var live = new HashSet<Multihash>();
        foreach (var pin in pins.List())
        {
            if (pin.Kind == PinKind.Direct)
            {
                live.Add(pin.Cid.Hash);
                continue;
            }
            var stack = new Stack<Cid>();
            stack.Push(pin.Cid);
            while (stack.Count > 0)
            {
                var cid = stack.Pop();
                if (!live.Add(cid.Hash))
                {
                    continue;
                }
                // A missing block of a pinned DAG is kept as "wanted": nothing below it can be marked, but
                // collection must not fail because of it.
                var block = await store.TryGetAsync(cid, cancellationToken);
                if (block is null)
                {
                    continue;
                }
                foreach (var link in DagLinks.Of(cid, block))
                {
                    stack.Push(link);
                }
            }
        }
        var removed = 0;
        var kept = 0;
        var all = new List<Cid>();
        await foreach (var cid in store.ListAsync(cancellationToken))
        {
            all.Add(cid);
        }
        foreach (var cid in all)
        {
            if (live.Contains(cid.Hash))
            {
                kept++;
            }
            else if (await store.DeleteAsync(cid, cancellationToken))
            {
                removed++;
            }
        }
        return new GcResult(removed, kept);
    }
}
