using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LinqP2P.Ipfs.Bitswap;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Multiformats;
using LinqP2P.TestKit;

namespace LinqP2P.Benchmarks;

/// <summary>
/// Bitswap throughput on loopback: a 64 MiB file (unixfs-v1-2025: 64 raw 1 MiB leaves) fetched whole by a
/// fresh C# requester per operation, so MB/s = 67.1 / mean seconds. <see cref="Direction"/> names provider
/// -> requester: our C# provider, or a Helia 7 node (tests/js/helia-peer.mjs) measured in the same run.
/// <see cref="YamuxWindowKiB"/> is the requester's Yamux receive window. scripts/bench-bitswap.sh prints
/// the table and the ratios.
/// </summary>
[Config(typeof(InProcessConfig))]
public class BitswapThroughputBenchmark
{
    private sealed class InProcessConfig : ManualConfig
    {
        public InProcessConfig() => AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(5))
            .AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
    }

    public const int Bytes = 64 * 1024 * 1024;

    [Params("C#->C#", "Helia->C#")]
    public string Direction { get; set; } = "C#->C#";

    [Params(256, 16384)]
    public int YamuxWindowKiB { get; set; } = 256;

    private Libp2pHost _provider = null!;
    private Multiaddr _providerAddress = null!;
    private BitswapService _providerBitswap = null!;
    private Cid _csharpRoot = null!;
    private Cid _heliaRoot = null!;
    private JsPeer _helia = null!;
    private PeerId _heliaProvider = null!;
    private Multiaddr _heliaProviderAddress = null!;
    private int _nextId;
    private string _file = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _provider = new Libp2pHost(KeyPair.Generate());
        _providerAddress = (await _provider.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None)).WithPeerId(_provider.PeerId);
        var store = new MemoryBlockStore();
        _providerBitswap = new BitswapService(_provider, store, new BitswapOptions());
        await _providerBitswap.StartAsync(CancellationToken.None);
        _csharpRoot = (await new UnixFsImporter(store, ImportProfile.UnixFsV1_2025).ImportBytesAsync(Content(1), CancellationToken.None)).Cid;

        // The Helia node provides other bytes, so the two providers can never stand in for each other.
        _helia = await JsPeer.StartAsync("helia-peer.mjs", readyTimeout: TimeSpan.FromSeconds(60));
        var node1 = _helia.Ready.GetProperty("nodes")[0];
        _heliaProvider = PeerId.Parse(node1.GetProperty("peerId").GetString()!);
        _heliaProviderAddress = Multiaddr.Parse(node1.GetProperty("addrs")[0].GetString()!);
        _file = Path.Combine(Path.GetTempPath(), $"bitswap-bench-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(_file, Content(2));
        _heliaRoot = Cid.Parse((await CallAsync("add", 0, new() { ["path"] = _file, ["profile"] = "unixfs-v1-2025" })).GetProperty("cid").GetString()!);
    }

    private static byte[] Content(int seed)
    {
        var data = new byte[Bytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Benchmark]
    public async Task Fetch64MiB()
    {
        if (Direction == "C#->C#")
        {
            await FetchAsync(_providerAddress, _provider.PeerId, _csharpRoot);
        }
        else
        {
            await FetchAsync(_heliaProviderAddress, _heliaProvider, _heliaRoot);
        }
    }

    private async Task FetchAsync(Multiaddr address, PeerId provider, Cid root)
    {
        var options = new HostOptions { Yamux = new LinqP2P.Libp2p.Yamux.YamuxOptions { WindowSize = YamuxWindowKiB * 1024 } };
        await using var host = new Libp2pHost(KeyPair.Generate(), options);
        var store = new MemoryBlockStore();
        await using var bitswap = new BitswapService(host, store, new BitswapOptions());
        await bitswap.StartAsync(CancellationToken.None);
        await host.DialAsync(address, CancellationToken.None);
        var result = await bitswap.FetchDagAsync(root, [provider], null, CancellationToken.None);
        if (result.Bytes < Bytes)
        {
            throw new InvalidOperationException($"fetched {result.Bytes} bytes, expected at least {Bytes}");
        }
    }

    private async Task<JsonElement> CallAsync(string cmd, int node, Dictionary<string, object?> args)
    {
        var id = ++_nextId;
        args["cmd"] = cmd;
        args["id"] = id;
        args["node"] = node;
        await _helia.SendAsync(args);
        while (true)
        {
            var line = await _helia.NextAsync(TimeSpan.FromMinutes(3));
            if (line.TryGetProperty("id", out var replyId) && replyId.ValueKind == JsonValueKind.Number && replyId.GetInt32() == id)
            {
                return line.GetProperty("event").GetString() == "error"
                    ? throw new InvalidOperationException($"helia-peer.mjs failed '{cmd}': {line.GetProperty("message").GetString()}")
                    : line;
            }
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _helia.DisposeAsync();
        await _providerBitswap.DisposeAsync();
        await _provider.DisposeAsync();
        File.Delete(_file);
    }
}
