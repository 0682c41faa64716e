using LinqP2P.Core;
using LinqP2P.Execution;
using LinqP2P.TestKit;

namespace LinqP2P.Execution.Docker.Tests;

/// <summary>Images from tarballs, and the typed errors raised before any container is created.</summary>
public sealed class DockerExecutorImageAndErrorTests(DockerFixture docker) : IClassFixture<DockerFixture>
{
    [Fact]
    public async Task SavedTarball_IsLoaded_AndItsImageRuns()
    {
        // A fresh tag that exists only inside the tarball: the run must load it to succeed.
        var tag = "linq-test/saved:" + Guid.NewGuid().ToString("N")[..8];
        var tarball = Path.Combine(docker.WorkRoot, "saved.tar");
        Directory.CreateDirectory(docker.WorkRoot);
        await CliAsync("tag", DockerTestImages.Busybox, tag);
        await CliAsync("save", "-o", tarball, tag);
        await CliAsync("rmi", tag);
        Assert.False(await docker.Executor.HasImageAsync(tag, CancellationToken.None));
        try
        {
            var request = DockerFixture.Shell("echo from-tarball") with
            {
                Image = new ImageSource { Reference = tag, Tarball = ImageTarball.FromFile(tarball) },
            };

            var result = await docker.RunAsync(request);

            Assert.Equal(ExecutionOutcome.Succeeded, result.Outcome);
            Assert.Equal("from-tarball", result.LogTail);
            Assert.True(await docker.Executor.HasImageAsync(tag, CancellationToken.None));
        }
        finally
        {
            await DockerTestImages.DockerCliAsync("rmi", tag);
        }
    }

    [Fact]
    public async Task TarballFromAStream_Loads()
    {
        var tag = "linq-test/streamed:" + Guid.NewGuid().ToString("N")[..8];
        var tarball = Path.Combine(docker.WorkRoot, "streamed.tar");
        Directory.CreateDirectory(docker.WorkRoot);
        await CliAsync("tag", DockerTestImages.Busybox, tag);
        await CliAsync("save", "-o", tarball, tag);
        await CliAsync("rmi", tag);
        try
        {
            var bytes = await File.ReadAllBytesAsync(tarball);
            var loaded = await docker.Executor.LoadImageAsync(
                ImageTarball.FromStream("memory", _ => Task.FromResult<Stream>(new MemoryStream(bytes))), CancellationToken.None);

            Assert.Contains(tag, loaded);
        }
        finally
        {
            await DockerTestImages.DockerCliAsync("rmi", tag);
        }
    }

    [Fact]
    public async Task CorruptTarball_FailsWithImageLoadError()
    {
        var bad = Path.Combine(docker.WorkRoot, "bad.tar");
        Directory.CreateDirectory(docker.WorkRoot);
        await File.WriteAllBytesAsync(bad, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7))]);
        var request = DockerFixture.Shell("true") with
        {
            Image = new ImageSource { Reference = "linq-test/never:1", Tarball = ImageTarball.FromFile(bad) },
        };

        var e = await Assert.ThrowsAsync<ImageLoadException>(() => docker.Executor.ExecuteAsync(request, ExecutionLogSink.None, CancellationToken.None));

        Assert.Equal("exec.image.load_failed", e.Code);
        Assert.False(e.Retryable);
        await docker.AssertNoContainerLeftAsync(request.JobId);
    }

    [Fact]
    public async Task MissingImage_WithoutRegistryPulls_FailsWithImageMissing_AndCreatesNothing()
    {
        var request = DockerFixture.Shell("true") with { Image = ImageSource.Local("linq-test/absent:" + Guid.NewGuid().ToString("N")[..8]) };

        var e = await Assert.ThrowsAsync<ImageMissingException>(() => docker.Executor.ExecuteAsync(request, ExecutionLogSink.None, CancellationToken.None));

        Assert.Equal("exec.image.missing", e.Code);
        Assert.Contains("does not allow registry pulls", e.Message, StringComparison.Ordinal);
        await docker.AssertNoContainerLeftAsync(request.JobId);
    }

    [Fact]
    public async Task GpuRequest_OnAProviderWithoutGpus_FailsBeforeAnyContainer()
    {
        // Default options: GPUs are detected with nvidia-smi, which this machine does not have.
        var request = DockerFixture.Shell("true") with { Limits = DockerFixture.SmallLimits with { GpuCount = 1 } };

        var e = await Assert.ThrowsAsync<GpuUnavailableException>(() => docker.Executor.ExecuteAsync(request, ExecutionLogSink.None, CancellationToken.None));

        Assert.Equal("exec.gpu.unavailable", e.Code);
        Assert.Contains("no GPU", e.Message, StringComparison.Ordinal);
        await docker.AssertNoContainerLeftAsync(request.JobId);
    }

    [Fact]
    public async Task GpuIds_ThisProviderDoesNotHave_AreRefused()
    {
        using var executor = new DockerExecutor(new DockerExecutorOptions
        {
            WorkRoot = docker.WorkRoot,
            Gpus = [new GpuInfo(0, "GPU-aaaa", "Test GPU", 8L << 30, "550.0")],
        });
        var request = DockerFixture.Shell("true") with { Limits = DockerFixture.SmallLimits with { GpuIds = ["GPU-bbbb"] } };

        var e = await Assert.ThrowsAsync<GpuUnavailableException>(() => executor.ExecuteAsync(request, ExecutionLogSink.None, CancellationToken.None));

        Assert.Contains("GPU-bbbb", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableDaemon_FailsWithExecutorUnavailable_ThatSaysHowToFixIt()
    {
        using var executor = new DockerExecutor(new DockerExecutorOptions
        {
            Endpoint = new Uri("unix:///tmp/linq-no-such-docker.sock"),
            WorkRoot = docker.WorkRoot,
        });

        var e = await Assert.ThrowsAsync<ExecutorUnavailableException>(
            () => executor.ExecuteAsync(DockerFixture.Shell("true"), ExecutionLogSink.None, CancellationToken.None));

        Assert.Equal("exec.daemon.unreachable", e.Code);
        Assert.True(e.Retryable);
        Assert.Contains("scripts/setup.sh", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidRequest_IsRefusedBeforeAnyContainer()
    {
        var request = DockerFixture.Shell("true") with
        {
            Limits = DockerFixture.SmallLimits with { MemoryBytes = -1 },
            OutputPaths = ["../escape"],
        };

        var e = await Assert.ThrowsAsync<InvalidInputException>(() => docker.Executor.ExecuteAsync(request, ExecutionLogSink.None, CancellationToken.None));

        Assert.Equal("exec.request.invalid", e.Code);
        Assert.Contains("memory limit", e.Message, StringComparison.Ordinal);
        Assert.Contains("../escape", e.Message, StringComparison.Ordinal);
        await docker.AssertNoContainerLeftAsync(request.JobId);
    }

    [Fact]
    public async Task MoreCpusThanTheMachineHas_AreRefused()
    {
        var request = DockerFixture.Shell("true") with
        {
            Limits = DockerFixture.SmallLimits with { NanoCpus = (Environment.ProcessorCount + 1) * 1_000_000_000L },
        };

        var e = await Assert.ThrowsAsync<InvalidInputException>(() => docker.Executor.ExecuteAsync(request, ExecutionLogSink.None, CancellationToken.None));

        Assert.Contains("CPUs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProviderSelfCheck_ReportsTheMachine_AndVerifiesEveryHardeningOption()
    {
        var report = await docker.Executor.CheckProviderAsync(DockerTestImages.Busybox, CancellationToken.None);

        Assert.True(report.CanRunJobs, string.Join("; ", report.Problems));
        Assert.Equal(Environment.ProcessorCount, report.Host.LogicalCores);
        Assert.True(report.Host.MemoryTotalBytes > 0);
        Assert.True(report.Host.DiskFreeBytes > 0);
        Assert.Empty(report.Gpus);
        Assert.NotNull(report.Engine);
        Assert.Equal("1.41", report.Engine.ApiVersion);
        Assert.All(
            new[] { "non-root-user", "no-capabilities", "no-new-privileges", "read-only-rootfs", "no-network", "pids-limit", "memory-limit" },
            k => Assert.True(report.Engine.Hardening[k], k));
    }

    [Fact]
    public async Task ProviderSelfCheck_WithoutADaemon_ReportsTheProblemInsteadOfThrowing()
    {
        using var executor = new DockerExecutor(new DockerExecutorOptions
        {
            Endpoint = new Uri("unix:///tmp/linq-no-such-docker.sock"),
            WorkRoot = docker.WorkRoot,
        });

        var report = await executor.CheckProviderAsync(null, CancellationToken.None);

        Assert.False(report.CanRunJobs);
        Assert.Null(report.Engine);
        Assert.Contains(report.Problems, p => p.Contains("unreachable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SelfBenchmark_MeasuresHashingAndMemoryCopy()
    {
        var result = await SelfBenchmark.RunAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);

        Assert.True(result.Sha256MegabytesPerSecondPerCore > 1);
        Assert.True(result.MemoryCopyGigabytesPerSecond > 0.01);
        Assert.InRange(result.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
    }

    private static async Task CliAsync(params string[] args)
    {
        var r = await DockerTestImages.DockerCliAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r.Stderr}");
    }
}
