using LinqP2P.Libp2p.Gossipsub;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Tests.Gossipsub;

/// <summary>
/// Many in-process routers on one virtual clock. Frames travel as encoded bytes (so the codec is on the
/// path) with a fixed per-hop latency; heartbeats fire on each router's own schedule. Deterministic for a seed.
/// </summary>
public sealed class GossipNetwork
{
    private readonly PriorityQueue<Action, (DateTimeOffset At, long Seq)> _events = new();
    private long _seq;

    public GossipNetwork(int count, Func<GossipsubOptions>? options = null, int seed = 1, TimeSpan? hopLatency = null)
    {
        Random = new Random(seed);
        HopLatency = hopLatency ?? TimeSpan.FromMilliseconds(5);
        for (var i = 0; i < count; i++)
        {
            var id = TestIdentities.Create(i);
            var router = new GossipsubRouter(options?.Invoke() ?? new GossipsubOptions(), id, TestIdentities.Verifier, Clock, new Random(seed * 1000 + i));
            Nodes.Add(new Node(this, i, router));
        }
        foreach (var n in Nodes)
        {
            // Stagger heartbeats as real nodes would be.
            var first = TimeSpan.FromMilliseconds(Random.Next(0, 1000));
            Schedule(first, () => HeartbeatLoop(n));
        }
    }

    public ManualClock Clock { get; } = new();

    public Random Random { get; }

    public TimeSpan HopLatency { get; }

    public List<Node> Nodes { get; } = [];

    /// <summary>Frames for which this returns false are dropped (to simulate misbehaving or lossy links).</summary>
    public Func<Node, Node, Rpc, bool> Filter { get; set; } = (_, _, _) => true;

    public int FramesSent { get; private set; }

    public void Connect(int a, int b)
    {
        if (a == b || Nodes[a].Links.Contains(Nodes[b]))
        {
            return;
        }
        Nodes[a].Links.Add(Nodes[b]);
        Nodes[b].Links.Add(Nodes[a]);
        Nodes[a].Router.AddPeer(Nodes[b].PeerId, GossipsubProtocol.MeshsubV11, outbound: true, ip: $"10.0.0.{b}");
        Nodes[b].Router.AddPeer(Nodes[a].PeerId, GossipsubProtocol.MeshsubV11, outbound: false, ip: $"10.0.0.{a}");
        Nodes[a].Drain();
        Nodes[b].Drain();
    }

    public void Disconnect(int a, int b)
    {
        Nodes[a].Links.Remove(Nodes[b]);
        Nodes[b].Links.Remove(Nodes[a]);
        Nodes[a].Router.RemovePeer(Nodes[b].PeerId);
        Nodes[b].Router.RemovePeer(Nodes[a].PeerId);
    }

    /// <summary>Connects every node to <paramref name="degree"/> random others (at least; links are symmetric).</summary>
    public void ConnectRandomly(int degree)
    {
        for (var i = 0; i < Nodes.Count; i++)
        {
            Connect(i, (i + 1) % Nodes.Count); // a ring keeps the graph connected
            while (Nodes[i].Links.Count < degree)
            {
                Connect(i, Random.Next(Nodes.Count));
            }
        }
    }

    public void SubscribeAll(string topic)
    {
        foreach (var n in Nodes)
        {
            n.Router.Subscribe(topic);
            n.Drain();
        }
    }

    /// <summary>Runs events until the virtual clock has advanced by <paramref name="duration"/>.</summary>
    public void RunFor(TimeSpan duration)
    {
        var until = Clock.GetUtcNow() + duration;
        while (_events.TryPeek(out _, out var key) && key.At <= until)
        {
            var action = _events.Dequeue();
            Clock.Set(key.At);
            action();
        }
        Clock.Set(until);
    }

    public void Schedule(TimeSpan after, Action action) =>
        _events.Enqueue(action, (Clock.GetUtcNow() + after, _seq++));

    private void HeartbeatLoop(Node n)
    {
        n.Router.Heartbeat();
        n.Drain();
        Schedule(n.Router.Options.HeartbeatInterval, () => HeartbeatLoop(n));
    }

    internal void Send(Node from, PeerId to, Rpc rpc)
    {
        var target = from.Links.FirstOrDefault(l => l.PeerId.Equals(to));
        if (target is null || !Filter(from, target, rpc))
        {
            return;
        }
        FramesSent++;
        var frame = RpcCodec.Encode(rpc);
        Schedule(HopLatency, () =>
        {
            if (!target.Links.Contains(from))
            {
                return;
            }
            var error = target.Router.HandleFrame(from.PeerId, frame);
            if (error is not null)
            {
                throw error;
            }
            target.Drain();
        });
    }

    public sealed class Node(GossipNetwork network, int index, GossipsubRouter router)
    {
        public int Index { get; } = index;

        public GossipsubRouter Router { get; } = router;

        public PeerId PeerId => Router.LocalPeer;

        public HashSet<Node> Links { get; } = [];

        public List<(GossipsubMessage Message, DateTimeOffset At)> Received { get; } = [];

        public List<GossipsubOutput> OtherOutputs { get; } = [];

        public List<(PeerId To, Rpc Rpc)> Sent { get; } = [];

        public PublishResult Publish(string topic, string text)
        {
            var r = Router.Publish(topic, System.Text.Encoding.UTF8.GetBytes(text));
            Drain();
            return r;
        }

        public void Drain()
        {
            foreach (var o in Router.TakeOutputs())
            {
                switch (o)
                {
                    case SendRpc s:
                        Sent.Add((s.Peer, s.Rpc));
                        network.Send(this, s.Peer, s.Rpc);
                        break;
                    case DeliverMessage d:
                        Received.Add((d.Message, network.Clock.GetUtcNow()));
                        break;
                    default:
                        OtherOutputs.Add(o);
                        break;
                }
            }
        }
    }
}
