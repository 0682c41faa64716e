using System.Diagnostics;
using LinqP2P.Execution;

namespace LinqP2P.Execution.Docker.Tests;

/// <summary>The hardening, observed from inside real containers.</summary>
public sealed class DockerExecutorIsolationTests(DockerFixture docker) : IClassFixture<DockerFixture>
{
    [Fact]
    public async Task Container_HasOnlyLoopback_AndCannotConnectAnywhere()
    {
        var result = await docker.RunAsync(DockerFixture.Shell(
            "echo ifaces=$(ls /sys/class/net); echo routes=$(tail -n +2 /proc/net/route | wc -l); " +
            "if nc 127.0.0.1 9 </dev/null; then echo nc=connected; else echo nc=failed; fi"));

        Assert.Contains("ifaces=lo", result.LogTail, StringComparison.Ordinal);
        Assert.Contains("routes=0", result.LogTail, StringComparison.Ordinal);
        Assert.Contains("nc=failed", result.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RootFilesystem_IsReadOnly_WhileOutputsAndScratchAreWritable()
    {
        var result = await docker.RunAsync(DockerFixture.Shell(
            "touch /bin/x 2>/dev/null && echo root=rw || echo root=ro; " +
            "touch /linq/out/x && echo out=rw; touch /tmp/x && echo tmp=rw"));

        Assert.Contains("root=ro", result.LogTail, StringComparison.Ordinal);
        Assert.Contains("out=rw", result.LogTail, StringComparison.Ordinal);
        Assert.Contains("tmp=rw", result.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_RunsAsNobody_WithNoCapabilities_AndNoNewPrivileges()
    {
        var result = await docker.RunAsync(DockerFixture.Shell("id -u; id -g; grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status"));

        var lines = result.LogTail.Split('\n').Select(l => l.Replace('\t', ' ')).ToList();
        Assert.Equal("65534", lines[0]);
        Assert.Equal("65534", lines[1]);
        Assert.Contains("CapEff: 0000000000000000", lines);
        Assert.Contains("CapBnd: 0000000000000000", lines);
        Assert.Contains("NoNewPrivs: 1", lines);
    }

    [Fact]
    public async Task Scratch_IsSizeLimited_AndNotExecutable()
    {
        var request = DockerFixture.Shell(
            "cp /bin/busybox /tmp/bb 2>/dev/null; chmod +x /tmp/bb; /tmp/bb true 2>/dev/null && echo exec=yes || echo exec=no; " +
            "dd if=/dev/zero of=/tmp/fill bs=1024 count=4096 2>/dev/null && echo fill=ok || echo fill=full") with
        {
            Limits = DockerFixture.SmallLimits with { ScratchBytes = 2 * ResourceLimits.MiB },
        };

        var result = await docker.RunAsync(request);

        Assert.Contains("exec=no", result.LogTail, StringComparison.Ordinal);
        Assert.Contains("fill=full", result.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemoryHog_IsKilled_AndReportedOutOfMemory()
    {
        // A 40 MB shell variable under a 16 MiB limit without swap: the kernel OOM-kills the shell.
        var request = DockerFixture.Shell("x=$(head -c 40000000 /dev/zero | tr '\\0' a); echo survived ${#x}") with
        {
            Limits = DockerFixture.SmallLimits with { MemoryBytes = 16 * ResourceLimits.MiB },
        };

        var result = await docker.RunAsync(request);

        Assert.Equal(ExecutionOutcome.OutOfMemory, result.Outcome);
        Assert.DoesNotContain("survived", result.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PidsLimit_StopsForking_BeyondTheLimit()
    {
        var request = DockerFixture.Shell(
            "n=0; for i in $(seq 1 40); do sleep 2 & n=$((n+1)); echo forked=$n; done; echo all-forked") with
        {
            Limits = DockerFixture.SmallLimits with { PidsLimit = 16 },
        };

        var result = await docker.RunAsync(request);

        Assert.DoesNotContain("all-forked", result.LogTail, StringComparison.Ordinal);
        Assert.Contains("can't fork", result.LogTail, StringComparison.Ordinal);
        Assert.DoesNotContain("forked=16", result.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForkBomb_IsContained_AndEndsAtTheDeadline()
    {
        var request = DockerFixture.Shell("b() { b | b & }; b; sleep 30") with
        {
            Limits = DockerFixture.SmallLimits with { PidsLimit = 32, MaxDuration = TimeSpan.FromSeconds(2) },
        };
        var clock = Stopwatch.StartNew();

        var result = await docker.RunAsync(request);

        Assert.Equal(ExecutionOutcome.TimedOut, result.Outcome);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        if (result.Usage is { } usage)
        {
            Assert.InRange(usage.PeakPids, 0, 32);
        }
    }

    [Fact]
    public async Task Inputs_AreReadable_ButReadOnly()
    {
        var input = Directory.CreateTempSubdirectory("linq-input-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(input.FullName, "data.csv"), "a,b\n1,2\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(input.FullName, (UnixFileMode)0x1ED); // 0755, so nobody may enter and read
            }
            var request = DockerFixture.Shell(
                "cat /linq/in/data/data.csv; echo x > /linq/in/data/new 2>/dev/null && echo in=rw || echo in=ro") with
            {
                Inputs = [new InputMount(input.FullName, "data")],
            };

            var result = await docker.RunAsync(request);

            Assert.Contains("1,2", result.LogTail, StringComparison.Ordinal);
            Assert.Contains("in=ro", result.LogTail, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(input.FullName, "new")));
        }
        finally
        {
            input.Delete(recursive: true);
        }
    }
}
