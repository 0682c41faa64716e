using LinqP2P.Ethereum.Rpc;
using LinqP2P.Node.Chain;
using LinqP2P.TestKit;

namespace LinqP2P.IntegrationTests.Rpc;

public sealed class LogPollerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("linq-logs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CursorFile => Path.Combine(_dir, "cursors.db");

    [Fact]
    public async Task Poller_DeliversEachLogOnceInChainOrder()
    {
        await using var anvil = await AnvilFixture.StartAsync();
        using var rpc = Chain.Rpc(anvil);
        var sender = Chain.Sender(rpc);
        var emitter = await Chain.DeployEmitterAsync(sender);
        for (var i = 0; i < 3; i++)
        {
            await Chain.EmitAsync(sender, emitter);
        }

        var seen = new List<EventLog>();
        var poller = new LogPoller(rpc, new InMemoryLogCursorStore(), "emitter", Collect(seen), new LogPollerOptions { Addresses = [emitter] });
        Assert.Equal(3, await poller.PollOnceAsync());
        Assert.Equal(0, await poller.PollOnceAsync());

        Assert.All(seen, l => Assert.Equal(Chain.EmitterTopic, l.Topics.Single()));
        Assert.Equal(seen.Select(l => l.BlockNumber).Order(), seen.Select(l => l.BlockNumber));
        Assert.Equal(3, seen.Select(l => l.Key).Distinct().Count());
    }

    [Fact]
    public async Task Poller_ResumesFromItsLiteDbCursorAfterARestartWithoutRedelivering()
    {
        await using var anvil = await AnvilFixture.StartAsync();
        using var rpc = Chain.Rpc(anvil);
        var sender = Chain.Sender(rpc);
        var emitter = await Chain.DeployEmitterAsync(sender);
        var options = new LogPollerOptions { Addresses = [emitter] };
        var seen = new List<EventLog>();

        for (var i = 0; i < 3; i++)
        {
            await Chain.EmitAsync(sender, emitter);
        }
        using (var store = new LiteDbLogCursorStore(CursorFile))
        {
            Assert.Equal(3, await new LogPoller(rpc, store, "emitter", Collect(seen), options).PollOnceAsync());
        }

        // The node restarts: a new store and poller over the same file.
        await Chain.EmitAsync(sender, emitter);
        await Chain.EmitAsync(sender, emitter);
        using (var store = new LiteDbLogCursorStore(CursorFile))
        {
            var restarted = new LogPoller(rpc, store, "emitter", Collect(seen), options);
            Assert.Equal(2, await restarted.PollOnceAsync());
            Assert.Equal(0, await restarted.PollOnceAsync());
        }

        Assert.Equal(5, seen.Count);
        Assert.Equal(5, seen.Select(l => l.Key).Distinct().Count());
        Assert.DoesNotContain(seen, l => l.Removed);
    }

    [Fact]
    public async Task Poller_AfterAReorg_MarksAbandonedLogsRemovedAndDeliversTheNewBranch()
    {
        await using var anvil = await AnvilFixture.StartAsync();
        using var rpc = Chain.Rpc(anvil);
        var sender = Chain.Sender(rpc);
        var emitter = await Chain.DeployEmitterAsync(sender);
        var logs = new List<EventLog>();
        for (var i = 0; i < 4; i++)
        {
            await Chain.EmitAsync(sender, emitter);
        }
        using var store = new LiteDbLogCursorStore(CursorFile);
        var poller = new LogPoller(rpc, store, "emitter", Collect(logs), new LogPollerOptions { Addresses = [emitter] });
        Assert.Equal(4, await poller.PollOnceAsync());
        var beforeReorg = logs.ToList();

        // Replace the newest two blocks; the new branch carries one emit, in its second block.
        var emit = new CallRequest { From = AnvilFixture.DevAccounts[0], To = emitter, Gas = RpcHex.Quantity(50_000) };
        await Chain.ReorgAsync(rpc, 2, (emit, 1));
        logs.Clear();

        Assert.Equal(3, await poller.PollOnceAsync());
        var removed = logs.Take(2).ToList();
        Assert.All(removed, l => Assert.True(l.Removed));
        // Removed logs come newest first and are exactly the two abandoned ones.
        Assert.Equal(beforeReorg.TakeLast(2).Reverse().Select(l => l.Key), removed.Select(l => l.Key));
        var added = Assert.Single(logs.Skip(2));
        Assert.False(added.Removed);
        Assert.Equal(beforeReorg[^1].BlockNumber, added.BlockNumber);
        Assert.NotEqual(beforeReorg[^1].BlockHash, added.BlockHash);

        // Nothing further: every canonical log was seen once, every abandoned one was retracted once.
        Assert.Equal(0, await poller.PollOnceAsync());
    }

    [Fact]
    public async Task Poller_NoticesAReorgAcrossARestart()
    {
        await using var anvil = await AnvilFixture.StartAsync();
        using var rpc = Chain.Rpc(anvil);
        var sender = Chain.Sender(rpc);
        var emitter = await Chain.DeployEmitterAsync(sender);
        var logs = new List<EventLog>();
        await Chain.EmitAsync(sender, emitter);
        await Chain.EmitAsync(sender, emitter);
        using (var store = new LiteDbLogCursorStore(CursorFile))
        {
            Assert.Equal(2, await new LogPoller(rpc, store, "s", Collect(logs), new LogPollerOptions { Addresses = [emitter] }).PollOnceAsync());
        }

        await Chain.ReorgAsync(rpc, 1);
        logs.Clear();
        using (var store = new LiteDbLogCursorStore(CursorFile))
        {
            Assert.Equal(1, await new LogPoller(rpc, store, "s", Collect(logs), new LogPollerOptions { Addresses = [emitter] }).PollOnceAsync());
        }
        Assert.True(Assert.Single(logs).Removed);
    }

    [Fact]
    public async Task Poller_WithALag_HoldsBackTheNewestBlocks()
    {
        await using var anvil = await AnvilFixture.StartAsync();
        using var rpc = Chain.Rpc(anvil);
        var sender = Chain.Sender(rpc);
        var emitter = await Chain.DeployEmitterAsync(sender);
        await Chain.EmitAsync(sender, emitter);
        await Chain.EmitAsync(sender, emitter);
        var seen = new List<EventLog>();
        var poller = new LogPoller(rpc, new InMemoryLogCursorStore(), "lagged", Collect(seen), new LogPollerOptions { Addresses = [emitter], Lag = 2 });

        Assert.Equal(0, await poller.PollOnceAsync());
        await Chain.MineAsync(rpc, 1);
        Assert.Equal(1, await poller.PollOnceAsync());
        await Chain.MineAsync(rpc, 1);
        Assert.Equal(1, await poller.PollOnceAsync());
    }

    [Fact]
    public async Task RunAsync_DeliversLogsAsBlocksArriveUntilCancelled()
    {
        await using var anvil = await AnvilFixture.StartAsync();
        using var rpc = Chain.Rpc(anvil);
        var sender = Chain.Sender(rpc);
        var emitter = await Chain.DeployEmitterAsync(sender);
        var seen = new List<EventLog>();
        var three = new TaskCompletionSource();
        using var store = new LiteDbLogCursorStore(CursorFile);
        var poller = new LogPoller(rpc, store, "live", (log, _) =>
        {
            lock (seen)
            {
                seen.Add(log);
                if (seen.Count == 3)
                {
                    three.TrySetResult();
                }
            }
            return Task.CompletedTask;
        }, new LogPollerOptions { Addresses = [emitter], Interval = TimeSpan.FromMilliseconds(50) });

        using var cts = new CancellationTokenSource();
        var running = poller.RunAsync(cts.Token);
        for (var i = 0; i < 3; i++)
        {
            await Chain.EmitAsync(sender, emitter);
        }
        await three.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(3, seen.Select(l => l.Key).Distinct().Count());
    }

    private static Func<EventLog, CancellationToken, Task> Collect(List<EventLog> into) => (log, _) =>
    {
        into.Add(log);
        return Task.CompletedTask;
    };
}
