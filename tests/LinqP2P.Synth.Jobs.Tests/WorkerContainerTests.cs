using System.Globalization;
using LinqP2P.Execution;
using LinqP2P.Execution.Docker;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Images;
using LinqP2P.Synth.Service;

namespace LinqP2P.Synth.Jobs.Tests;

/// <summary>
/// The worker image run through the real DockerExecutor with the provider's hardening (no network,
/// read-only rootfs, uid 65534, no capabilities): its shard must be byte-identical to the same shard
/// made in this process.
/// </summary>
public sealed class WorkerContainerTests : IAsyncLifetime
{
    private readonly string _work = TestData.NewFolder("linq-synth-exec");
    private DockerExecutor _executor = null!;
    private string _image = null!;

    public async Task InitializeAsync()
    {
        _image = await WorkerImage.EnsureBuiltAsync();
        _executor = new DockerExecutor(new DockerExecutorOptions { WorkRoot = Path.Combine(_work, "exec") });
    }

    public Task DisposeAsync()
    {
        _executor.Dispose();
        TestData.DeleteQuietly(_work);
        return Task.CompletedTask;
    }

    private ExecutionRequest Request(SynthShardSpec spec, int index, int count, IReadOnlyList<InputMount> inputs, IReadOnlyDictionary<string, string>? parameters = null) => new()
    {
        JobId = "synth-" + Guid.NewGuid().ToString("N")[..12],
        ShardIndex = index,
        ShardCount = count,
        Image = ImageSource.Local(_image),
        Environment = new Dictionary<string, string> { ["SYNTH_SPEC"] = spec.ToJson() },
        ShardParameters = parameters ?? new Dictionary<string, string>(),
        Inputs = inputs,
        Limits = new ResourceLimits { NanoCpus = 1_000_000_000, MemoryBytes = 384 * ResourceLimits.MiB, MaxDuration = TimeSpan.FromMinutes(2) },
    };

    private async Task<(ShardStats Stats, string Folder)> InProcessAsync(SynthShardSpec spec, string? input, int index, int count)
    {
        var folder = Path.Combine(_work, "local-" + Guid.NewGuid().ToString("N")[..8]);
        return (await ShardWork.RunAsync(spec, input, index, count, folder), folder);
    }

    [Theory]
    [InlineData(DatasetFormat.Csv)]
    [InlineData(DatasetFormat.Parquet)]
    public async Task TabularShardFromTheContainer_IsByteIdenticalToTheInProcessShard(DatasetFormat format)
    {
        var spec = TestData.Tabular(rows: 10_000, format);
        var modelFolder = TestData.NewFolder(Path.Combine(_work, "model"));
        TestData.WriteReadable(Path.Combine(modelFolder, "model.json"), TestData.WineModelJson);
        var (local, localFolder) = await InProcessAsync(spec, TestData.WineModelJson, 2, 4);

        var result = await _executor.ExecuteAsync(Request(spec, 2, 4, [new InputMount(modelFolder, "model")], new Dictionary<string, string>
        {
            ["first_row"] = local.FirstRow.ToString(CultureInfo.InvariantCulture),
            ["rows"] = local.Rows.ToString(CultureInfo.InvariantCulture),
        }), ExecutionLogSink.None, CancellationToken.None);
        try
        {
            Assert.True(result.Outcome == ExecutionOutcome.Succeeded, $"{result.Outcome} exit {result.ExitCode}: {result.LogTail}");
            var remote = ShardStats.FromJson(await File.ReadAllTextAsync(Path.Combine(result.OutputDirectory, ShardWork.StatsFileName(2))), "container stats");
            Assert.Equal(local.Sha256, remote.Sha256);
            Assert.Equal((local.FirstRow, local.Rows), (remote.FirstRow, remote.Rows));
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(localFolder, local.File)), await File.ReadAllBytesAsync(Path.Combine(result.OutputDirectory, remote.File)));
        }
        finally
        {
            TestData.DeleteQuietly(result.OutputDirectory);
        }
    }

    [Fact]
    public async Task ImageShardFromTheContainer_HasTheSamePngsAndCocoPart()
    {
        var spec = new SynthShardSpec { Kind = "images", Seed = 3, Images = new ImageOptions { Count = 7, Width = 64, Height = 48 } };
        var (local, localFolder) = await InProcessAsync(spec, null, 1, 2);
        var result = await _executor.ExecuteAsync(Request(spec, 1, 2, []), ExecutionLogSink.None, CancellationToken.None);
        try
        {
            Assert.True(result.Outcome == ExecutionOutcome.Succeeded, $"{result.Outcome} exit {result.ExitCode}: {result.LogTail}");
            var remote = ShardStats.FromJson(await File.ReadAllTextAsync(Path.Combine(result.OutputDirectory, ShardWork.StatsFileName(1))), "container stats");
            Assert.Equal(local.Sha256, remote.Sha256);
            Assert.Equal(4, remote.Rows);
            foreach (var png in Directory.GetFiles(Path.Combine(localFolder, "images")))
            {
                Assert.Equal(await File.ReadAllBytesAsync(png), await File.ReadAllBytesAsync(Path.Combine(result.OutputDirectory, "images", Path.GetFileName(png))));
            }
        }
        finally
        {
            TestData.DeleteQuietly(result.OutputDirectory);
        }
    }

    [Fact]
    public async Task WorkerGivenAModelWithAnotherHash_FailsWithAnInputError()
    {
        var spec = TestData.Tabular(rows: 2_000, DatasetFormat.Csv) with { InputSha256 = new string('a', 64) };
        var modelFolder = TestData.NewFolder(Path.Combine(_work, "model"));
        TestData.WriteReadable(Path.Combine(modelFolder, "model.json"), TestData.WineModelJson);
        var result = await _executor.ExecuteAsync(Request(spec, 0, 1, [new InputMount(modelFolder, "model")]), ExecutionLogSink.None, CancellationToken.None);
        TestData.DeleteQuietly(result.OutputDirectory);
        Assert.Equal(ExecutionOutcome.Failed, result.Outcome);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("synth.input.missing", result.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerWhosePlanDiffersFromTheRequesters_Fails()
    {
        var spec = new SynthShardSpec { Kind = "network", Seed = 1, Network = new Synth.Generators.NetworkOptions { Rows = 5_000, Days = 2, BlockRows = 1000 } };
        var result = await _executor.ExecuteAsync(Request(spec, 0, 2, [], new Dictionary<string, string> { ["rows"] = "1" }), ExecutionLogSink.None, CancellationToken.None);
        TestData.DeleteQuietly(result.OutputDirectory);
        Assert.Equal(ExecutionOutcome.Failed, result.Outcome);
        Assert.Contains("synth.worker.plan", result.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestRunAsContainerShards_JoinsToTheBytesOfAOneShardLocalRun()
    {
        var spec = TestData.Tabular(rows: 6_000, DatasetFormat.Jsonl, seed: 21);
        var job = SynthJobMapper.Map(new SynthRequest { Spec = spec, Shards = 3, InputCid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy" }, TestData.WineModelJson);
        var modelFolder = TestData.NewFolder(Path.Combine(_work, "model"));
        TestData.WriteReadable(Path.Combine(modelFolder, "model.json"), TestData.WineModelJson);
        var results = Path.Combine(_work, "result");
        Directory.CreateDirectory(results);
        for (var k = 0; k < job.Spec.Shards.Count; k++)
        {
            var run = await _executor.ExecuteAsync(Request(spec, k, job.Spec.Shards.Count, [new InputMount(modelFolder, "model")], job.Spec.Shards.ParametersOf(k)) with
            {
                Environment = job.Spec.Environment,
            }, ExecutionLogSink.None, CancellationToken.None);
            Assert.True(run.Outcome == ExecutionOutcome.Succeeded, $"shard {k}: {run.Outcome} exit {run.ExitCode}: {run.LogTail}");
            Directory.Move(run.OutputDirectory, Path.Combine(results, $"shard-{k:D4}"));
        }

        var joined = await SynthJoin.JoinAsync(spec, TestData.WineModelJson, SynthJoin.FindShardFolders(results, 3), Path.Combine(_work, "dataset"));
        var (whole, wholeFolder) = await InProcessAsync(spec, TestData.WineModelJson, 0, 1);

        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(wholeFolder, whole.File)), await File.ReadAllBytesAsync(Path.Combine(joined.Directory, joined.Manifest.Data)));
        Assert.True((await ShardVerifier.VerifyDatasetAsync(joined.Directory, 1, Path.Combine(_work, "verify"))).Matches);
    }

    [Fact]
    public async Task SavedImageTarball_RunsAShardOnAProviderThroughImageLoad()
    {
        var tar = Path.Combine(_work, "synth-worker.tar");
        var save = await LinqP2P.TestKit.ExternalProcess.RunAsync("bash", [Path.Combine(LinqP2P.TestKit.RepoPaths.Root, "scripts", "build-synth-image.sh"), "--save", tar],
            timeout: TimeSpan.FromMinutes(6));
        Assert.True(save.ExitCode == 0, save.Stderr);
        var spec = new SynthShardSpec { Kind = "sensor", Seed = 2, Sensor = new Synth.Generators.SensorOptions { Sensors = 2, Steps = 3000, BlockRows = 1000 } };
        var (local, _) = await InProcessAsync(spec, null, 0, 2);

        var result = await _executor.ExecuteAsync(Request(spec, 0, 2, []) with
        {
            Image = new ImageSource { Reference = _image, Tarball = ImageTarball.FromFile(tar) },
        }, ExecutionLogSink.None, CancellationToken.None);
        TestData.DeleteQuietly(result.OutputDirectory);
        Assert.True(result.Outcome == ExecutionOutcome.Succeeded, $"{result.Outcome} exit {result.ExitCode}: {result.LogTail}");
        Assert.Contains(local.Sha256, result.LogTail, StringComparison.Ordinal);
    }
}
