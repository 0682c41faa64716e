using LinqP2P.Ipfs.DagPb;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Blocks;

/// <summary>The CIDs a block links to, for the codecs this store understands.</summary>
public static class DagLinks
{
    /// <summary>dag-pb blocks link to their children; raw blocks and other codecs are treated as leaves.</summary>
    public static IEnumerable<Cid> Of(Cid cid, ReadOnlySpan<byte> block)
    {
        ArgumentNullException.ThrowIfNull(cid);
        if (cid.Codec != Multicodec.DagPb)
        {
            return [];
        }
        return DagPbCodec.Decode(block).Links.Select(l => l.Hash).ToList();
    }

    /// <summary>Every CID reachable from <paramref name="root"/> (itself included), depth-first in link order, each once.</summary>
    public static async IAsyncEnumerable<(Cid Cid, byte[] Block)> WalkAsync(IBlockStore store, Cid root, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var seen = new HashSet<Cid>();
        var stack = new Stack<Cid>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var cid = stack.Pop();
            if (!seen.Add(cid))
            {
                continue;
            }
            var block = await store.GetAsync(cid, cancellationToken);
            yield return (cid, block);
            var links = Of(cid, block).ToList();
            for (var i = links.Count - 1; i >= 0; i--)
            {
                stack.Push(links[i]);
            }
        }
    }
}
