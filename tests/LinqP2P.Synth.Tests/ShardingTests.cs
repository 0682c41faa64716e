using System.Security.Cryptography;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;
using LinqP2P.TestKit;

namespace LinqP2P.Synth.Tests;

public sealed class ShardingTests
{
    public static TheoryData<string> Kinds => [.. TestGenerators.Kinds];

    private static async Task<byte[]> Bytes(IBlockGenerator g, int k, int count, DatasetFormat format = DatasetFormat.Csv)
    {
        using var ms = new MemoryStream();
        await using (var w = DatasetWriters.Create(format, ms, g.Columns, header: false))
        {
            foreach (var frame in ShardPlan.For(g, k, count).Generate(g))
            {
                await w.WriteAsync(frame);
            }
            await w.CompleteAsync();
        }
        return ms.ToArray();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task ConcatenatedShards_AreTheSameRowsWhateverTheShardCount(string kind)
    {
        var g = TestGenerators.Create(kind, 11, 9_999, TestGenerators.SpecFor(kind));
        var whole = await Bytes(g, 0, 1);
        foreach (var count in new[] { 2, 3, 7, 16 })
        {
            var parts = new List<byte>();
            for (var k = 0; k < count; k++)
            {
                parts.AddRange(await Bytes(TestGenerators.Create(kind, 11, 9_999, TestGenerators.SpecFor(kind)), k, count));
            }
            Assert.Equal(whole, parts.ToArray());
        }
        Assert.Equal(9_999, CsvReader.Parse(whole, new CsvReadOptions { HasHeader = false }).Rows.Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task DifferentSeeds_GiveDifferentData(string kind)
    {
        var a = await Bytes(TestGenerators.Create(kind, 1, 3_000, TestGenerators.SpecFor(kind)), 0, 1);
        var b = await Bytes(TestGenerators.Create(kind, 2, 3_000, TestGenerators.SpecFor(kind)), 0, 1);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task ShardMadeInAnotherProcess_IsByteIdentical(string kind)
    {
        var spec = TestGenerators.SpecFor(kind);
        var folder = Path.Combine(Path.GetTempPath(), "linq-synth-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            foreach (var format in new[] { "csv", "jsonl", "parquet" })
            {
                var path = Path.Combine(folder, $"{kind}-shard-2-of-5.{format}");
                string[] args = [typeof(ShardRunner).Assembly.Location, "shard", kind, "77", "12345", "2", "5", format, path];
                var result = await ExternalProcess.RunAsync("dotnet", spec is null ? args : [.. args, spec], timeout: TimeSpan.FromMinutes(3));
                Assert.True(result.ExitCode == 0, result.Stderr);

                var g = TestGenerators.Create(kind, 77, 12345, spec);
                using var ms = new MemoryStream();
                await using (var w = DatasetWriters.Create(DatasetWriters.Parse(format), ms, g.Columns))
                {
                    foreach (var frame in ShardPlan.For(g, 2, 5).Generate(g))
                    {
                        await w.WriteAsync(frame);
                    }
                    await w.CompleteAsync();
                }
                Assert.Equal(Convert.ToHexString(SHA256.HashData(ms.ToArray())), Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(path))));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ShardPlans_CoverEveryRowExactlyOnce()
    {
        var g = TestGenerators.Create("network", 1, 123_457, null);
        foreach (var count in new[] { 1, 2, 5, 13, 200 })
        {
            var plans = Enumerable.Range(0, count).Select(k => ShardPlan.For(g, k, count)).ToList();
            Assert.Equal(0, plans[0].FirstRow);
            Assert.Equal(g.TotalRows, plans.Sum(p => p.RowCount));
            Assert.All(plans.Zip(plans.Skip(1)), p => Assert.Equal(p.First.FirstRow + p.First.RowCount, p.Second.FirstRow));
        }
    }
}
