using LinqP2P.Execution;
using LinqP2P.Execution.Docker;
using LinqP2P.TestKit;

namespace LinqP2P.Execution.Docker.Tests;

/// <summary>
/// One executor over the real dockerd for a test class, with the busybox test image built and a
/// private work root. Classes run in parallel (xunit's default), tests in a class one by one.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    public DockerExecutor Executor { get; private set; } = null!;

    public string WorkRoot { get; } = Path.Combine(Path.GetTempPath(), "linq-exec-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        await DockerTestImages.EnsureBuiltAsync();
        Executor = new DockerExecutor(new DockerExecutorOptions { WorkRoot = WorkRoot });
    }

    public Task DisposeAsync()
    {
        Executor.Dispose();
        try
        {
            Directory.Delete(WorkRoot, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        return Task.CompletedTask;
    }

    /// <summary>A request for a busybox shell script, with small limits so tests stay fast.</summary>
    public static ExecutionRequest Shell(string script, string? jobId = null) => new()
    {
        JobId = jobId ?? NewJobId(),
        Image = ImageSource.Local(DockerTestImages.Busybox),
        Command = ["/bin/sh", "-c", script],
        Limits = SmallLimits,
    };

    public static ResourceLimits SmallLimits { get; } = new()
    {
        NanoCpus = 500_000_000,
        MemoryBytes = 64 * ResourceLimits.MiB,
        PidsLimit = 64,
        ScratchBytes = 16 * ResourceLimits.MiB,
        MaxDuration = TimeSpan.FromSeconds(20),
    };

    public static string NewJobId() => "test-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Runs and then checks the one invariant every run must keep: no container is left.</summary>
    public async Task<ExecutionResult> RunAsync(ExecutionRequest request, IExecutionLogSink? sink = null, CancellationToken cancellationToken = default)
    {
        var result = await Executor.ExecuteAsync(request, sink ?? ExecutionLogSink.None, cancellationToken);
        await AssertNoContainerLeftAsync(request.JobId);
        return result;
    }

    public async Task AssertNoContainerLeftAsync(string jobId) =>
        Assert.Empty(await Executor.ListJobContainersAsync(jobId, CancellationToken.None));
}
