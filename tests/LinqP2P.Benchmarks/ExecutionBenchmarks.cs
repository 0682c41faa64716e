using BenchmarkDotNet.Attributes;
using LinqP2P.Execution;
using LinqP2P.Execution.Docker;
using LinqP2P.TestKit;

namespace LinqP2P.Benchmarks;

/// <summary>
/// The executor's overhead per shard (create, attach, start, wait, inspect, collect, remove) against
/// `docker run --rm` with the same hardening flags, both running `true` in the busybox test image.
/// Needs dockerd: dotnet run -c Release --project tests/LinqP2P.Benchmarks -- --filter '*Execution*'
/// </summary>
[MemoryDiagnoser]
public class ExecutionBenchmarks
{
    private DockerExecutor _executor = null!;
    private string _workRoot = null!;

    [GlobalSetup]
    public void Setup()
    {
        DockerTestImages.EnsureBuiltAsync().GetAwaiter().GetResult();
        _workRoot = Path.Combine(Path.GetTempPath(), "linq-exec-bench");
        _executor = new DockerExecutor(new DockerExecutorOptions { WorkRoot = _workRoot, SampleUsage = false });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _executor.Dispose();
        Directory.Delete(_workRoot, recursive: true);
    }

    [Benchmark]
    public async Task<ExecutionOutcome> ExecutorRunsTrue()
    {
        var result = await _executor.ExecuteAsync(
            new ExecutionRequest
            {
                JobId = "bench",
                Image = ImageSource.Local(DockerTestImages.Busybox),
                Command = ["/bin/true"],
                Limits = new ResourceLimits { MemoryBytes = 32 * ResourceLimits.MiB, PidsLimit = 16, ScratchBytes = ResourceLimits.MiB },
            },
            ExecutionLogSink.None,
            CancellationToken.None);
        Directory.Delete(result.OutputDirectory, recursive: true);
        return result.Outcome;
    }

    [Benchmark(Baseline = true)]
    public async Task<int> DockerCliRunsTrue()
    {
        var r = await DockerTestImages.DockerCliAsync(
            "run", "--rm", "--network", "none", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
            "--user", "65534:65534", "--pids-limit", "16", "--memory", "32m", "--memory-swap", "32m", "--init",
            "--tmpfs", "/tmp:rw,noexec,nosuid,nodev,size=1m", DockerTestImages.Busybox, "/bin/true");
        return r.ExitCode;
    }
}
