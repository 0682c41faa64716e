using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Service;
using LinqP2P.TestKit;

namespace LinqP2P.Synth.Jobs.Tests;

/// <summary>`linq synth verify --result DIR --shard K` run as the real CLI process on a joined dataset folder.</summary>
public sealed class VerifyCommandTests : IDisposable
{
    private readonly string _work = TestData.NewFolder("linq-synth-cli");

    public void Dispose() => TestData.DeleteQuietly(_work);

    private static string Linq
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(RepoPaths.Root, "src", "LinqP2P.Cli", "bin", configuration, "net10.0", "linq.dll");
        }
    }

    private async Task<JoinResult> DatasetAsync()
    {
        var spec = TestData.Tabular(rows: 3_000, DatasetFormat.Parquet);
        var folders = new List<string>();
        for (var k = 0; k < 3; k++)
        {
            var folder = Path.Combine(_work, "result", $"shard-{k:D4}");
            await ShardWork.RunAsync(spec, TestData.WineModelJson, k, 3, folder);
            folders.Add(folder);
        }
        return await SynthJoin.JoinAsync(spec, TestData.WineModelJson, folders, Path.Combine(_work, "dataset"));
    }

    [Fact]
    public async Task VerifyResultFolder_ExitsZeroForAnHonestShard_AndThreeForATamperedOne()
    {
        var joined = await DatasetAsync();
        var ok = await ExternalProcess.RunAsync("dotnet", [Linq, "synth", "verify", "--result", joined.Directory, "--shard", "1", "--json"], timeout: TimeSpan.FromMinutes(2));
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);
        Assert.Contains("\"Matches\":true", ok.Stdout, StringComparison.Ordinal);

        // Replace shard 1's rows in the joined Parquet file with another seed's, keeping the manifest.
        var other = TestData.Tabular(rows: 3_000, DatasetFormat.Parquet, seed: 8);
        var forged = Path.Combine(_work, "forged");
        var folders = new List<string>();
        for (var k = 0; k < 3; k++)
        {
            var folder = Path.Combine(forged, $"shard-{k:D4}");
            await ShardWork.RunAsync(k == 1 ? other : TestData.Tabular(rows: 3_000, DatasetFormat.Parquet), TestData.WineModelJson, k, 3, folder);
            folders.Add(Path.Combine(folder, SynthRunner.ShardFileName(k, 3, DatasetFormat.Parquet)));
        }
        var columns = ShardWork.CreateGenerator(other, TestData.WineModelJson).Columns;
        await ParquetJoin.ConcatenateAsync(columns, folders, Path.Combine(joined.Directory, joined.Manifest.Data), CancellationToken.None);

        var bad = await ExternalProcess.RunAsync("dotnet", [Linq, "synth", "verify", "--result", joined.Directory, "--shard", "1"], timeout: TimeSpan.FromMinutes(2));
        Assert.Equal(3, bad.ExitCode);
        Assert.Contains("MISMATCH", bad.Stdout, StringComparison.Ordinal);
        var good = await ExternalProcess.RunAsync("dotnet", [Linq, "synth", "verify", "--result", joined.Directory, "--shard", "2"], timeout: TimeSpan.FromMinutes(2));
        Assert.Equal(0, good.ExitCode);
    }

    [Fact]
    public async Task VerifyOfAFolderThatIsNotADataset_SaysWhatToGive()
    {
        var run = await ExternalProcess.RunAsync("dotnet", [Linq, "synth", "verify", "--result", _work, "--shard", "0"], timeout: TimeSpan.FromMinutes(2));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("synth.verify.not_dataset", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NetworkRequestWithNoNodeRunning_SaysToStartTheNode_AndLeavesTheJobSpecBehind()
    {
        var output = Path.Combine(_work, "out");
        var run = await ExternalProcess.RunAsync("dotnet", [Linq, "synth", "network", "--rows", "5000", "--shards", "3", "-o", output,
            "--data-dir", Path.Combine(_work, "node"), "--api", "http://127.0.0.1:9", "--token", new string('t', 40)], timeout: TimeSpan.FromMinutes(2));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cli.node_unreachable", run.Stderr, StringComparison.Ordinal);
        var spec = Market.Specs.JobSpecParser.ParseFile(Path.Combine(output, "resource.yaml"));
        Assert.Equal(3, spec.Shards.Count);
        Assert.Equal("network", SynthShardSpec.FromJson(spec.Environment["SYNTH_SPEC"]).Kind);
    }

    [Fact]
    public async Task VerifyRawFetchedResult_WithTheJobsResourceAndModel_FindsAForgedShard()
    {
        var spec = TestData.Tabular(rows: 3_000, DatasetFormat.Csv);
        var job = SynthJobMapper.Map(new SynthRequest { Spec = spec, Shards = 2, InputCid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy" }, TestData.WineModelJson);
        var resource = Path.Combine(_work, "resource.yaml");
        var model = Path.Combine(_work, "model.json");
        await File.WriteAllTextAsync(resource, job.Yaml);
        await File.WriteAllTextAsync(model, TestData.WineModelJson);
        var raw = Path.Combine(_work, "fetched");
        for (var k = 0; k < 2; k++)
        {
            await ShardWork.RunAsync(spec, TestData.WineModelJson, k, 2, Path.Combine(raw, "result", $"shard-{k:D4}"));
        }
        string[] Args(int k) => [Linq, "synth", "verify", "--result", raw, "--resource", resource, "--input", model, "--shard", k.ToString(System.Globalization.CultureInfo.InvariantCulture)];

        var ok = await ExternalProcess.RunAsync("dotnet", Args(1), timeout: TimeSpan.FromMinutes(2));
        Assert.True(ok.ExitCode == 0, ok.Stdout + ok.Stderr);

        // The provider of shard 1 delivers another seed's rows with self-consistent stats.
        await ShardWork.RunAsync(spec with { Seed = 99 }, TestData.WineModelJson, 1, 2, Path.Combine(_work, "cheat"));
        var shard1 = Path.Combine(raw, "result", "shard-0001");
        Directory.Delete(shard1, recursive: true);
        var cheatStats = ShardStats.FromJson(await File.ReadAllTextAsync(Path.Combine(_work, "cheat", "shard-00001.json")), "cheat");
        Directory.CreateDirectory(shard1);
        File.Copy(Path.Combine(_work, "cheat", cheatStats.File), Path.Combine(shard1, cheatStats.File));
        await File.WriteAllTextAsync(Path.Combine(shard1, "shard-00001.json"), (cheatStats with { SpecSha256 = TestData.Sha256(spec.ToJson()) }).ToJson());

        var bad = await ExternalProcess.RunAsync("dotnet", Args(1), timeout: TimeSpan.FromMinutes(2));
        Assert.Equal(3, bad.ExitCode);
        Assert.Contains("MISMATCH", bad.Stdout, StringComparison.Ordinal);
        var noResource = await ExternalProcess.RunAsync("dotnet", [Linq, "synth", "verify", "--result", raw, "--shard", "0"], timeout: TimeSpan.FromMinutes(2));
        Assert.Equal(1, noResource.ExitCode);
        Assert.Contains("--resource", noResource.Stderr, StringComparison.Ordinal);
    }
}
