using BenchmarkDotNet.Attributes;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Importing;

namespace LinqP2P.Benchmarks;

/// <summary>
/// UnixFS import throughput: chunk, hash, encode, into a blockstore that keeps nothing (the js side of
/// scripts/bench-ipfs.sh does the same), so the figure is the importer's own cost. The content is the
/// file named by $LINQ_BENCH_IPFS_FILE (the script writes it), else 256 MiB of pseudo-random bytes.
/// </summary>
[MemoryDiagnoser]
public class IpfsImportBenchmarks
{
    private byte[] _content = [];

    [Params("unixfs-v1-2025", "unixfs-v0-2015")]
    public string Profile { get; set; } = "unixfs-v1-2025";

    [GlobalSetup]
    public void Setup()
    {
        var file = Environment.GetEnvironmentVariable("LINQ_BENCH_IPFS_FILE");
        if (file is { Length: > 0 })
        {
            _content = File.ReadAllBytes(file);
            return;
        }
        _content = new byte[256 << 20];
        new Random(1).NextBytes(_content);
    }

    [Benchmark]
    public async Task<string> Import()
    {
        using var stream = new MemoryStream(_content, writable: false);
        var importer = new UnixFsImporter(new MemoryBlockStore(discard: true), ImportProfile.Parse(Profile));
        var result = await importer.ImportFileAsync(stream);
        return result.Cid.ToString();
    }
}
