using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Blocks;

/// <summary>A blockstore in memory, for tests and for dry runs (computing a CID without keeping blocks).</summary>
public sealed class MemoryBlockStore : IBlockStore
{
    private readonly ConcurrentDictionary<Multihash, byte[]> _blocks = new();
    private readonly bool _discard;

    /// <param name="discard">When true nothing is kept: useful to compute CIDs only.</param>
    public MemoryBlockStore(bool discard = false)
    {
        _discard = discard;
    }

    public int Count => _blocks.Count;

    public long TotalBytes => _blocks.Values.Sum(b => (long)b.Length);

    public Task PutAsync(Block block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (!_discard)
        {
            _blocks.TryAdd(block.Cid.Hash, block.Data.ToArray());
        }
        return Task.CompletedTask;
    }

    public Task<byte[]?> TryGetAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        return Task.FromResult(_blocks.TryGetValue(cid.Hash, out var b) ? b : null);
    }

    public Task<bool> HasAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        return Task.FromResult(_blocks.ContainsKey(cid.Hash));
    }

    public Task<bool> DeleteAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        return Task.FromResult(_blocks.TryRemove(cid.Hash, out _));
    }

    public async IAsyncEnumerable<Cid> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var hash in _blocks.Keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Cid.V1(Multicodec.Raw, hash);
        }
        await Task.CompletedTask;
    }
}
