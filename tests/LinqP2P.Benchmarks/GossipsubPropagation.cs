using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using LinqP2P.Libp2p.Gossipsub;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Benchmarks;

/// <summary>
/// IN-PROCESS figures: N gossipsub routers in one thread, frames handed over as encoded bytes with zero
/// network delay (no sockets, no Noise, no Yamux). One operation publishes a signed message and runs
/// until every node has it, so the mean is the CPU cost of a full propagation (encode, decode, Ed25519
/// verify, seen/mcache, forwarding) and 1/mean the messages per second one core sustains. The per-node
/// delivery latencies within each propagation are printed as p50/p99 at the end. Real-network figures
/// come from scripts/bench-gossipsub.sh.
/// </summary>
[MemoryDiagnoser]
[InProcess]
[WarmupCount(2)]
[IterationCount(8)]
public class GossipsubPropagation
{
    private const string Topic = "linq/bench/1";
    private readonly Queue<(int To, PeerId From, byte[] Frame)> _wire = new();
    private readonly List<double> _latenciesMs = [];
    private GossipsubRouter[] _routers = [];
    private Dictionary<PeerId, int> _index = [];
    private Random _random = new(1);
    private int _delivered;
    private long _ops;
    private TimeSpan _cpuAtStart;

    [Params(50, 100)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _random = new Random(1);
        _routers = new GossipsubRouter[Nodes];
        _index = [];
        for (var i = 0; i < Nodes; i++)
        {
            var key = KeyPair.FromSeed(SHA256.HashData(Encoding.ASCII.GetBytes($"bench-{i}")));
            _routers[i] = new GossipsubRouter(new GossipsubOptions(), new KeyPairPubsubSigner(key), PubsubSignatureVerifier.Instance, TimeProvider.System, new Random(i));
            _index[key.PeerId] = i;
        }
        for (var i = 0; i < Nodes; i++)
        {
            Connect(i, (i + 1) % Nodes);
            for (var k = 0; k < 7; k++)
            {
                Connect(i, _random.Next(Nodes));
            }
        }
        for (var i = 0; i < Nodes; i++)
        {
            _routers[i].Subscribe(Topic);
            Collect(i, null);
        }
        Pump(null);
        for (var h = 0; h < 5; h++)
        {
            for (var i = 0; i < Nodes; i++)
            {
                _routers[i].Heartbeat();
                Collect(i, null);
            }
            Pump(null);
        }
        // The machine may be shared: CPU time per propagation is the figure that load does not inflate.
        _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        _ops = 0;
    }

    [Benchmark(Description = "publish 1 message to all N nodes (in-process, 0 ms links)")]
    public int PublishToAllNodes()
    {
        var publisher = _random.Next(Nodes);
        _delivered = 0;
        var clock = Stopwatch.StartNew();
        _routers[publisher].Publish(Topic, BitConverter.GetBytes(_ops));
        Collect(publisher, clock);
        Pump(clock);
        if (++_ops % 200 == 0)
        {
            // Keep the caches at steady state as the heartbeat would.
            for (var i = 0; i < Nodes; i++)
            {
                _routers[i].Heartbeat();
                Collect(i, null);
            }
            Pump(null);
        }
        if (_delivered != Nodes - 1)
        {
            throw new InvalidOperationException($"a message reached {_delivered} of {Nodes - 1} nodes");
        }
        return _delivered;
    }

    [GlobalCleanup]
    public void Report()
    {
        if (_latenciesMs.Count == 0)
        {
            return;
        }
        _latenciesMs.Sort();
        double P(double q) => _latenciesMs[(int)Math.Min(_latenciesMs.Count - 1, q * _latenciesMs.Count)];
        var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart).TotalMilliseconds / Math.Max(1, _ops);
        Console.WriteLine($"// gossipsub in-process N={Nodes}: deliveries={_latenciesMs.Count} p50={P(0.5):F3} ms p99={P(0.99):F3} ms wall (0 ms links); {cpuMs:F2} ms CPU per full propagation = {1000 / cpuMs:F0} msgs/s per core; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        _latenciesMs.Clear();
    }

    private void Connect(int a, int b)
    {
        if (a == b)
        {
            return;
        }
        _routers[a].AddPeer(_routers[b].LocalPeer, GossipsubProtocol.MeshsubV11, outbound: true, "127.0.0.1");
        _routers[b].AddPeer(_routers[a].LocalPeer, GossipsubProtocol.MeshsubV11, outbound: false, "127.0.0.1");
        Collect(a, null);
        Collect(b, null);
    }

    private void Pump(Stopwatch? clock)
    {
        while (_wire.TryDequeue(out var f))
        {
            _routers[f.To].HandleFrame(f.From, f.Frame);
            Collect(f.To, clock);
        }
    }

    private void Collect(int from, Stopwatch? clock)
    {
        foreach (var o in _routers[from].TakeOutputs())
        {
            switch (o)
            {
                case SendRpc s:
                    _wire.Enqueue((_index[s.Peer], _routers[from].LocalPeer, RpcCodec.Encode(s.Rpc)));
                    break;
                case DeliverMessage:
                    _delivered++;
                    if (clock is not null)
                    {
                        _latenciesMs.Add(clock.Elapsed.TotalMilliseconds);
                    }
                    break;
                default:
                    break;
            }
        }
    }
}
