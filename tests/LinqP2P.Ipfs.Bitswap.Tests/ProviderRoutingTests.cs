using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Ipfs.Pinning;
using LinqP2P.Ipfs.Routing;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Kad;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Bitswap.Tests;

/// <summary>Pinned roots announced in the Kad DHT; a fetch that knows no provider finds one with GET_PROVIDERS.</summary>
public sealed class ProviderRoutingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AFetchWithNoKnownPeer_FindsTheProviderThatAnnouncedItsPin_ThroughTheDht()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var provider = await RoutedNode.StartAsync();
        await using var middle = await RoutedNode.StartAsync();
        await using var requester = await RoutedNode.StartAsync();
        var content = TestContent.Bytes(3 * 1024 * 1024 + 9, 30);
        var root = (await new UnixFsImporter(provider.Store, ImportProfile.UnixFsV1_2025).ImportBytesAsync(content, cts.Token)).Cid;
        var unpinned = (await new UnixFsImporter(provider.Store, ImportProfile.UnixFsV1_2025).ImportBytesAsync(TestContent.Bytes(5000, 31), cts.Token)).Cid;
        provider.Pins.Add(root, PinKind.Recursive);
        // provider - middle - requester, the requester joining after the announcement: it has never
        // heard of the provider and holds no record for the root; only GET_PROVIDERS can lead it there.
        await provider.ConnectAsync(middle);
        Assert.Equal(1, await provider.Announcer.AnnounceNewPinsAsync(cts.Token));
        Assert.Equal([root], provider.Announcer.Announced);
        Assert.Equal(0, await provider.Announcer.AnnounceNewPinsAsync(cts.Token));
        // ADD_PROVIDER has no reply: wait for the record to land.
        await MisbehaviourTests.WaitUntilAsync(() => middle.Dht.Providers.Get(root.Hash.ToBytes()).Any(p => p.Peer == provider.PeerId), cts.Token);
        await requester.ConnectAsync(middle);
        Assert.DoesNotContain(requester.Host.Connections, c => c.RemotePeer == provider.PeerId);
        Assert.Empty(requester.Dht.Providers.Get(root.Hash.ToBytes()));

        var result = await requester.Bitswap.FetchDagAsync(root, [], null, cts.Token);

        Assert.Equal([provider.PeerId], result.BlocksByPeer.Keys);
        Assert.Equal(content, await FetchTests.ExportAsync(requester.Store, root, cts.Token));

        // Only pins are announced: the other DAG cannot be found, and the error says so.
        var e = await Assert.ThrowsAsync<BitswapFetchException>(() => requester.Bitswap.FetchDagAsync(unpinned, [], null, cts.Token));
        Assert.Equal("bitswap.fetch.not_found", e.Code);
        Assert.Contains("content routing named 0 provider(s)", e.Message);
    }

    [Fact]
    public async Task TheAnnouncerLoop_AnnouncesAPinAddedWhileItRuns_OnceItsRootIsStored()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var provider = await RoutedNode.StartAsync();
        await using var other = await RoutedNode.StartAsync();
        await provider.ConnectAsync(other);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var loop = provider.Announcer.RunAsync(TimeSpan.FromMilliseconds(100), stop.Token);
        var block = Block.Create(TestContent.Bytes(2000, 34), Multicodec.Raw, 1);

        // Pinned but not stored yet: not announced.
        provider.Pins.Add(block.Cid, PinKind.Direct);
        await Task.Delay(400, cts.Token);
        Assert.Empty(provider.Announcer.Announced);

        await provider.Store.PutAsync(block, cts.Token);
        await MisbehaviourTests.WaitUntilAsync(() => provider.Announcer.Announced.Count == 1, cts.Token);
        await MisbehaviourTests.WaitUntilAsync(() => other.Dht.Providers.Get(block.Cid.Hash.ToBytes()).Count == 1, cts.Token);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
    }

    [Fact]
    public async Task WithoutContentRouting_AFetchWithNoProviders_FailsAtOnce_SayingWhatToDo()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var node = await BitswapNode.StartAsync();
        var cid = Block.Create(TestContent.Bytes(100, 32), Multicodec.Raw, 1).Cid;

        var e = await Assert.ThrowsAsync<BitswapFetchException>(() => node.Bitswap.FetchDagAsync(cid, [], null, cts.Token));

        Assert.Equal("bitswap.fetch.not_found", e.Code);
        Assert.Contains("no content routing is set", e.Message);
    }

    [Fact]
    public async Task AProviderThatSaysDontHave_LeadsToADhtSearch_ThatFindsTheRealOne()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var provider = await RoutedNode.StartAsync();
        await using var empty = await RoutedNode.StartAsync();
        await using var requester = await RoutedNode.StartAsync();
        var content = TestContent.Bytes(1024 * 1024 + 1, 33);
        var root = (await new UnixFsImporter(provider.Store, ImportProfile.UnixFsV0_2015).ImportBytesAsync(content, cts.Token)).Cid;
        provider.Pins.Add(root, PinKind.Recursive);
        await provider.ConnectAsync(empty);
        Assert.Equal(1, await provider.Announcer.AnnounceNewPinsAsync(cts.Token));
        await MisbehaviourTests.WaitUntilAsync(() => empty.Dht.Providers.Get(root.Hash.ToBytes()).Count > 0, cts.Token);
        await requester.ConnectAsync(empty);

        // The caller names the wrong peer; it answers DONT_HAVE and the session turns to the DHT.
        var result = await requester.Bitswap.FetchDagAsync(root, [empty.PeerId], null, cts.Token);

        Assert.Equal([provider.PeerId], result.BlocksByPeer.Keys);
        Assert.Equal(content, await FetchTests.ExportAsync(requester.Store, root, cts.Token));
    }

    /// <summary>A loopback host running both the Kad DHT and Bitswap, joined by <see cref="KadContentRouting"/>.</summary>
    private sealed class RoutedNode : IAsyncDisposable
    {
        private readonly string _folder;

        private RoutedNode(Libp2pHost host, KadDht dht, BitswapService bitswap, MemoryBlockStore store, string folder)
        {
            Host = host;
            Dht = dht;
            Bitswap = bitswap;
            Store = store;
            _folder = folder;
            Pins = new PinStore(Path.Combine(folder, "pins.json"));
            Announcer = new ProviderAnnouncer(bitswap.ContentRouting!, Pins, store);
        }

        public Libp2pHost Host { get; }

        public KadDht Dht { get; }

        public BitswapService Bitswap { get; }

        public MemoryBlockStore Store { get; }

        public PinStore Pins { get; }

        public ProviderAnnouncer Announcer { get; }

        public PeerId PeerId => Host.PeerId;

        public static async Task<RoutedNode> StartAsync()
        {
            var host = new Libp2pHost(KeyPair.Generate());
            await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
            var dht = new KadDht(host, new KadOptions { RequestTimeout = TimeSpan.FromSeconds(5), LookupTimeout = TimeSpan.FromSeconds(10) });
            await dht.StartAsync(CancellationToken.None);
            var store = new MemoryBlockStore();
            var bitswap = new BitswapService(host, store, new BitswapOptions { DiscoveryTimeout = TimeSpan.FromSeconds(3) }) { ContentRouting = new KadContentRouting(dht) };
            await bitswap.StartAsync(CancellationToken.None);
            var folder = Path.Combine(Path.GetTempPath(), "bitswap-routing-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            return new RoutedNode(host, dht, bitswap, store, folder);
        }

        /// <summary>Dials <paramref name="other"/> and waits until each has the other in its DHT routing table.</summary>
        public async Task ConnectAsync(RoutedNode other)
        {
            await Host.DialAsync(other.Host.ListenAddresses[0].WithPeerId(other.PeerId), CancellationToken.None);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await MisbehaviourTests.WaitUntilAsync(() => Dht.RoutingTable.Contains(other.PeerId) && other.Dht.RoutingTable.Contains(PeerId), cts.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await Bitswap.DisposeAsync();
            await Dht.DisposeAsync();
            await Host.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
