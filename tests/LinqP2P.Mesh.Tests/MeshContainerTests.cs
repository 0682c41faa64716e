using System.Globalization;
using LinqP2P.Execution;
using LinqP2P.Execution.Docker;
using LinqP2P.Libp2p.Streams;
using LinqP2P.TestKit;

namespace LinqP2P.Mesh.Tests;

/// <summary>
/// Mesh links between real containers (dockerd, the busybox test image, network mode none), each
/// container served by its own libp2p host on 127.0.0.1, as two providers would.
/// </summary>
public sealed class MeshContainerTests : IAsyncLifetime
{
    /// <summary>
    /// Listens on the shard's mesh port with a stdin that never ends (busybox nc would otherwise half-close
    /// at once) and writes what arrives to /linq/out/got.
    /// </summary>
    private const string Receive =
        "mkfifo /tmp/f && exec 3<>/tmp/f && nc -l -p ${LINQ_MESH_LISTEN##*:} <&3 > /linq/out/got; echo \"$LINQ_MESH_LISTEN\" > /linq/out/listen";

    private readonly string _workRoot = Path.Combine(Path.GetTempPath(), "linq-mesh-tests-" + Guid.NewGuid().ToString("N")[..8]);
    private DockerExecutor _executor = null!;
    private MeshNode _a = null!;
    private MeshNode _b = null!;

    public async Task InitializeAsync()
    {
        await DockerTestImages.EnsureBuiltAsync();
        _executor = new DockerExecutor(new DockerExecutorOptions { WorkRoot = _workRoot });
        _a = await MeshNode.StartAsync();
        _b = await MeshNode.StartAsync(new MeshOptions { IdleTimeout = TimeSpan.FromSeconds(30) });
        await _a.ConnectAsync(_b);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _executor.Dispose();
        try
        {
            Directory.Delete(_workRoot, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public async Task TwoContainersOfOneJob_ExchangeAFileThroughTheMesh_AndHaveNoOtherNetwork()
    {
        var job = NewJobId();
        Award(job);
        var input = Directory.CreateDirectory(Path.Combine(_workRoot, "in-" + job)).FullName;
        var blob = new byte[300_000];
        Random.Shared.NextBytes(blob);
        await File.WriteAllBytesAsync(Path.Combine(input, "blob"), blob);

        const string send =
            "cat /proc/net/tcp > /linq/out/tcp; cat /proc/net/route > /linq/out/route; ls /sys/class/net > /linq/out/ifaces; " +
            "echo \"$LINQ_MESH_PEERS\" > /linq/out/peers; nc 127.0.0.1 7001 < /linq/in/data/blob";
        var sender = Request(job, 0, send) with { Inputs = [new InputMount(input, "data")], StartHook = _a.Mesh.CreateStartHook(job, 0, 2) };
        var receiver = Request(job, 1, Receive) with { StartHook = _b.Mesh.CreateStartHook(job, 1, 2) };

        var results = await Task.WhenAll(Run(sender), Run(receiver));
        await AssertNoContainerLeftAsync(job);

        Assert.All(results, r => Assert.True(r.Outcome == ExecutionOutcome.Succeeded, $"shard {r.ShardIndex}: {r.Outcome} {r.ExitCode}\n{r.LogTail}"));
        Assert.Equal(blob, await File.ReadAllBytesAsync(Path.Combine(results[1].OutputDirectory, "got")));
        Assert.Equal("127.0.0.1:7001", (await Output(results[1], "listen")).Trim());
        Assert.Equal("1=127.0.0.1:7001", (await Output(results[0], "peers")).Trim());

        // No interface but lo, no route, and the only socket is the mesh listener on 127.0.0.1.
        Assert.Equal("lo", (await Output(results[0], "ifaces")).Trim());
        Assert.Single((await Output(results[0], "route")).Split('\n', StringSplitOptions.RemoveEmptyEntries)); // the header line only
        var sockets = (await Output(results[0], "tcp")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var listener = Assert.Single(sockets);
        Assert.Equal("0100007F:" + 7001.ToString("X4", CultureInfo.InvariantCulture), listener[1]); // 127.0.0.1:7001
        Assert.Equal("0A", listener[3]); // LISTEN

        Assert.Equal(blob.Length, _a.Mesh.Stats(job).BytesToPeers);
        Assert.Equal(blob.Length, _b.Mesh.Stats(job).BytesFromPeers);
        Assert.Equal(0, _a.Mesh.Stats(job).LinksOpen);
    }

    [Fact]
    public async Task ATargetContainerStartingLater_StillGetsTheLink()
    {
        var job = NewJobId();
        Award(job);
        var sender = Run(Request(job, 0, "echo late-but-there | nc 127.0.0.1 7001") with { StartHook = _a.Mesh.CreateStartHook(job, 0, 2) });
        await Task.Delay(1500);
        var receiver = Run(Request(job, 1, Receive) with { StartHook = _b.Mesh.CreateStartHook(job, 1, 2) });

        var results = await Task.WhenAll(sender, receiver);

        Assert.All(results, r => Assert.True(r.Outcome == ExecutionOutcome.Succeeded, $"shard {r.ShardIndex}: {r.Outcome} {r.ExitCode}\n{r.LogTail}"));
        Assert.Equal("late-but-there\n", await Output(results[1], "got"));
    }

    [Fact]
    public async Task RevokingTheJob_ResetsItsOpenLinks_AndRefusesNewOnes()
    {
        var job = NewJobId();
        Award(job);
        var receiver = Run(Request(job, 1, Receive) with { StartHook = _b.Mesh.CreateStartHook(job, 1, 2) });

        var (stream, reply) = await OpenWhenAttachedAsync(job);
        Assert.Equal(MeshStatus.Ok, reply.Status);
        await stream.WriteAsync("hello\n"u8.ToArray());
        await WaitForAsync(() => _b.Mesh.Stats(job).BytesFromPeers == 6, "the first bytes did not reach the container");
        Assert.Equal(1, _b.Mesh.Stats(job).LinksOpen);

        Assert.True(_b.Authorizations.Revoke(job));

        // The stream is reset: reading fails (or ends) at once instead of waiting for the container.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var n = await stream.ReadAsync(new byte[16], timeout.Token);
            await stream.WriteAsync(new byte[70_000], timeout.Token);
            Assert.Fail($"the stream was not reset (read {n})");
        });
        Assert.False(timeout.IsCancellationRequested, "the reset took until the timeout");
        await WaitForAsync(() => _b.Mesh.OpenLinks == 0, "the link is still open");
        Assert.Equal(0, _b.Mesh.Stats(job).LinksOpened); // counters are dropped with the job
        var result = await receiver; // nc saw the reset and ended, long before the 20 s limit
        Assert.NotEqual(ExecutionOutcome.TimedOut, result.Outcome);
        Assert.Equal("hello\n", await Output(result, "got"));
        await AssertNoContainerLeftAsync(job);

        Assert.Equal(MeshStatus.NotAuthorized, (await _a.OpenRawAsync(_b, new MeshHeader(job, 0, 1, 7001))).Reply.Status);
    }

    [Fact]
    public async Task AHostNotAwardedTheJob_IsRefused_WhileTheTargetContainerRuns()
    {
        var job = NewJobId();
        Award(job);
        await using var stranger = await MeshNode.StartAsync();
        await stranger.ConnectAsync(_b);
        var receiver = Run(Request(job, 1, Receive) with { StartHook = _b.Mesh.CreateStartHook(job, 1, 2) });
        var (legit, ok) = await OpenWhenAttachedAsync(job);
        Assert.Equal(MeshStatus.Ok, ok.Status);

        var (_, refused) = await stranger.OpenRawAsync(_b, new MeshHeader(job, 0, 1, 7001));
        var wrongPort = await _a.OpenRawAsync(_b, new MeshHeader(job, 0, 1, 22));

        Assert.Equal(MeshStatus.NotAuthorized, refused.Status);
        Assert.Equal(MeshStatus.PortNotAllowed, wrongPort.Reply.Status);
        Assert.Contains(_b.Refusals, r => r.Peer == stranger.PeerId && r.Status == MeshStatus.NotAuthorized);

        // The authorized link still works end to end.
        await legit.WriteAsync("only-this\n"u8.ToArray());
        await legit.CloseWriteAsync();
        var result = await receiver;
        Assert.Equal(ExecutionOutcome.Succeeded, result.Outcome);
        Assert.Equal("only-this\n", await Output(result, "got"));
    }

    [Fact]
    public async Task AnIdleLink_IsResetAfterTheIdleTimeout()
    {
        await using var quick = await MeshNode.StartAsync(new MeshOptions { IdleTimeout = TimeSpan.FromMilliseconds(600) });
        await _a.ConnectAsync(quick);
        var job = NewJobId();
        foreach (var node in new[] { _a, quick })
        {
            node.Authorizations.Allow(job, _a.PeerId, 0);
            node.Authorizations.Allow(job, quick.PeerId, 1);
        }
        var receiver = Run(Request(job, 1, Receive) with { StartHook = quick.Mesh.CreateStartHook(job, 1, 2) });
        var (stream, reply) = await OpenWhenAttachedAsync(job, quick);
        Assert.Equal(MeshStatus.Ok, reply.Status);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<Exception>(async () => await stream.ReadAsync(new byte[16], timeout.Token).AsTask()
            .ContinueWith(t => t.Result == 0 ? throw new IOException("ended") : t.Result, TaskScheduler.Default));
        Assert.False(timeout.IsCancellationRequested, "the idle link was not reset");
        Assert.NotEqual(ExecutionOutcome.TimedOut, (await receiver).Outcome);
    }

    [Theory]
    [InlineData(2, 64, "the job has 2 links open")]
    [InlineData(64, 1, "peer has 1 links open")]
    public async Task ALinkOverTheLimit_IsRefused_AndAClosedLinkFreesItsSlot(int perJob, int perPeer, string reason)
    {
        await using var limited = await MeshNode.StartAsync(new MeshOptions { MaxStreamsPerJob = perJob, MaxStreamsPerPeer = perPeer });
        await _a.ConnectAsync(limited);
        var job = NewJobId();
        foreach (var node in new[] { _a, limited })
        {
            node.Authorizations.Allow(job, _a.PeerId, 0);
            node.Authorizations.Allow(job, limited.PeerId, 1);
        }
        using var stop = new CancellationTokenSource();
        // A persistent echo server: every link gets its own cat.
        var echo = _executor.ExecuteAsync(
            Request(job, 1, "exec nc -ll -p ${LINQ_MESH_LISTEN##*:} -e cat") with { StartHook = limited.Mesh.CreateStartHook(job, 1, 2) },
            ExecutionLogSink.None, stop.Token);
        var limit = Math.Min(perJob, perPeer);
        var links = new List<P2PStream>();
        for (var i = 0; i < limit; i++)
        {
            var (stream, reply) = await OpenWhenAttachedAsync(job, limited);
            Assert.Equal(MeshStatus.Ok, reply.Status);
            await AssertEchoesAsync(stream, $"link {i}\n");
            links.Add(stream);
        }
        Assert.Equal(limit, limited.Mesh.OpenLinks);

        var (_, over) = await _a.OpenRawAsync(limited, new MeshHeader(job, 0, 1, 7001));

        Assert.Equal(MeshStatus.LimitReached, over.Status);
        Assert.Contains(reason, over.Reason, StringComparison.Ordinal);
        Assert.Contains(limited.Refusals, r => r.JobId == job && r.Status == MeshStatus.LimitReached);
        Assert.Equal(limit, limited.Mesh.OpenLinks); // the refused one never counted

        // Closing one link frees its slot; the others keep working.
        links[0].Reset();
        await WaitForAsync(() => limited.Mesh.OpenLinks == limit - 1, "the reset link still counts");
        var (again, ok) = await _a.OpenRawAsync(limited, new MeshHeader(job, 0, 1, 7001));
        Assert.Equal(MeshStatus.Ok, ok.Status);
        await AssertEchoesAsync(again, "again\n");
        if (links.Count > 1)
        {
            await AssertEchoesAsync(links[1], "still\n");
        }

        await stop.CancelAsync();
        Assert.Equal(ExecutionOutcome.Cancelled, (await echo).Outcome);
        await AssertNoContainerLeftAsync(job);
        await WaitForAsync(() => limited.Mesh.OpenLinks == 0, "links outlived the container");
    }

    private static async Task AssertEchoesAsync(P2PStream stream, string text)
    {
        var sent = System.Text.Encoding.ASCII.GetBytes(text);
        await stream.WriteAsync(sent);
        var got = new byte[sent.Length];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < got.Length)
        {
            var n = await stream.ReadAsync(got.AsMemory(read), timeout.Token);
            Assert.True(n > 0, $"the link ended after {read} echoed bytes");
            read += n;
        }
        Assert.Equal(sent, got);
    }

    private void Award(string job)
    {
        foreach (var node in new[] { _a, _b })
        {
            node.Authorizations.Allow(job, _a.PeerId, 0);
            node.Authorizations.Allow(job, _b.PeerId, 1);
        }
    }

    /// <summary>Opens a raw link from node A (the holder of shard 0) to shard 1, once its container is attached.</summary>
    private async Task<(P2PStream Stream, MeshReply Reply)> OpenWhenAttachedAsync(string job, MeshNode? target = null)
    {
        target ??= _b;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (stream, reply) = await _a.OpenRawAsync(target, new MeshHeader(job, 0, 1, 7001));
            if (reply.Status != MeshStatus.UnknownTarget || DateTime.UtcNow > deadline)
            {
                return (stream, reply);
            }
            await stream.DisposeAsync();
            await Task.Delay(100);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string message)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, message);
            await Task.Delay(20);
        }
    }

    private Task<ExecutionResult> Run(ExecutionRequest request) =>
        _executor.ExecuteAsync(request, ExecutionLogSink.None, CancellationToken.None);

    private async Task AssertNoContainerLeftAsync(string job) =>
        Assert.Empty(await _executor.ListJobContainersAsync(job, CancellationToken.None));

    private static Task<string> Output(ExecutionResult result, string name) =>
        File.ReadAllTextAsync(Path.Combine(result.OutputDirectory, name));

    private static ExecutionRequest Request(string job, int shard, string script) => new()
    {
        JobId = job,
        ShardIndex = shard,
        ShardCount = 2,
        Image = ImageSource.Local(DockerTestImages.Busybox),
        Command = ["/bin/sh", "-c", script],
        Limits = new ResourceLimits
        {
            NanoCpus = 500_000_000,
            MemoryBytes = 64 * ResourceLimits.MiB,
            PidsLimit = 64,
            ScratchBytes = 16 * ResourceLimits.MiB,
            MaxDuration = TimeSpan.FromSeconds(20),
        },
    };

    private static string NewJobId() => "mesh-" + Guid.NewGuid().ToString("N")[..12];
}
