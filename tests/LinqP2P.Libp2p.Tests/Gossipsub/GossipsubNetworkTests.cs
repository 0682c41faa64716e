using System.Text;
using LinqP2P.Libp2p.Gossipsub;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Tests.Gossipsub;

public class GossipsubNetworkTests
{
    private const string Topic = "linq/offers/1";

    private static GossipNetwork Settled(int nodes, int degree, Func<GossipsubOptions>? options = null, int seed = 1)
    {
        var net = new GossipNetwork(nodes, options, seed);
        net.ConnectRandomly(degree);
        net.SubscribeAll(Topic);
        net.RunFor(TimeSpan.FromSeconds(5));
        return net;
    }

    [Theory]
    [InlineData(20, 8)]
    [InlineData(60, 10)]
    public void Meshes_FormWithinDegreeBounds(int nodes, int degree)
    {
        var net = Settled(nodes, degree);
        var o = new GossipsubOptions();
        foreach (var n in net.Nodes)
        {
            var mesh = n.Router.MeshPeers(Topic);
            Assert.InRange(mesh.Count, Math.Min(o.DLow, n.Links.Count), o.DHigh);
            Assert.All(mesh, p => Assert.Contains(n.Links, l => l.PeerId.Equals(p)));
        }
    }

    [Fact]
    public void Meshes_AreSymmetricOnceSettled()
    {
        var net = Settled(30, 8);
        foreach (var n in net.Nodes)
        {
            foreach (var p in n.Router.MeshPeers(Topic))
            {
                var other = net.Nodes.Single(x => x.PeerId.Equals(p));
                Assert.Contains(n.PeerId, other.Router.MeshPeers(Topic));
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Publish_ReachesEverySubscriberExactlyOnce(bool floodPublish)
    {
        var net = Settled(50, 8, () => new GossipsubOptions { FloodPublish = floodPublish });
        for (var i = 0; i < 10; i++)
        {
            net.Nodes[i * 5].Publish(Topic, $"offer {i}");
        }
        net.RunFor(TimeSpan.FromSeconds(2));
        foreach (var n in net.Nodes)
        {
            var expected = Enumerable.Range(0, 10).Where(i => i * 5 != n.Index).Select(i => $"offer {i}").Order();
            var got = n.Received.Select(r => Encoding.UTF8.GetString(r.Message.Data)).Order();
            Assert.Equal(expected, got);
        }
    }

    [Fact]
    public void Publish_ArrivesWithinAFewHops()
    {
        var net = Settled(50, 8);
        var start = net.Clock.GetUtcNow();
        net.Nodes[0].Publish(Topic, "fast");
        net.RunFor(TimeSpan.FromSeconds(1));
        var worst = net.Nodes.Skip(1).Max(n => n.Received.Single().At - start);
        // 5 ms per hop: a mesh of degree ~6 over 50 nodes has a diameter of a handful of hops.
        Assert.True(worst <= TimeSpan.FromMilliseconds(30), $"slowest delivery took {worst.TotalMilliseconds} ms");
    }

    [Fact]
    public void Gossip_RepairsDeliveryToAPeerThatLosesEveryForwardedCopy()
    {
        var net = new GossipNetwork(12, () => new GossipsubOptions { FloodPublish = false });
        for (var i = 0; i < 12; i++)
        {
            for (var j = i + 1; j < 12; j++)
            {
                net.Connect(i, j);
            }
        }
        var outsider = net.Nodes[11];
        // Every copy pushed to the outsider is lost unless it asked that peer for that id with IWANT,
        // so only IHAVE/IWANT gossip can bring it the message.
        var asked = new HashSet<(PeerId, MessageId)>();
        net.Filter = (from, to, rpc) =>
        {
            if (from == outsider)
            {
                foreach (var id in rpc.Control?.IWant.SelectMany(w => w.MessageIds) ?? [])
                {
                    asked.Add((to.PeerId, id));
                }
            }
            if (to == outsider)
            {
                rpc.Messages.RemoveAll(m => !asked.Contains((from.PeerId, MessageId.FromAuthorAndSeqno(m))));
            }
            return true;
        };
        net.SubscribeAll(Topic);
        net.RunFor(TimeSpan.FromSeconds(5));

        net.Nodes[0].Publish(Topic, "via gossip");
        net.RunFor(TimeSpan.FromSeconds(3));

        Assert.Single(outsider.Received);
        Assert.NotEmpty(asked);
        Assert.All(net.Nodes.Take(11).Skip(1), n => Assert.Single(n.Received));
    }

    [Fact]
    public void Prune_BackoffIsHonouredBeforeGraftingAgain()
    {
        var net = new GossipNetwork(2);
        net.Connect(0, 1);
        net.SubscribeAll(Topic);
        net.RunFor(TimeSpan.FromSeconds(2));
        var (a, b) = (net.Nodes[0], net.Nodes[1]);
        Assert.Contains(a.PeerId, b.Router.MeshPeers(Topic));

        // A leaves and rejoins: its PRUNE carries the 10 s unsubscribe backoff.
        a.Router.Unsubscribe(Topic);
        a.Drain();
        net.RunFor(TimeSpan.FromMilliseconds(100));
        Assert.True(b.Router.IsBackedOff(Topic, a.PeerId));
        a.Router.Subscribe(Topic);
        a.Drain();
        var sentBefore = b.Sent.Count;
        net.RunFor(TimeSpan.FromSeconds(8));

        // B keeps out of A's mesh during the backoff even though its mesh is below D_low...
        Assert.DoesNotContain(b.Sent.Skip(sentBefore), s => s.Rpc.Control?.Graft.Count > 0);
        // ...and grafts again once it has passed.
        net.RunFor(TimeSpan.FromSeconds(6));
        Assert.Contains(b.Sent.Skip(sentBefore), s => s.Rpc.Control?.Graft.Count > 0);
        Assert.Contains(a.PeerId, b.Router.MeshPeers(Topic));
    }

    [Fact]
    public void Graft_DuringBackoffIsRefusedAndPenalised()
    {
        var clock = new ManualClock();
        var a = TestIdentities.Create(0);
        var b = TestIdentities.Create(1);
        var router = new GossipsubRouter(new GossipsubOptions(), a, TestIdentities.Verifier, clock, new Random(1));
        router.AddPeer(b.PeerId, GossipsubProtocol.MeshsubV11, outbound: false);
        router.Subscribe(Topic);
        router.HandleRpc(b.PeerId, SubscribeRpc(Topic));
        router.HandleRpc(b.PeerId, new Rpc { Control = Graft(Topic) });
        Assert.Contains(b.PeerId, router.MeshPeers(Topic));

        // We leave (pruning B with a backoff) and rejoin; B grafts right back during our backoff.
        router.Unsubscribe(Topic);
        router.Subscribe(Topic);
        Assert.DoesNotContain(b.PeerId, router.MeshPeers(Topic));
        router.TakeOutputs();
        clock.Advance(TimeSpan.FromSeconds(1));
        var before = router.Score(b.PeerId);
        router.HandleRpc(b.PeerId, new Rpc { Control = Graft(Topic) });

        Assert.DoesNotContain(b.PeerId, router.MeshPeers(Topic));
        Assert.True(router.Score(b.PeerId) < before, $"score {router.Score(b.PeerId)} should be below {before}");
        var reply = router.TakeOutputs().OfType<SendRpc>().Single(s => s.Peer.Equals(b.PeerId));
        Assert.Single(reply.Rpc.Control!.Prune);
    }

    [Fact]
    public void InvalidMessages_DropTheSendersScoreUntilItIsGraylisted()
    {
        var clock = new ManualClock();
        var local = TestIdentities.Create(0);
        var attacker = TestIdentities.Create(1);
        var router = new GossipsubRouter(new GossipsubOptions(), local, TestIdentities.Verifier, clock, new Random(1));
        router.AddPeer(attacker.PeerId, GossipsubProtocol.MeshsubV11, outbound: false);
        router.Subscribe(Topic);
        router.HandleRpc(attacker.PeerId, SubscribeRpc(Topic));
        var thresholds = router.Options.ScoreThresholds;

        var scores = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var forged = SignedMessage(attacker, Topic, $"bid {i}", seqno: (ulong)i + 1);
            forged.Data = Encoding.UTF8.GetBytes("tampered");
            router.HandleRpc(attacker.PeerId, new Rpc { Messages = { forged } });
            scores.Add(router.Score(attacker.PeerId));
        }
        // P4 is squared: -10, -40, -90 with the default weight.
        Assert.Equal([-10.0, -40.0, -90.0], scores);
        Assert.True(scores[^1] < thresholds.GraylistThreshold);
        Assert.Empty(router.TakeOutputs().OfType<DeliverMessage>());

        // Graylisted: even a valid message is ignored now.
        router.HandleRpc(attacker.PeerId, new Rpc { Messages = { SignedMessage(attacker, Topic, "valid", seqno: 99) } });
        Assert.Empty(router.TakeOutputs().OfType<DeliverMessage>());
    }

    [Fact]
    public void InvalidMessagePenalty_DecaysOverTime()
    {
        var clock = new ManualClock();
        var router = new GossipsubRouter(new GossipsubOptions(), TestIdentities.Create(0), TestIdentities.Verifier, clock, new Random(1));
        var peer = TestIdentities.Create(1);
        router.AddPeer(peer.PeerId, GossipsubProtocol.MeshsubV11, outbound: false);
        router.Subscribe(Topic);
        var forged = SignedMessage(peer, Topic, "x", seqno: 1);
        forged.Signature![0] ^= 1;
        router.HandleRpc(peer.PeerId, new Rpc { Messages = { forged } });
        Assert.Equal(-10, router.Score(peer.PeerId));
        void Wait(int seconds)
        {
            for (var i = 0; i < seconds; i++)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                router.Heartbeat();
            }
        }
        // The counter decays by 0.99 per second and the penalty is its square: 0.99^120 ≈ 0.30.
        Wait(60);
        Assert.Equal(-10 * Math.Pow(0.99, 120), router.Score(peer.PeerId), 6);
        // Once the counter falls under DecayToZero it is forgiven entirely.
        Wait(540);
        Assert.Equal(0, router.Score(peer.PeerId));
    }

    [Fact]
    public void ValidatorReject_StopsPropagationAndPenalisesTheSender()
    {
        // A line: 0 - 1 - 2. Node 1's validator rejects payloads starting with "bad".
        var net = new GossipNetwork(3);
        net.Connect(0, 1);
        net.Connect(1, 2);
        net.Nodes[1].Router.SetValidator(Topic, m => Encoding.UTF8.GetString(m.Data).StartsWith("bad", StringComparison.Ordinal) ? ValidationResult.Reject : ValidationResult.Accept);
        net.SubscribeAll(Topic);
        net.RunFor(TimeSpan.FromSeconds(3));

        net.Nodes[0].Publish(Topic, "bad offer");
        net.Nodes[0].Publish(Topic, "good offer");
        net.RunFor(TimeSpan.FromSeconds(3));

        Assert.Equal(["good offer"], net.Nodes[1].Received.Select(r => Encoding.UTF8.GetString(r.Message.Data)));
        Assert.Equal(["good offer"], net.Nodes[2].Received.Select(r => Encoding.UTF8.GetString(r.Message.Data)));
        Assert.True(net.Nodes[1].Router.Score(net.Nodes[0].PeerId) < 0);
    }

    [Fact]
    public void ValidatorIgnore_DropsWithoutPenalty()
    {
        var net = new GossipNetwork(2);
        net.Connect(0, 1);
        net.Nodes[1].Router.SetValidator(Topic, _ => ValidationResult.Ignore);
        net.SubscribeAll(Topic);
        net.RunFor(TimeSpan.FromSeconds(2));
        net.Nodes[0].Publish(Topic, "meh");
        net.RunFor(TimeSpan.FromSeconds(1));
        Assert.Empty(net.Nodes[1].Received);
        Assert.True(net.Nodes[1].Router.Score(net.Nodes[0].PeerId) >= 0);
    }

    [Fact]
    public void Fanout_PublishesWithoutSubscribingAndExpires()
    {
        var net = new GossipNetwork(8, () => new GossipsubOptions { FloodPublish = false, FanoutTtl = TimeSpan.FromSeconds(10) });
        for (var i = 1; i < 8; i++)
        {
            net.Connect(0, i);
            net.Nodes[i].Router.Subscribe(Topic);
            net.Nodes[i].Drain();
        }
        net.RunFor(TimeSpan.FromSeconds(2));
        var result = net.Nodes[0].Publish(Topic, "from outside");
        Assert.Equal(6, result.PeersSentTo);
        Assert.Equal(6, net.Nodes[0].Router.FanoutPeers(Topic).Count);
        net.RunFor(TimeSpan.FromSeconds(2));
        Assert.All(net.Nodes.Skip(1), n => Assert.Single(n.Received));
        net.RunFor(TimeSpan.FromSeconds(12));
        Assert.Empty(net.Nodes[0].Router.FanoutPeers(Topic));
    }

    [Fact]
    public void OversubscribedMesh_IsPrunedToDKeepingOutboundPeers()
    {
        var net = new GossipNetwork(21);
        for (var i = 1; i < 21; i++)
        {
            // Node 0 dialled the first four (outbound from its side); the rest dialled it.
            if (i <= 4)
            {
                net.Connect(0, i);
            }
            else
            {
                net.Connect(i, 0);
            }
        }
        net.SubscribeAll(Topic);
        // Everyone grafts node 0 at once.
        foreach (var n in net.Nodes.Skip(1))
        {
            n.Router.HandleRpc(net.Nodes[0].PeerId, new Rpc { Control = Graft(Topic) });
            n.Drain();
        }
        net.RunFor(TimeSpan.FromSeconds(3));
        var hub = net.Nodes[0].Router;
        var mesh = hub.MeshPeers(Topic);
        Assert.InRange(mesh.Count, 4, 12);
        Assert.True(mesh.Count(p => net.Nodes.Take(5).Any(n => n.PeerId.Equals(p))) >= 2, "at least D_out outbound peers stay");
    }

    [Fact]
    public void PruneWithPeerExchange_SuggestsPeersWhenTheSenderIsTrusted()
    {
        var clock = new ManualClock();
        var pxAccepted = new GossipsubOptions { ScoreThresholds = new PeerScoreThresholds { AcceptPXThreshold = 0 } };
        var router = new GossipsubRouter(pxAccepted, TestIdentities.Create(0), TestIdentities.Verifier, clock, new Random(1));
        var peer = TestIdentities.Create(1);
        router.AddPeer(peer.PeerId, GossipsubProtocol.MeshsubV11, outbound: true);
        router.Subscribe(Topic);
        var suggested = TestIdentities.Create(7).PeerId;
        var prune = new ControlMessage();
        prune.Prune.Add(new ControlPrune(Topic, [new PeerExchangeInfo(suggested.ToBytes(), null)], 60));
        router.HandleRpc(peer.PeerId, new Rpc { Control = prune });

        var px = Assert.Single(router.TakeOutputs().OfType<PeerExchangeSuggested>());
        Assert.Equal(suggested, px.Peer);
        Assert.True(router.IsBackedOff(Topic, peer.PeerId));
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.False(router.IsBackedOff(Topic, peer.PeerId));
    }

    [Fact]
    public void Publish_RejectsPayloadOverTheLimit()
    {
        var router = new GossipsubRouter(new GossipsubOptions { MaxMessageSize = 100 }, TestIdentities.Create(0), TestIdentities.Verifier);
        var e = Assert.Throws<GossipsubException>(() => router.Publish(Topic, new byte[101]));
        Assert.Equal("gossipsub.publish.too_large", e.Code);
    }

    [Fact]
    public void Subscriptions_PerPeerAreBounded()
    {
        var router = new GossipsubRouter(new GossipsubOptions { MaxTopicsPerPeer = 3 }, TestIdentities.Create(0), TestIdentities.Verifier);
        var peer = TestIdentities.Create(1).PeerId;
        router.AddPeer(peer, GossipsubProtocol.MeshsubV11, outbound: false);
        var rpc = new Rpc();
        for (var i = 0; i < 10; i++)
        {
            rpc.Subscriptions.Add(new SubscriptionChange(true, $"t{i}"));
        }
        router.HandleRpc(peer, rpc);
        Assert.Equal(3, Enumerable.Range(0, 10).Count(i => router.TopicPeers($"t{i}").Count == 1));
    }

    [Fact]
    public void Unsubscribe_PrunesMeshPeersWhoThenDropUs()
    {
        var net = Settled(10, 9);
        var leaver = net.Nodes[3];
        leaver.Router.Unsubscribe(Topic);
        leaver.Drain();
        net.RunFor(TimeSpan.FromSeconds(2));
        Assert.All(net.Nodes.Where(n => n != leaver), n => Assert.DoesNotContain(leaver.PeerId, n.Router.MeshPeers(Topic)));
        Assert.All(net.Nodes.Where(n => n != leaver), n => Assert.DoesNotContain(leaver.PeerId, n.Router.TopicPeers(Topic)));
        net.Nodes[0].Publish(Topic, "after leave");
        net.RunFor(TimeSpan.FromSeconds(1));
        Assert.Empty(leaver.Received);
    }

    [Fact]
    public void Peers_ThatDisconnectLeaveMeshesWhichRefill()
    {
        var net = Settled(30, 10);
        var victim = net.Nodes[0];
        foreach (var l in victim.Links.ToArray())
        {
            net.Disconnect(victim.Index, l.Index);
        }
        net.RunFor(TimeSpan.FromSeconds(3));
        foreach (var n in net.Nodes.Skip(1))
        {
            Assert.DoesNotContain(victim.PeerId, n.Router.MeshPeers(Topic));
            Assert.InRange(n.Router.MeshPeers(Topic).Count, Math.Min(4, n.Links.Count), 12);
        }
    }

    private static Rpc SubscribeRpc(string topic) => new() { Subscriptions = { new SubscriptionChange(true, topic) } };

    private static ControlMessage Graft(string topic)
    {
        var c = new ControlMessage();
        c.Graft.Add(new ControlGraft(topic));
        return c;
    }

    private static ControlMessage Prune(string topic)
    {
        var c = new ControlMessage();
        c.Prune.Add(new ControlPrune(topic, [], 1));
        return c;
    }

    internal static PubsubMessage SignedMessage(IPubsubSigner author, string topic, string text, ulong seqno)
    {
        var seq = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(seq, seqno);
        var m = new PubsubMessage { Topic = topic, Data = Encoding.UTF8.GetBytes(text), Seqno = seq };
        MessageSigning.Sign(m, author);
        return m;
    }
}
