using System.Collections.Concurrent;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Gossipsub;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Benchmarks;

/// <summary>
/// REAL CONNECTIONS: N C# nodes in one process, each a Libp2pHost (TCP + Noise + Yamux on 127.0.0.1)
/// running GossipsubService; every node dials 8 random others (plus a ring). One operation publishes from
/// a random node and completes when all N-1 others have delivered it, so the mean is the time to reach
/// the last node. Per-delivery latencies (publish call to subscriber read, one clock) are printed as
/// p50/p99 at the end. scripts/bench-gossipsub.sh runs this beside the same mesh of js-libp2p nodes.
/// </summary>
[InProcess]
[WarmupCount(3)]
[IterationCount(10)]
[InvocationCount(20)]
public class GossipsubTcpMesh
{
    private const string Topic = "linq/bench/1";
    private readonly List<(Libp2pHost Host, GossipsubService Pubsub)> _nodes = [];
    private readonly ConcurrentDictionary<long, (long Start, int Count, TaskCompletionSource Done)> _inFlight = new();
    private const int WarmupOps = 61;
    private readonly ConcurrentBag<(long Op, double Ms)> _latenciesMs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random = new(1);
    private long _next;
    private long _ops;

    [Params(50)]
    public int Nodes { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        for (var i = 0; i < Nodes; i++)
        {
            var host = new Libp2pHost(KeyPair.Generate());
            await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
            var pubsub = new GossipsubService(host, new GossipsubOptions());
            await pubsub.StartAsync(CancellationToken.None);
            var sub = await pubsub.SubscribeAsync(Topic, CancellationToken.None);
            _ = Task.Run(() => ReadAsync(sub));
            _nodes.Add((host, pubsub));
        }
        var dials = new List<Task>();
        for (var i = 0; i < Nodes; i++)
        {
            var targets = new HashSet<int> { (i + 1) % Nodes };
            while (targets.Count < Math.Min(8, Nodes - 1))
            {
                var j = _random.Next(Nodes);
                if (j != i)
                {
                    targets.Add(j);
                }
            }
            foreach (var j in targets)
            {
                var addr = _nodes[j].Host.ListenAddresses[0].WithPeerId(_nodes[j].Host.PeerId);
                dials.Add(_nodes[i].Host.DialAsync(addr, CancellationToken.None));
            }
        }
        await Task.WhenAll(dials);
        await Task.Delay(TimeSpan.FromSeconds(4));
    }

    [Benchmark(Description = "publish 1 message, await delivery at all N-1 nodes (TCP+Noise+Yamux loopback)")]
    public async Task PublishAndAwaitAllAsync()
    {
        var id = Interlocked.Increment(ref _next);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();
        _inFlight[id] = (start, 0, done);
        await _nodes[_random.Next(Nodes)].Pubsub.PublishAsync(Topic, BitConverter.GetBytes(id), CancellationToken.None);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _inFlight.TryRemove(id, out _);
        _ops++;
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        // Latencies of the jitting and warm-up operations (1 + 3 × 20) are not part of the figure.
        var sorted = _latenciesMs.Where(l => l.Op > WarmupOps).Select(l => l.Ms).Order().ToList();
        if (sorted.Count > 0)
        {
            double P(double q) => sorted[(int)Math.Min(sorted.Count - 1, q * sorted.Count)];
            Console.WriteLine($"// gossipsub tcp N={Nodes}: messages={_ops - WarmupOps} deliveries={sorted.Count} p50={P(0.5):F2} ms p99={P(0.99):F2} ms; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
        await MeasureBurstAsync(200);
        await _stop.CancelAsync();
        foreach (var (host, pubsub) in _nodes)
        {
            await pubsub.DisposeAsync();
            await host.DisposeAsync();
        }
    }

    // Throughput: publish a burst as fast as the publish calls return and time until every node has all of it.
    private async Task MeasureBurstAsync(int count)
    {
        var waits = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        for (var k = 0; k < count; k++)
        {
            var id = Interlocked.Increment(ref _next);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _inFlight[id] = (Stopwatch.GetTimestamp(), 0, done);
            waits.Add(done.Task);
            await _nodes[_random.Next(Nodes)].Pubsub.PublishAsync(Topic, BitConverter.GetBytes(id), CancellationToken.None);
        }
        var all = Task.WhenAll(waits);
        var finished = await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))) == all;
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var delivered = waits.Count(w => w.IsCompletedSuccessfully);
        Console.WriteLine($"// gossipsub tcp N={Nodes} burst: {count} messages, {delivered} fully delivered{(finished ? "" : " (timed out)")} in {seconds:F2} s = {count / seconds:F0} msgs/s, {count * (Nodes - 1) / seconds:F0} deliveries/s");
    }

    private async Task ReadAsync(GossipsubSubscription sub)
    {
        try
        {
            await foreach (var m in sub.Messages.ReadAllAsync(_stop.Token))
            {
                var now = Stopwatch.GetTimestamp();
                var id = BitConverter.ToInt64(m.Data);
                while (_inFlight.TryGetValue(id, out var entry))
                {
                    var updated = entry with { Count = entry.Count + 1 };
                    if (_inFlight.TryUpdate(id, updated, entry))
                    {
                        _latenciesMs.Add((id, Stopwatch.GetElapsedTime(entry.Start, now).TotalMilliseconds));
                        if (updated.Count == Nodes - 1)
                        {
                            updated.Done.TrySetResult();
                        }
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
