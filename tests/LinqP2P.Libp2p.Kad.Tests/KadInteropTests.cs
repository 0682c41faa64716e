using System.Text.Json;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Multiformats;
using LinqP2P.TestKit;

namespace LinqP2P.Libp2p.Kad.Tests;

/// <summary>
/// The C# DHT against the real js-libp2p @libp2p/kad-dht 16.4.5 over TCP + Noise + Yamux on loopback.
/// A ring C1 — J0 — J1 — C0 — C1: each node knows one peer of each kind, so a lookup for a node two hops
/// away is answered by the other implementation. (js only follows peers closer to the target than the
/// peer that named them, so a longer line may stop early on the js side by design.)
/// </summary>
public sealed class KadInteropTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private JsPeer _js = null!;
    private readonly List<KadNode> _cs = [];
    private string[] _jsIds = [];
    private string[] _jsAddrs = [];
    private int _nextId;

    public async Task InitializeAsync()
    {
        _js = await JsPeer.StartAsync("kad-peer.mjs", ["--nodes", "2"]);
        var nodes = _js.Ready.GetProperty("nodes").EnumerateArray().ToArray();
        _jsIds = nodes.Select(n => n.GetProperty("peerId").GetString()!).ToArray();
        _jsAddrs = nodes.Select(n => Multiaddr.Parse(n.GetProperty("addrs")[0].GetString()!).WithPeerId(PeerId.Parse(n.GetProperty("peerId").GetString()!)).ToString()).ToArray();
        _cs.Add(await KadNode.StartAsync());
        _cs.Add(await KadNode.StartAsync());
        // A ring C1 — J0 — J1 — C0 — C1: C0 dials J1 (C# dials js), J0 dials C1 (js dials C#).
        await _cs[0].Host.DialAsync(Multiaddr.Parse(_jsAddrs[1]), CancellationToken.None);
        await CommandAsync(new { cmd = "dial", node = 0, addr = _cs[1].Address.ToString() });
        await CommandAsync(new { cmd = "dial", node = 0, addr = _jsAddrs[1] });
        await _cs[0].ConnectAsync(_cs[1]);
        await KadNode.WaitUntil(() => _cs[0].Dht.RoutingTable.Contains(PeerId.Parse(_jsIds[1])) && _cs[1].Dht.RoutingTable.Contains(PeerId.Parse(_jsIds[0])),
            "C# tables to hold the js servers", 20);
        await WaitForJsTableAsync(0, _cs[1].Id);
        await WaitForJsTableAsync(1, _cs[0].Id);
    }

    public async Task DisposeAsync()
    {
        foreach (var n in _cs)
        {
            await n.DisposeAsync();
        }
        await _js.DisposeAsync();
    }

    [Fact]
    public async Task CSharp_FindsAJsPeerItIsNotConnectedTo()
    {
        var target = PeerId.Parse(_jsIds[1]);
        Assert.False(_cs[1].Dht.RoutingTable.Contains(target));
        Assert.DoesNotContain(_cs[1].Host.Connections, c => c.RemotePeer == target);
        var found = await _cs[1].Dht.FindPeerAsync(target, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Contains(Multiaddr.Parse(_jsAddrs[1]).WithoutPeerId(), found.Addresses);
        await _cs[1].Host.DialAsync(target, CancellationToken.None);
    }

    [Fact]
    public async Task Js_FindsACSharpPeerItIsNotConnectedTo()
    {
        var reply = await CommandAsync(new { cmd = "findPeer", node = 1, peer = _cs[1].Id.ToString() });
        var addrs = reply.GetProperty("addrs");
        Assert.Equal(JsonValueKind.Array, addrs.ValueKind);
        Assert.True(addrs.ValueKind == JsonValueKind.Array, _js.Stderr);
        Assert.Contains(_cs[1].Host.ListenAddresses[0].ToString(), addrs.EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task CSharpProvider_IsFoundByJs()
    {
        var cid = Cid.V1(Multicodec.Raw, Multihash.Sha256("provided by C#"u8));
        Assert.Equal(3, await _cs[1].Dht.ProvideAsync(cid, CancellationToken.None));
        var reply = await CommandAsync(new { cmd = "findProviders", node = 1, cid = cid.ToString(), max = 1 });
        var provider = Assert.Single(reply.GetProperty("providers").EnumerateArray());
        Assert.Equal(_cs[1].Id.ToString(), provider.GetProperty("peerId").GetString());
    }

    [Fact]
    public async Task JsProvider_IsFoundByCSharp()
    {
        var cid = Cid.V1(Multicodec.Raw, Multihash.Sha256("provided by js"u8));
        await CommandAsync(new { cmd = "provide", node = 1, cid = cid.ToString() });
        var providers = new List<KadPeer>();
        await foreach (var p in _cs[1].Dht.FindProvidersAsync(cid, 1, CancellationToken.None))
        {
            providers.Add(p);
        }
        var provider = Assert.Single(providers);
        Assert.Equal(PeerId.Parse(_jsIds[1]), provider.Peer);
        // js sent ADD_PROVIDER to the C# servers too, and they kept the record.
        var key = KadDht.MultihashBytes(cid);
        Assert.Contains(_cs, n => n.Dht.Providers.Get(key).Any(p => p.Peer == provider.Peer));
        Assert.Contains(Multiaddr.Parse(_jsAddrs[1]).WithoutPeerId(), provider.Addresses);
    }

    private async Task WaitForJsTableAsync(int node, params PeerId[] peers)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var table = (await CommandAsync(new { cmd = "table", node })).GetProperty("peers").EnumerateArray().Select(p => p.GetString()).ToList();
            if (peers.All(p => table.Contains(p.ToString())))
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"js node {node} table has [{string.Join(", ", table)}], not all of [{string.Join(", ", peers.Select(p => p.ToString()))}]\n{_js.Stderr}");
            }
            await Task.Delay(100);
        }
    }

    private async Task<JsonElement> CommandAsync(object command)
    {
        var id = "c" + Interlocked.Increment(ref _nextId);
        var json = JsonSerializer.SerializeToElement(command);
        var withId = json.EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value);
        withId["id"] = id;
        await _js.SendAsync(withId);
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var line = await _js.WaitForEventAsync("reply", deadline - DateTime.UtcNow);
            if (line.GetProperty("id").GetString() != id)
            {
                continue;
            }
            Assert.False(line.TryGetProperty("error", out var error), $"js answered {command}: {error}\n{_js.Stderr}");
            return line;
        }
    }
}
