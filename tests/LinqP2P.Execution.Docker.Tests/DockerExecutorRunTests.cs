using System.Diagnostics;
using LinqP2P.Execution;

namespace LinqP2P.Execution.Docker.Tests;

/// <summary>Running jobs on the real dockerd: outputs, environment, exit codes, logs, deadlines, cancellation.</summary>
public sealed class DockerExecutorRunTests(DockerFixture docker) : IClassFixture<DockerFixture>
{
    [Fact]
    public async Task Job_WritesOutputs_AndTheRequestedOnesAreCollected()
    {
        var request = DockerFixture.Shell(
            "mkdir -p /linq/out/result/deep && echo hello > /linq/out/result/a.txt && " +
            "head -c 3000 /dev/zero > /linq/out/result/deep/b.bin && echo scratch > /linq/out/ignored.txt") with
        {
            OutputPaths = ["result"],
        };

        var result = await docker.RunAsync(request);

        Assert.Equal(ExecutionOutcome.Succeeded, result.Outcome);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["result/a.txt", "result/deep/b.bin"], result.Outputs.Select(o => o.Path).Order());
        Assert.Equal("hello\n", await File.ReadAllTextAsync(Path.Combine(result.OutputDirectory, "result", "a.txt")));
        Assert.Equal(3000, new FileInfo(Path.Combine(result.OutputDirectory, "result", "deep", "b.bin")).Length);
        Assert.False(File.Exists(Path.Combine(result.OutputDirectory, "ignored.txt")));
        Assert.True(result.FinishedAt >= result.StartedAt);
    }

    [Fact]
    public async Task Job_SeesLinqVariables_ShardParameters_AndItsOwnEnvironment()
    {
        var request = DockerFixture.Shell("env | sort") with
        {
            ShardIndex = 2,
            ShardCount = 5,
            Environment = new Dictionary<string, string> { ["MODEL"] = "tiny model" },
            ShardParameters = new Dictionary<string, string> { ["rows"] = "100-199" },
        };

        var result = await docker.RunAsync(request);

        var env = result.LogTail.Split('\n');
        Assert.Contains($"LINQ_JOB_ID={request.JobId}", env);
        Assert.Contains("LINQ_SHARD_INDEX=2", env);
        Assert.Contains("LINQ_SHARD_COUNT=5", env);
        Assert.Contains("LINQ_PARAM_ROWS=100-199", env);
        Assert.Contains("LINQ_OUTPUT_DIR=/linq/out", env);
        Assert.Contains("MODEL=tiny model", env);
    }

    [Theory]
    [InlineData(0, ExecutionOutcome.Succeeded)]
    [InlineData(3, ExecutionOutcome.Failed)]
    [InlineData(255, ExecutionOutcome.Failed)]
    public async Task ExitCode_IsReported_AndDecidesTheOutcome(int code, ExecutionOutcome expected)
    {
        var result = await docker.RunAsync(DockerFixture.Shell($"exit {code}"));

        Assert.Equal(expected, result.Outcome);
        Assert.Equal(code, result.ExitCode);
    }

    [Fact]
    public async Task Job_OverItsDuration_IsKilledAndReportedTimedOut()
    {
        var request = DockerFixture.Shell("echo started; sleep 30") with
        {
            Limits = DockerFixture.SmallLimits with { MaxDuration = TimeSpan.FromSeconds(1) },
        };
        var clock = Stopwatch.StartNew();

        var result = await docker.RunAsync(request);

        Assert.Equal(ExecutionOutcome.TimedOut, result.Outcome);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Contains("started", result.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_KillsTheJob_AndRemovesItsContainer()
    {
        var request = DockerFixture.Shell("echo running; sleep 30");
        using var cts = new CancellationTokenSource();
        var sink = ExecutionLogSink.FromCallback(line =>
        {
            if (line.Text == "running")
            {
                cts.Cancel();
            }
        });
        var clock = Stopwatch.StartNew();

        var result = await docker.Executor.ExecuteAsync(request, sink, cts.Token);

        Assert.Equal(ExecutionOutcome.Cancelled, result.Outcome);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        await docker.AssertNoContainerLeftAsync(request.JobId);
    }

    [Fact]
    public async Task Logs_StreamToTheSinkInOrder_WithStdoutAndStderrApart()
    {
        var lines = new List<LogLine>();
        var request = DockerFixture.Shell("for i in $(seq 1 300); do echo out-$i; echo err-$i >&2; done; printf no-newline");

        var result = await docker.RunAsync(request, ExecutionLogSink.FromCallback(l => { lock (lines) { lines.Add(l); } }));

        Assert.Equal(ExecutionOutcome.Succeeded, result.Outcome);
        var stdout = lines.Where(l => l.Stream == LogStream.Stdout).Select(l => l.Text).ToList();
        var stderr = lines.Where(l => l.Stream == LogStream.Stderr).Select(l => l.Text).ToList();
        Assert.Equal([.. Enumerable.Range(1, 300).Select(i => $"out-{i}"), "no-newline"], stdout);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => $"err-{i}"), stderr);
        Assert.True(result.LogBytes > 300 * 12);
    }

    [Fact]
    public async Task LogTail_KeepsOnlyTheLastBytes_AndTheSinkStopsAtItsCap()
    {
        var lines = new List<LogLine>();
        var request = DockerFixture.Shell("seq 1 5000") with
        {
            Limits = DockerFixture.SmallLimits with { LogTailBytes = 100, MaxStreamedLogBytes = 1000 },
        };

        var result = await docker.RunAsync(request, ExecutionLogSink.FromCallback(lines.Add));

        Assert.True(result.LogTail.Length <= 100);
        Assert.EndsWith("4999\n5000", result.LogTail, StringComparison.Ordinal);
        Assert.True(lines.Count < 300, $"{lines.Count} lines reached the sink");
        Assert.Contains("[linq] log stream capped", lines[^1].Text, StringComparison.Ordinal);
        Assert.True(result.LogBytes > 20_000);
    }

    [Fact]
    public async Task SinkThatThrows_AbortsTheRun_AndTheContainerIsStillRemoved()
    {
        var request = DockerFixture.Shell("echo first; sleep 30");
        var sink = ExecutionLogSink.FromCallback(_ => throw new InvalidOperationException("sink broke"));
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => docker.Executor.ExecuteAsync(request, sink, CancellationToken.None));

        Assert.Equal("sink broke", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        await docker.AssertNoContainerLeftAsync(request.JobId);
    }

    [Fact]
    public async Task CommandThatDoesNotExist_FailsWithTheReason_AndLeavesNoContainer()
    {
        var request = DockerFixture.Shell("") with { Command = ["/bin/no-such-program"] };

        var result = await docker.RunAsync(request);

        Assert.Equal(ExecutionOutcome.Failed, result.Outcome);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no-such-program", result.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SymlinksInTheOutputs_AreNeverFollowed()
    {
        var request = DockerFixture.Shell(
            "cd /linq/out && echo real > real.txt && ln -s /etc/passwd passwd-link && ln -s / root-link && " +
            "mkdir d && ln -s ../../../../etc d/up") with
        {
            OutputPaths = ["real.txt", "passwd-link", "root-link/etc/passwd", "d"],
        };

        var result = await docker.RunAsync(request);

        Assert.Equal(["real.txt"], result.Outputs.Select(o => o.Path));
        Assert.Contains(result.SkippedOutputs, s => s.Path == "passwd-link" && s.Reason.Contains("symbolic link", StringComparison.Ordinal));
        Assert.Contains(result.SkippedOutputs, s => s.Path == "root-link/etc/passwd");
        Assert.Contains(result.SkippedOutputs, s => s.Path == "d/up");
        var copied = Directory.EnumerateFileSystemEntries(result.OutputDirectory, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(result.OutputDirectory, p)).Order();
        Assert.Equal(["d", "real.txt"], copied);
    }

    [Fact]
    public async Task OutputsOverTheCap_AreSkippedAndReported()
    {
        var request = DockerFixture.Shell("head -c 600 /dev/zero > /linq/out/a; head -c 600 /dev/zero > /linq/out/b") with
        {
            Limits = DockerFixture.SmallLimits with { MaxOutputBytes = 1000 },
        };

        var result = await docker.RunAsync(request);

        Assert.Equal(["a"], result.Outputs.Select(o => o.Path));
        Assert.Contains(result.SkippedOutputs, s => s.Path == "b" && s.Reason.Contains("output cap", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EmptyFolderFlood_IsCappedLikeFiles()
    {
        var request = DockerFixture.Shell("cd /linq/out && for i in $(seq 1 30); do mkdir d$i; done; echo x > z.txt") with
        {
            Limits = DockerFixture.SmallLimits with { MaxOutputFiles = 5 },
        };

        var result = await docker.RunAsync(request);

        Assert.Equal(5, Directory.EnumerateFileSystemEntries(result.OutputDirectory).Count());
        Assert.Contains(result.SkippedOutputs, s => s.Reason.Contains("output entries", StringComparison.Ordinal));
        Assert.Contains(result.SkippedOutputs, s => s.Path == "z.txt");
    }

    [Fact]
    public async Task SeveralShardsAtOnce_AllRunAndEachSeesItsIndex()
    {
        var jobId = DockerFixture.NewJobId();
        var runs = Enumerable.Range(0, 3).Select(i => docker.Executor.ExecuteAsync(
            DockerFixture.Shell("echo shard=$LINQ_SHARD_INDEX > /linq/out/s.txt", jobId) with { ShardIndex = i, ShardCount = 3 },
            ExecutionLogSink.None,
            CancellationToken.None));

        var results = await Task.WhenAll(runs);

        await docker.AssertNoContainerLeftAsync(jobId);
        foreach (var r in results)
        {
            Assert.Equal($"shard={r.ShardIndex}\n", await File.ReadAllTextAsync(Path.Combine(r.OutputDirectory, "s.txt")));
        }
        Assert.Equal(3, results.Select(r => r.OutputDirectory).Distinct().Count());
    }

    [Fact]
    public async Task Usage_IsSampled_WhileTheJobRuns()
    {
        var request = DockerFixture.Shell("x=$(head -c 4000000 /dev/zero | tr '\\0' a); sleep 1.2; echo ${#x}");

        var result = await docker.RunAsync(request);

        Assert.Equal(ExecutionOutcome.Succeeded, result.Outcome);
        Assert.NotNull(result.Usage);
        Assert.InRange(result.Usage.PeakMemoryBytes, 4_000_000, DockerFixture.SmallLimits.MemoryBytes);
        Assert.True(result.Usage.PeakPids >= 1);
    }

    [Fact]
    public async Task AProviderConfiguredUser_OwnsTheOutputFolder_AndCanWriteIt()
    {
        using var executor = new DockerExecutor(new DockerExecutorOptions { WorkRoot = docker.WorkRoot, UserId = 2000, GroupId = 3000 });
        var request = DockerFixture.Shell("id -u; id -g; echo ok > /linq/out/me.txt");

        var result = await executor.ExecuteAsync(request, ExecutionLogSink.None, CancellationToken.None);

        Assert.Equal("2000\n3000", result.LogTail);
        Assert.Equal(["me.txt"], result.Outputs.Select(o => o.Path));
        await docker.AssertNoContainerLeftAsync(request.JobId);
    }
}
