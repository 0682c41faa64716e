using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Benchmarks;

/// <summary>
/// One Noise+Yamux stream between two in-process hosts on loopback: 64 MiB per operation, so
/// MB/s = 67.1 / mean seconds. scripts/bench-libp2p.sh compares it with two js-libp2p nodes.
/// Also prints the memory one idle connection costs (both ends) as IDLE_CONNECTION_BYTES.
/// </summary>
[Config(typeof(InProcessConfig))]
public class Libp2pThroughputBenchmark
{
    /// <summary>In-process (no generated project to build), 1 warm-up and 5 measured operations.</summary>
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() => AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(5));
    }

    public const int Bytes = 64 * 1024 * 1024;
    private const string Protocol = "/linq/bench/1.0.0";
    private readonly byte[] _chunk = new byte[64 * 1024];
    private Libp2pHost _sender = null!;
    private Libp2pHost _receiver = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _receiver = new Libp2pHost(KeyPair.Generate());
        _receiver.SetHandler(Protocol, async (stream, ct) =>
        {
            var buffer = new byte[64 * 1024];
            while (await stream.ReadAsync(buffer, ct) > 0)
            {
            }
            await stream.WriteAsync(new byte[] { 1 }, ct);
        });
        var address = await _receiver.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        _sender = new Libp2pHost(KeyPair.Generate());
        await _sender.DialAsync(address.WithPeerId(_receiver.PeerId), CancellationToken.None);
        Console.WriteLine($"IDLE_CONNECTION_BYTES={await MeasureIdleConnectionBytesAsync(address.WithPeerId(_receiver.PeerId))}");
    }

    private static async Task<long> MeasureIdleConnectionBytesAsync(Multiaddr target)
    {
        const int n = 50;
        var clients = Enumerable.Range(0, n).Select(_ => new Libp2pHost(KeyPair.Generate(), new HostOptions { EnableIdentify = false })).ToList();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        foreach (var c in clients)
        {
            await c.DialAsync(target, CancellationToken.None);
        }
        await Task.Delay(500);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }
        return (after - before) / n;
    }

    [Benchmark]
    public async Task OneStream64MiB()
    {
        await using var stream = await _sender.NewStreamAsync(_receiver.PeerId, [Protocol], CancellationToken.None);
        for (var sent = 0; sent < Bytes; sent += _chunk.Length)
        {
            await stream.WriteAsync(_chunk, CancellationToken.None);
        }
        await stream.CloseWriteAsync(CancellationToken.None);
        var ack = new byte[1];
        await stream.ReadExactlyAsync(ack, CancellationToken.None);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _sender.DisposeAsync();
        await _receiver.DisposeAsync();
    }
}
