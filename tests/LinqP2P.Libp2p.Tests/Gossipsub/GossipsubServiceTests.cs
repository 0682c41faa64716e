using System.Text;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Gossipsub;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Tests.Gossipsub;

/// <summary>GossipsubService over real Libp2pHost connections (TCP + Noise + Yamux on 127.0.0.1), C# only.</summary>
public sealed class GossipsubServiceTests : IAsyncLifetime
{
    private const string Topic = "linq/service/1";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly List<(Libp2pHost Host, GossipsubService Pubsub, GossipsubSubscription Sub)> _nodes = [];

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 6; i++)
        {
            var host = new Libp2pHost(KeyPair.Generate());
            await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
            var pubsub = new GossipsubService(host, new GossipsubOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(200) });
            await pubsub.StartAsync(CancellationToken.None);
            _nodes.Add((host, pubsub, await pubsub.SubscribeAsync(Topic, CancellationToken.None)));
        }
        // A ring: every node has two links, so messages must be relayed to reach the far side.
        for (var i = 0; i < 6; i++)
        {
            var next = _nodes[(i + 1) % 6].Host;
            await _nodes[i].Host.DialAsync(next.ListenAddresses[0].WithPeerId(next.PeerId), CancellationToken.None);
        }
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var sizes = await Task.WhenAll(_nodes.Select(n => n.Pubsub.MeshPeersAsync(Topic, CancellationToken.None)));
            if (sizes.All(s => s.Count == 2))
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the ring's meshes did not form: " + string.Join(",", sizes.Select(s => s.Count)));
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var (host, pubsub, sub) in _nodes)
        {
            await sub.DisposeAsync();
            await pubsub.DisposeAsync();
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Publish_IsRelayedAroundTheRingToEveryNodeOnce()
    {
        await _nodes[0].Pubsub.PublishAsync(Topic, Encoding.UTF8.GetBytes("round"), CancellationToken.None);
        foreach (var (_, _, sub) in _nodes.Skip(1))
        {
            using var cts = new CancellationTokenSource(Wait);
            var m = await sub.Messages.ReadAsync(cts.Token);
            Assert.Equal("round", Encoding.UTF8.GetString(m.Data));
            Assert.Equal(_nodes[0].Host.PeerId, m.Author);
        }
        await Task.Delay(500);
        Assert.All(_nodes, n => Assert.False(n.Sub.Messages.TryRead(out _), "a node got a second copy or its own message"));
    }

    [Fact]
    public async Task ValidatorReject_OnARelayStopsTheMessageAndPenalisesTheSender()
    {
        // Both of node 0's ring neighbours reject the forged bid, so no path carries it further.
        foreach (var relay in new[] { 1, 5 })
        {
            await _nodes[relay].Pubsub.SetValidatorAsync(Topic, m => Encoding.UTF8.GetString(m.Data) == "forged bid" ? ValidationResult.Reject : ValidationResult.Accept, CancellationToken.None);
        }
        await _nodes[0].Pubsub.PublishAsync(Topic, Encoding.UTF8.GetBytes("forged bid"), CancellationToken.None);
        await _nodes[0].Pubsub.PublishAsync(Topic, Encoding.UTF8.GetBytes("honest bid"), CancellationToken.None);
        using var cts = new CancellationTokenSource(Wait);
        Assert.Equal("honest bid", Encoding.UTF8.GetString((await _nodes[2].Sub.Messages.ReadAsync(cts.Token)).Data));
        Assert.False(_nodes[2].Sub.Messages.TryRead(out _));
        Assert.True(await _nodes[1].Pubsub.ScoreAsync(_nodes[0].Host.PeerId, CancellationToken.None) < 0);
    }

    [Fact]
    public async Task DisposingTheSubscription_LeavesTheTopic()
    {
        await _nodes[3].Sub.DisposeAsync();
        var deadline = DateTime.UtcNow + Wait;
        while ((await _nodes[2].Pubsub.TopicPeersAsync(Topic, CancellationToken.None)).Contains(_nodes[3].Host.PeerId))
        {
            Assert.True(DateTime.UtcNow < deadline, "node 2 still lists node 3 as a subscriber");
            await Task.Delay(100);
        }
        Assert.DoesNotContain(_nodes[3].Host.PeerId, await _nodes[2].Pubsub.MeshPeersAsync(Topic, CancellationToken.None));
    }
}
