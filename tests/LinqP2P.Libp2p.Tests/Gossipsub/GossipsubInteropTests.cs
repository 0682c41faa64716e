using System.Text;
using System.Text.Json;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Gossipsub;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.TestKit;

namespace LinqP2P.Libp2p.Tests.Gossipsub;

/// <summary>
/// C# gossipsub against the real js-libp2p @libp2p/gossipsub 17 over TCP + Noise + Yamux on loopback.
/// Topology, a line with alternating implementations: C1 — J0 — C0 — J1.
/// </summary>
public sealed class GossipsubInteropTests : IAsyncLifetime
{
    private const string Topic = "linq/interop/1";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private JsPeer _js = null!;
    private readonly List<(Libp2pHost Host, GossipsubService Pubsub, GossipsubSubscription Sub)> _cs = [];
    private string[] _jsIds = [];
    private string[] _jsAddrs = [];

    public async Task InitializeAsync()
    {
        _js = await JsPeer.StartAsync("gossipsub-peer.mjs", ["--nodes", "2"]);
        var nodes = _js.Ready.GetProperty("nodes").EnumerateArray().ToArray();
        _jsIds = nodes.Select(n => n.GetProperty("peerId").GetString()!).ToArray();
        _jsAddrs = nodes.Select(n => n.GetProperty("addrs")[0].GetString()!).ToArray();
        for (var i = 0; i < 2; i++)
        {
            var host = new Libp2pHost(KeyPair.Generate());
            await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
            var pubsub = new GossipsubService(host, new GossipsubOptions());
            await pubsub.StartAsync(CancellationToken.None);
            var sub = await pubsub.SubscribeAsync(Topic, CancellationToken.None);
            _cs.Add((host, pubsub, sub));
        }
        await _js.SendAsync(new { cmd = "subscribeAll", topic = Topic, id = "s" });
        await ReplyAsync("s");
        // C0 dials J0 and J1 (C# is the dialer); J0 dials C1 (js is the dialer).
        await _cs[0].Host.DialAsync(Multiaddr.Parse(_jsAddrs[0]), CancellationToken.None);
        await _cs[0].Host.DialAsync(Multiaddr.Parse(_jsAddrs[1]), CancellationToken.None);
        var c1 = _cs[1].Host.ListenAddresses[0].WithPeerId(_cs[1].Host.PeerId).ToString();
        await _js.SendAsync(new { cmd = "dial", node = 0, addr = c1, id = "d" });
        Assert.False((await ReplyAsync("d")).TryGetProperty("error", out var err), err.ToString());
        await WaitForMeshAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var (host, pubsub, sub) in _cs)
        {
            await sub.DisposeAsync();
            await pubsub.DisposeAsync();
            await host.DisposeAsync();
        }
        await _js.DisposeAsync();
    }

    [Fact]
    public async Task Meshes_FormBetweenCSharpAndJsPeers()
    {
        var c0Mesh = await _cs[0].Pubsub.MeshPeersAsync(Topic, CancellationToken.None);
        Assert.Contains(PeerId.Parse(_jsIds[0]), c0Mesh);
        Assert.Contains(PeerId.Parse(_jsIds[1]), c0Mesh);
        await _js.SendAsync(new { cmd = "mesh", node = 1, topic = Topic, id = "m" });
        var jsMesh = (await ReplyAsync("m")).GetProperty("peers").EnumerateArray().Select(p => p.GetString()).ToArray();
        Assert.Contains(_cs[0].Host.PeerId.ToString(), jsMesh);
    }

    [Fact]
    public async Task JsPublish_ReachesCSharpDirectlyAndJsThroughACSharpHop()
    {
        // No wait for the reply: WaitForEventAsync skips other lines, and the hop to J1 may come first.
        await _js.SendAsync(new { cmd = "publish", node = 0, topic = Topic, data = "from js" });
        Assert.Equal("from js", await NextDataAsync(_cs[0].Sub));
        Assert.Equal("from js", await NextDataAsync(_cs[1].Sub));
        var got = await _js.WaitForEventAsync("message", Wait);
        Assert.Equal(1, got.GetProperty("node").GetInt32());
        Assert.Equal("from js", got.GetProperty("data").GetString());
        Assert.Equal(_jsIds[0], got.GetProperty("from").GetString());
    }

    [Fact]
    public async Task CSharpPublish_ReachesJsDirectlyAndCSharpThroughAJsHop()
    {
        var result = await _cs[1].Pubsub.PublishAsync(Topic, Encoding.UTF8.GetBytes("from C#"), CancellationToken.None);
        Assert.True(result.PeersSentTo >= 1);
        // C1 — J0 — C0 — J1: J0 directly, C0 through J0, J1 through J0 and C0.
        Assert.Equal("from C#", await NextDataAsync(_cs[0].Sub));
        var seen = new HashSet<int>();
        while (seen.Count < 2)
        {
            var m = await _js.WaitForEventAsync("message", Wait);
            Assert.Equal("from C#", m.GetProperty("data").GetString());
            Assert.Equal(_cs[1].Host.PeerId.ToString(), m.GetProperty("from").GetString());
            Assert.True(seen.Add(m.GetProperty("node").GetInt32()), "a js node received the message twice");
        }
    }

    [Fact]
    public async Task CSharpValidatorReject_StopsAJsMessageAndPenalisesTheJsSender()
    {
        // C0 is the only way from J0 to J1: its validator decides whether J1 sees a message.
        await _cs[0].Pubsub.SetValidatorAsync(Topic, m => Encoding.UTF8.GetString(m.Data) == "spam" ? ValidationResult.Reject : ValidationResult.Accept, CancellationToken.None);
        await _js.SendAsync(new { cmd = "publish", node = 0, topic = Topic, data = "spam" });
        Assert.Equal("spam", await NextDataAsync(_cs[1].Sub));
        await _js.SendAsync(new { cmd = "publish", node = 0, topic = Topic, data = "ham" });
        Assert.Equal("ham", await NextDataAsync(_cs[0].Sub));

        var first = await _js.WaitForEventAsync("message", Wait);
        Assert.Equal(1, first.GetProperty("node").GetInt32());
        Assert.Equal("ham", first.GetProperty("data").GetString());
        Assert.True(await _cs[0].Pubsub.ScoreAsync(PeerId.Parse(_jsIds[0]), CancellationToken.None) < 0);
    }

    private async Task WaitForMeshAsync()
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            var c0 = await _cs[0].Pubsub.MeshPeersAsync(Topic, CancellationToken.None);
            var c1 = await _cs[1].Pubsub.MeshPeersAsync(Topic, CancellationToken.None);
            await _js.SendAsync(new { cmd = "mesh", node = 1, topic = Topic, id = "w" });
            var j1 = (await ReplyAsync("w")).GetProperty("peers").GetArrayLength();
            await _js.SendAsync(new { cmd = "mesh", node = 0, topic = Topic, id = "w0" });
            var j0 = (await ReplyAsync("w0")).GetProperty("peers").GetArrayLength();
            if (c0.Count == 2 && c1.Count == 1 && j0 == 2 && j1 == 1)
            {
                return;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("the mixed mesh did not form; js stderr:\n" + _js.Stderr);
    }

    private async Task<JsonElement> ReplyAsync(string id)
    {
        while (true)
        {
            var line = await _js.WaitForEventAsync("reply", Wait);
            if (line.TryGetProperty("id", out var i) && i.GetString() == id)
            {
                return line;
            }
        }
    }

    private static async Task<string> NextDataAsync(GossipsubSubscription sub)
    {
        using var cts = new CancellationTokenSource(Wait);
        var m = await sub.Messages.ReadAsync(cts.Token);
        return Encoding.UTF8.GetString(m.Data);
    }
}
