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
}
