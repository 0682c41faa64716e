using LinqP2P.Ipfs.Blocks;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Ipfs.Bitswap.Tests;

/// <summary>A real libp2p host on loopback with a Bitswap service over an in-memory blockstore.</summary>
internal sealed class BitswapNode : IAsyncDisposable
{
    private BitswapNode(Libp2pHost host, MemoryBlockStore store, BitswapService bitswap, Multiaddr address)
    {
        Host = host;
        Store = store;
        Bitswap = bitswap;
        Address = address;
    }

    public Libp2pHost Host { get; }

    public MemoryBlockStore Store { get; }

    public BitswapService Bitswap { get; }

    /// <summary>The listen address with /p2p/ID.</summary>
    public Multiaddr Address { get; }

    public PeerId PeerId => Host.PeerId;

    public static async Task<BitswapNode> StartAsync(BitswapOptions? options = null)
    {
        var host = new Libp2pHost(KeyPair.Generate());
        var address = (await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None)).WithPeerId(host.PeerId);
        var store = new MemoryBlockStore();
        var bitswap = new BitswapService(host, store, options ?? new BitswapOptions());
        await bitswap.StartAsync(CancellationToken.None);
        return new BitswapNode(host, store, bitswap, address);
    }

    /// <summary>Connects to <paramref name="other"/> so its address is known to the peer store.</summary>
    public Task ConnectAsync(BitswapNode other, CancellationToken cancellationToken) => Host.DialAsync(other.Address, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Bitswap.DisposeAsync();
        await Host.DisposeAsync();
    }
}
