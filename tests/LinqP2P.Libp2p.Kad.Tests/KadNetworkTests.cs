using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Kad.Routing;
using LinqP2P.Libp2p.Streams;
using LinqP2P.Multiformats;

namespace LinqP2P.Libp2p.Kad.Tests;

/// <summary>
/// Several in-process C# DHT nodes on loopback: a line of nodes (each knows only its neighbour), so every
/// answer must come from an iterative lookup across real connections.
/// </summary>
public sealed class KadNetworkTests : IAsyncLifetime
{
    private readonly List<KadNode> _nodes = [];

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 6; i++)
        {
            _nodes.Add(await KadNode.StartAsync());
        }
        for (var i = 1; i < _nodes.Count; i++)
        {
            await _nodes[i].ConnectAsync(_nodes[i - 1]);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var n in _nodes)
        {
            await n.DisposeAsync();
        }
    }

    [Fact]
    public async Task FindPeer_FindsANodeSeveralHopsAway()
    {
        var first = _nodes[0];
        var last = _nodes[^1];
        Assert.False(first.Dht.RoutingTable.Contains(last.Id));
        var found = await first.Dht.FindPeerAsync(last.Id, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Contains(last.Host.ListenAddresses[0], found.Addresses);
        // The address is usable: the peer store now dials it by id.
        await first.Host.DialAsync(last.Id, CancellationToken.None);
    }

    [Fact]
    public async Task FindPeer_ReturnsNull_ForAPeerNobodyKnows()
    {
        var stranger = KeyPair.Generate().PeerId;
        Assert.Null(await _nodes[0].Dht.FindPeerAsync(stranger, CancellationToken.None));
    }

    [Fact]
    public async Task GetClosestPeers_ReturnsEveryOtherNode_SortedByXorDistance()
    {
        var key = "some key"u8.ToArray();
        var closest = await _nodes[2].Dht.GetClosestPeersAsync(key, CancellationToken.None);
        var target = KadKey.FromBytes(key);
        var expected = _nodes.Where(n => n != _nodes[2]).Select(n => n.Id)
            .OrderBy(p => KadKey.FromPeer(p), Comparer<KadKey>.Create(target.CompareDistance))
            .ToList();
        Assert.Equal(expected, closest);
    }

    [Fact]
    public async Task ProvidedCid_IsFoundByADistantNode_WithTheProviderAddresses()
    {
        var cid = Cid.V1(Multicodec.Raw, Multihash.Sha256("hello dht"u8));
        var told = await _nodes[0].Dht.ProvideAsync(cid, CancellationToken.None);
        Assert.True(told >= 1);
        var providers = new List<KadPeer>();
        await foreach (var p in _nodes[^1].Dht.FindProvidersAsync(cid, 5, CancellationToken.None))
        {
            providers.Add(p);
        }
        var provider = Assert.Single(providers);
        Assert.Equal(_nodes[0].Id, provider.Peer);
        Assert.Contains(_nodes[0].Host.ListenAddresses[0], provider.Addresses);
    }

    [Fact]
    public async Task FindProviders_StopsAtMax_AndIsEmptyForUnknownContent()
    {
        var cid = Cid.V1(Multicodec.Raw, Multihash.Sha256("popular"u8));
        foreach (var n in _nodes.Take(4))
        {
            await n.Dht.ProvideAsync(cid, CancellationToken.None);
        }
        var two = new List<KadPeer>();
        await foreach (var p in _nodes[^1].Dht.FindProvidersAsync(cid, 2, CancellationToken.None))
        {
            two.Add(p);
        }
        Assert.Equal(2, two.Select(p => p.Peer).Distinct().Count());
        var none = new List<KadPeer>();
        await foreach (var p in _nodes[^1].Dht.FindProvidersAsync(Cid.V1(Multicodec.Raw, Multihash.Sha256("nobody"u8)), 2, CancellationToken.None))
        {
            none.Add(p);
        }
        Assert.Empty(none);
    }

    [Fact]
    public async Task Bootstrap_FillsTheRoutingTableBeyondDirectNeighbours()
    {
        var size = await _nodes[0].Dht.BootstrapAsync(CancellationToken.None);
        Assert.Equal(_nodes.Count - 1, size);
    }

    [Fact]
    public async Task AddProvider_ForAnotherPeer_IsIgnored()
    {
        var cid = Cid.V1(Multicodec.Raw, Multihash.Sha256("forged"u8));
        var key = KadDht.MultihashBytes(cid);
        var forged = new KadMessage(KadMessageType.AddProvider, key, [], [new KadPeer(_nodes[3].Id, _nodes[3].Host.ListenAddresses)]);
        await _nodes[0].Dht.SendAsync(_nodes[1].Id, forged, expectResponse: false, CancellationToken.None);
        var honest = new KadMessage(KadMessageType.AddProvider, key, [], [new KadPeer(_nodes[0].Id, _nodes[0].Host.ListenAddresses)]);
        await _nodes[0].Dht.SendAsync(_nodes[1].Id, honest, expectResponse: false, CancellationToken.None);
        await KadNode.WaitUntil(() => _nodes[1].Dht.Providers.Get(key).Count > 0, "the provider record");
        Assert.Equal(_nodes[0].Id, Assert.Single(_nodes[1].Dht.Providers.Get(key)).Peer);
    }

    [Fact]
    public async Task AFloodOfRequests_IsCutOffByThePerPeerRateLimit()
    {
        var target = _nodes[1];
        await using var stream = await _nodes[0].Host.NewStreamAsync(target.Id, [KadDht.DefaultProtocolId], CancellationToken.None);
        var ping = KadMessageCodec.Encode(KadMessage.Request(KadMessageType.Ping, []));
        var answered = 0;
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await LengthPrefixed.WriteAsync(stream, ping, CancellationToken.None);
                var reply = await LengthPrefixed.ReadAsync(stream, 4096, CancellationToken.None) ?? throw new IOException("closed");
                answered++;
            }
        });
        Assert.InRange(answered, target.Dht.Options.MaxRequestBurstPerPeer, 100);
        Assert.True(target.Dht.RateLimited >= 1);
    }

    [Fact]
    public async Task PutValue_IsRefused_ButGetValueAnswersWithCloserPeers()
    {
        var get = await _nodes[0].Dht.SendAsync(_nodes[1].Id, KadMessage.Request(KadMessageType.GetValue, "/pk/x"u8.ToArray()), true, CancellationToken.None);
        Assert.NotNull(get);
        Assert.Null(get.RecordValue is { Length: > 0 } ? get.RecordValue : null);
        Assert.NotEmpty(get.CloserPeers);
        var put = new KadMessage(KadMessageType.PutValue, "/v/x"u8.ToArray(), [], [], "/v/x"u8.ToArray(), [1]);
        await Assert.ThrowsAnyAsync<Exception>(() => _nodes[0].Dht.SendAsync(_nodes[1].Id, put, true, CancellationToken.None));
    }
}
