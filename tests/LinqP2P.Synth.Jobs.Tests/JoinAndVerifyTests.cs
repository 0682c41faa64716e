using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Images;
using LinqP2P.Synth.Service;

namespace LinqP2P.Synth.Jobs.Tests;

public sealed class JoinAndVerifyTests : IDisposable
{
    private readonly string _work = TestData.NewFolder("linq-synth-join");

    public void Dispose() => TestData.DeleteQuietly(_work);

    /// <summary>Runs every shard in this process into result/shard-NNNN folders, as a job result is laid out.</summary>
    private async Task<string> ShardsAsync(SynthShardSpec spec, string? input, int count)
    {
        var root = Path.Combine(_work, $"result-{Guid.NewGuid():N}");
        for (var k = 0; k < count; k++)
        {
            await ShardWork.RunAsync(spec, input, k, count, Path.Combine(root, $"shard-{k:D4}"));
        }
        return root;
    }

    private async Task<JoinResult> JoinAsync(SynthShardSpec spec, string? input, int count, IBlockStore? store = null)
    {
        var root = await ShardsAsync(spec, input, count);
        return await SynthJoin.JoinAsync(spec, input, SynthJoin.FindShardFolders(root, count), Path.Combine(_work, $"dataset-{Guid.NewGuid():N}"), store: store);
    }

    [Theory]
    [InlineData(DatasetFormat.Csv)]
    [InlineData(DatasetFormat.Jsonl)]
    [InlineData(DatasetFormat.Parquet)]
    public async Task JoinedDataset_IsTheSameBytesWhateverTheShardCount(DatasetFormat format)
    {
        var spec = TestData.Tabular(rows: 7_300, format);
        var one = await JoinAsync(spec, TestData.WineModelJson, 1);
        var four = await JoinAsync(spec, TestData.WineModelJson, 4);

        var data = await File.ReadAllBytesAsync(Path.Combine(one.Directory, one.Manifest.Data));
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(four.Directory, four.Manifest.Data)));
        Assert.Equal(7_300, four.Manifest.Rows);
        Assert.Equal(4, four.Manifest.Shards.Count);
        Assert.Equal(one.Manifest.DataSha256, four.Manifest.DataSha256);
        if (format == DatasetFormat.Csv)
        {
            Assert.Equal(7_301, CsvReader.Parse(data).Rows.Count + 1);
        }
    }

    [Theory]
    [InlineData(DatasetFormat.Csv)]
    [InlineData(DatasetFormat.Jsonl)]
    [InlineData(DatasetFormat.Parquet)]
    public async Task MoreShardsThanBlocks_LeaveEmptyShardsThatJoinAndVerify(DatasetFormat format)
    {
        var spec = TestData.Tabular(rows: 2_500, format);
        var one = await JoinAsync(spec, TestData.WineModelJson, 1);
        var seven = await JoinAsync(spec, TestData.WineModelJson, 7);

        Assert.Equal(4, seven.Manifest.Shards.Count(s => s.Rows == 0));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(one.Directory, one.Manifest.Data)), await File.ReadAllBytesAsync(Path.Combine(seven.Directory, seven.Manifest.Data)));
        foreach (var k in new[] { 0, 1, 6 })
        {
            var result = await ShardVerifier.VerifyDatasetAsync(seven.Directory, k, Path.Combine(_work, $"v{k}"));
            Assert.True(result.Matches, result.Detail);
        }
    }

    [Fact]
    public async Task JoinedDataset_IsStoredAsOneDirectoryCid_ThatExportsToTheSameFiles()
    {
        var store = new MemoryBlockStore();
        var joined = await JoinAsync(TestData.Tabular(rows: 3_000, DatasetFormat.Csv), TestData.WineModelJson, 3, store);

        Assert.NotNull(joined.Cid);
        var exported = Path.Combine(_work, "exported");
        await new UnixFsExporter(store).GetAsync(joined.Cid!, exported);
        foreach (var file in Directory.EnumerateFiles(joined.Directory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(joined.Directory, file);
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(exported, relative)));
        }
        Assert.True(File.Exists(Path.Combine(exported, "report.json")));
        Assert.True(File.Exists(Path.Combine(exported, "shards", "shard-00002.json")));
    }

    [Fact]
    public async Task JoinWithTheSample_WritesTheQualityReport()
    {
        var all = SampleLoader.Infer(CsvReader.Parse(TestData.WineCsv()));
        var train = all.Select(Enumerable.Range(0, all.RowCount).Where(r => r % 5 != 4).ToList());
        var holdout = all.Select(Enumerable.Range(0, all.RowCount).Where(r => r % 5 == 4).ToList());
        var model = Synth.Tabular.TabularFitter.Fit(train).ToJson();
        var spec = TestData.Tabular(rows: 5_000, DatasetFormat.Csv) with { InputSha256 = TestData.Sha256(model) };
        var root = await ShardsAsync(spec, model, 2);

        var joined = await SynthJoin.JoinAsync(spec, model, SynthJoin.FindShardFolders(root, 2), Path.Combine(_work, "q"), new JoinSample(train, holdout));

        Assert.NotNull(joined.Quality);
        Assert.True(joined.Quality!.Overall >= 0.9, $"overall {joined.Quality.Overall}");
        Assert.Equal(0, joined.Quality.Privacy!.ExactCopies);
        Assert.Contains("\"overall\"", await File.ReadAllTextAsync(Path.Combine(joined.Directory, "report.json")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(joined.Directory, "report.html")));
    }

    [Fact]
    public async Task ShardWithAFlippedByte_IsRefusedByTheJoin()
    {
        var spec = TestData.Tabular(rows: 3_000, DatasetFormat.Jsonl);
        var root = await ShardsAsync(spec, TestData.WineModelJson, 3);
        var file = Directory.GetFiles(Path.Combine(root, "shard-0001"), "*.jsonl").Single();
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[100] ^= 1;
        await File.WriteAllBytesAsync(file, bytes);

        var e = await Assert.ThrowsAsync<SynthInputException>(() => SynthJoin.JoinAsync(spec, TestData.WineModelJson, SynthJoin.FindShardFolders(root, 3), Path.Combine(_work, "x")));
        Assert.Equal("synth.join.hash", e.Code);
    }

    [Fact]
    public async Task ShardFromAnotherRequest_IsRefusedByTheJoin()
    {
        var spec = TestData.Tabular(rows: 3_000, DatasetFormat.Csv);
        var root = await ShardsAsync(spec, TestData.WineModelJson, 2);
        await ShardWork.RunAsync(spec with { Seed = 8 }, TestData.WineModelJson, 1, 2, Path.Combine(root, "shard-0001"));

        var e = await Assert.ThrowsAsync<SynthInputException>(() => SynthJoin.JoinAsync(spec, TestData.WineModelJson, SynthJoin.FindShardFolders(root, 2), Path.Combine(_work, "x")));
        Assert.Equal("synth.join.spec", e.Code);
    }

    [Fact]
    public async Task MissingShard_IsNamed()
    {
        var root = await ShardsAsync(TestData.Tabular(rows: 3_000, DatasetFormat.Csv), TestData.WineModelJson, 2);
        Directory.Delete(Path.Combine(root, "shard-0001"), recursive: true);
        var e = Assert.Throws<SynthInputException>(() => SynthJoin.FindShardFolders(root, 2));
        Assert.Contains("shard(s) 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImageShards_MergeIntoOneCocoFile()
    {
        var spec = new SynthShardSpec { Kind = "images", Seed = 4, Images = new ImageOptions { Count = 9, Width = 48, Height = 48 } };
        var joined = await JoinAsync(spec, null, 3);

        var coco = CocoDataset.FromJson(await File.ReadAllTextAsync(Path.Combine(joined.Directory, "annotations.json")));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (long)i), coco.Images.Select(i => i.Id));
        Assert.Equal(coco.Annotations.Count, coco.Annotations.Select(a => a.Id).Distinct().Count());
        Assert.All(coco.Images, i => Assert.True(File.Exists(Path.Combine(joined.Directory, i.FileName))));
        var single = new ImageGenerator(spec.Images!, spec.Seed);
        Assert.Equal(single.Render(5).Png, await File.ReadAllBytesAsync(Path.Combine(joined.Directory, "images", "0000005.png")));
        Assert.True((await ShardVerifier.VerifyDatasetAsync(joined.Directory, 2, Path.Combine(_work, "v"))).Matches);
    }

    [Theory]
    [InlineData(DatasetFormat.Csv)]
    [InlineData(DatasetFormat.Parquet)]
    public async Task VerifyFromAFetchedResultFolder_MatchesAnHonestShard(DatasetFormat format)
    {
        var joined = await JoinAsync(TestData.Tabular(rows: 4_500, format), TestData.WineModelJson, 3);
        foreach (var k in new[] { 0, 2 })
        {
            var result = await ShardVerifier.VerifyDatasetAsync(joined.Directory, k, Path.Combine(_work, $"verify-{k}"));
            Assert.True(result.Matches, result.Detail);
            Assert.Equal(joined.Manifest.Shards[k].Sha256, result.LocalSha256);
        }
    }

    [Fact]
    public async Task VerifyFromAFetchedResultFolder_FindsATamperedRowInTheJoinedFile()
    {
        var joined = await JoinAsync(TestData.Tabular(rows: 4_500, DatasetFormat.Csv), TestData.WineModelJson, 3);
        var data = Path.Combine(joined.Directory, joined.Manifest.Data);
        var bytes = await File.ReadAllBytesAsync(data);
        var at = (int)joined.Manifest.Shards[1].Offset!.Value + 40;
        bytes[at] = bytes[at] == (byte)'1' ? (byte)'2' : (byte)'1';
        await File.WriteAllBytesAsync(data, bytes);

        var bad = await ShardVerifier.VerifyDatasetAsync(joined.Directory, 1, Path.Combine(_work, "v1"));
        Assert.False(bad.Matches);
        Assert.Contains($"at byte {at}", bad.Detail, StringComparison.Ordinal);
        Assert.True((await ShardVerifier.VerifyDatasetAsync(joined.Directory, 2, Path.Combine(_work, "v2"))).Matches);
    }

    [Fact]
    public async Task VerifyAgainstARawJobResult_SpotsAProviderThatSentOtherRows()
    {
        var spec = TestData.Tabular(rows: 3_000, DatasetFormat.Csv);
        var root = await ShardsAsync(spec, TestData.WineModelJson, 2);
        Assert.True((await ShardVerifier.VerifyShardOutputAsync(spec, TestData.WineModelJson, root, 1, 2, Path.Combine(_work, "r1"))).Matches);

        // A dishonest provider: other rows, with stats that hash them consistently.
        await ShardWork.RunAsync(spec with { Seed = 12345 }, TestData.WineModelJson, 1, 2, Path.Combine(_work, "cheat"));
        var honest = Path.Combine(root, "shard-0001");
        var stats = ShardStats.FromJson(await File.ReadAllTextAsync(Path.Combine(honest, "shard-00001.json")), "stats");
        var cheatStats = ShardStats.FromJson(await File.ReadAllTextAsync(Path.Combine(_work, "cheat", "shard-00001.json")), "cheat");
        File.Copy(Path.Combine(_work, "cheat", cheatStats.File), Path.Combine(honest, stats.File), overwrite: true);
        await File.WriteAllTextAsync(Path.Combine(honest, "shard-00001.json"), (stats with { Sha256 = cheatStats.Sha256 }).ToJson());

        var result = await ShardVerifier.VerifyShardOutputAsync(spec, TestData.WineModelJson, root, 1, 2, Path.Combine(_work, "r2"));
        Assert.False(result.Matches);
        Assert.Equal(cheatStats.Sha256, result.ProviderSha256);
    }
}
