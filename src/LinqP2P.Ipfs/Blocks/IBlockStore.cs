using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Blocks;

/// <summary>
/// Content-addressed block storage. Blocks are keyed by multihash, so one stored block serves every CID
/// (v0, v1, any codec) with that hash. SPEC.md §6.
/// </summary>
public interface IBlockStore
{
    /// <summary>Stores a block (a no-op when present).</summary>
    Task PutAsync(Block block, CancellationToken cancellationToken = default);

    /// <summary>The verified bytes of <paramref name="cid"/>, or null when absent.</summary>
    Task<byte[]?> TryGetAsync(Cid cid, CancellationToken cancellationToken = default);

    Task<bool> HasAsync(Cid cid, CancellationToken cancellationToken = default);

    /// <summary>Removes the block; false when it was not there.</summary>
    Task<bool> DeleteAsync(Cid cid, CancellationToken cancellationToken = default);

    /// <summary>Every stored block as a CIDv1 with the raw codec (the store keeps hashes, not codecs).</summary>
    IAsyncEnumerable<Cid> ListAsync(CancellationToken cancellationToken = default);
}

public static class BlockStoreExtensions
{
    /// <summary>The verified bytes of <paramref name="cid"/>, or <see cref="BlockNotFoundException"/>.</summary>
    public static async Task<byte[]> GetAsync(this IBlockStore store, Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(cid);
        return await store.TryGetAsync(cid, cancellationToken) ?? throw new BlockNotFoundException(cid.ToString());
    }
}
