using LinqP2P.Libp2p.Identity;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Bitswap;

/// <summary>
/// Where content can be found (SPEC.md §6.10 "Provider routing"). Bitswap only consumes this: a fetch
/// session with no peer that has its root asks <see cref="FindProvidersAsync"/>. The Kad DHT
/// implementation lives in LinqP2P.Ipfs.Routing, so Bitswap and Kad never reference each other.
/// </summary>
public interface IContentRouting
{
    /// <summary>Announces that this node provides <paramref name="cid"/>. Returns how many peers were told.</summary>
    Task<int> ProvideAsync(Cid cid, CancellationToken cancellationToken);

    /// <summary>
    /// Streams up to <paramref name="max"/> peers that announced <paramref name="cid"/>, as they are found.
    /// Their addresses are in the host's peer store when the enumeration yields them.
    /// </summary>
    IAsyncEnumerable<PeerId> FindProvidersAsync(Cid cid, int max, CancellationToken cancellationToken);
}
