using System.Runtime.CompilerServices;
using LinqP2P.Ipfs.Bitswap;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Kad;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Routing;

/// <summary>
/// Bitswap's <see cref="IContentRouting"/> over the Kad DHT (SPEC.md §6.10 "Provider routing"): provide is
/// ADD_PROVIDER to the peers closest to the CID's multihash, find is an iterative GET_PROVIDERS lookup.
/// The DHT puts every provider's addresses in the peer store, so Bitswap can dial what it yields.
/// </summary>
public sealed class KadContentRouting(KadDht dht) : IContentRouting
{
    private readonly KadDht _dht = dht ?? throw new ArgumentNullException(nameof(dht));

    public Task<int> ProvideAsync(Cid cid, CancellationToken cancellationToken) => _dht.ProvideAsync(cid, cancellationToken);

    public async IAsyncEnumerable<PeerId> FindProvidersAsync(Cid cid, int max, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var provider in _dht.FindProvidersAsync(cid, max, cancellationToken))
        {
            yield return provider.Peer;
        }
    }
}
