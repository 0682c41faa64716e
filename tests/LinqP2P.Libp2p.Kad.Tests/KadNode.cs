using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Kad.Tests;

/// <summary>An in-process host on loopback with a started DHT.</summary>
internal sealed class KadNode : IAsyncDisposable
{
    private KadNode(Libp2pHost host, KadDht dht)
    {
        Host = host;
        Dht = dht;
    }

    public Libp2pHost Host { get; }

    public KadDht Dht { get; }

    public PeerId Id => Host.PeerId;

    public Multiaddr Address => Host.ListenAddresses[0].WithPeerId(Host.PeerId);

    public static async Task<KadNode> StartAsync(KadOptions? options = null, KeyPair? key = null)
    {
        var host = new Libp2pHost(key ?? KeyPair.Generate());
        await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        var dht = new KadDht(host, options ?? new KadOptions { RequestTimeout = TimeSpan.FromSeconds(5) });
        await dht.StartAsync(CancellationToken.None);
        return new KadNode(host, dht);
    }

    /// <summary>Dials <paramref name="other"/> and waits until each side has the other in its routing table (when both are servers).</summary>
    public async Task ConnectAsync(KadNode other, bool waitForTables = true)
    {
        await Host.DialAsync(other.Address, CancellationToken.None);
        if (waitForTables)
        {
            await WaitUntil(() => Dht.RoutingTable.Contains(other.Id) && other.Dht.RoutingTable.Contains(Id), "routing tables to fill from identify");
        }
    }

    public static async Task WaitUntil(Func<bool> condition, string what, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }
            await Task.Delay(25);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Dht.DisposeAsync();
        await Host.DisposeAsync();
    }
}
