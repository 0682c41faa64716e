using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Bitswap.Tests;

public sealed class FetchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("unixfs-v1-2025")]
    [InlineData("unixfs-v0-2015")]
    public async Task FetchDag_CopiesEveryBlockOfAMultiBlockFile_FromOneProvider(string profile)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var provider = await BitswapNode.StartAsync();
        await using var requester = await BitswapNode.StartAsync();
        var content = TestContent.Bytes(5 * 1024 * 1024 + 123, 1);
        var imported = await new UnixFsImporter(provider.Store, ImportProfile.Parse(profile)).ImportBytesAsync(content, cts.Token);
        await requester.ConnectAsync(provider, cts.Token);

        var reports = new List<FetchProgress>();
        var result = await requester.Bitswap.FetchDagAsync(imported.Cid, [provider.PeerId], new SyncProgress<FetchProgress>(reports.Add), cts.Token);

        Assert.Equal(provider.Store.Count, requester.Store.Count);
        Assert.Equal(provider.Store.Count, result.Blocks);
        Assert.Equal(result.Blocks, result.BlocksFetched);
        Assert.Equal(provider.Store.TotalBytes, result.Bytes);
        Assert.Equal(content, await ExportAsync(requester.Store, imported.Cid, cts.Token));
        Assert.NotEmpty(reports);
        Assert.Equal(result.Blocks, reports[^1].BlocksDone);
        Assert.Equal(0, reports[^1].BlocksPending);
        var ledger = requester.Bitswap.GetLedger(provider.PeerId)!;
        Assert.True(ledger.BytesReceived >= result.Bytes);
        Assert.Equal(result.Blocks, ledger.BlocksReceived);
        Assert.Equal(result.Bytes, provider.Bitswap.GetLedger(requester.PeerId)!.BytesSent);
    }

    [Fact]
    public async Task FetchDag_SpreadsWantsOverThreeProviders_AndEachLedgerAgrees()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = await BitswapNode.StartAsync();
        await using var b = await BitswapNode.StartAsync();
        await using var c = await BitswapNode.StartAsync();
        // Few wants per peer, so no single provider can take the whole DAG before the others join.
        await using var requester = await BitswapNode.StartAsync(new BitswapOptions { MaxInFlightWantsPerPeer = 4 });
        var content = TestContent.Bytes(8 * 1024 * 1024, 2);
        var providers = new[] { a, b, c };
        var root = await ImportEverywhereAsync(providers, content, cts.Token);
        foreach (var p in providers)
        {
            await requester.ConnectAsync(p, cts.Token);
        }

        var result = await requester.Bitswap.FetchDagAsync(root, [a.PeerId, b.PeerId, c.PeerId], null, cts.Token);

        Assert.Equal(a.Store.Count, result.Blocks);
        Assert.Equal(result.Blocks, result.BlocksFetched);
        Assert.Equal(content, await ExportAsync(requester.Store, root, cts.Token));
        Assert.Equal(3, result.BlocksByPeer.Count);
        Assert.Equal(result.Blocks, result.BlocksByPeer.Values.Sum());
        foreach (var p in providers)
        {
            // Each provider sent exactly the blocks the session credited to it (cancelled wants are never served twice).
            var sent = p.Bitswap.GetLedger(requester.PeerId)!;
            var received = requester.Bitswap.GetLedger(p.PeerId)!;
            Assert.Equal(result.BlocksByPeer[p.PeerId], received.BlocksReceived);
            Assert.True(sent.BlocksSent >= received.BlocksReceived);
            Assert.Equal(0, received.CorruptBlocks);
        }
    }

    [Fact]
    public async Task FetchDag_Completes_WhenAProviderGoesAwayMidFetch()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var a = await BitswapNode.StartAsync();
        await using var b = await BitswapNode.StartAsync();
        await using var c = await BitswapNode.StartAsync();
        await using var requester = await BitswapNode.StartAsync(new BitswapOptions { MaxInFlightWantsPerPeer = 2, WantTimeout = TimeSpan.FromSeconds(5), ProgressReportsPerSecond = 100_000 });
        var content = TestContent.Bytes(12 * 1024 * 1024, 6);
        var providers = new[] { a, b, c };
        var root = await ImportEverywhereAsync(providers, content, cts.Token);
        foreach (var p in providers)
        {
            await requester.ConnectAsync(p, cts.Token);
        }
        var total = a.Store.Count;
        var doneWhenKilled = -1;
        Task? killed = null;
        var progress = new SyncProgress<FetchProgress>(r =>
        {
            if (killed is null && r.BlocksFetched >= 6)
            {
                doneWhenKilled = r.BlocksDone;
                killed = a.DisposeAsync().AsTask();
            }
        });

        FetchResult result;
        try
        {
            result = await requester.Bitswap.FetchDagAsync(root, [a.PeerId, b.PeerId, c.PeerId], progress, cts.Token);
        }
        finally
        {
            await (killed ?? a.DisposeAsync().AsTask());
        }

        Assert.NotNull(killed);
        Assert.InRange(doneWhenKilled, 1, total - 10);
        Assert.Equal(total, result.Blocks);
        Assert.Equal(content, await ExportAsync(requester.Store, root, cts.Token));
        // The survivors carried the rest of the fetch.
        Assert.True(result.BlocksByPeer.GetValueOrDefault(b.PeerId) + result.BlocksByPeer.GetValueOrDefault(c.PeerId) >= total - doneWhenKilled - 2);
    }

    private static async Task<Cid> ImportEverywhereAsync(IEnumerable<BitswapNode> nodes, byte[] content, CancellationToken cancellationToken)
    {
        Cid root = null!;
        foreach (var n in nodes)
        {
            root = (await new UnixFsImporter(n.Store, ImportProfile.UnixFsV0_2015).ImportBytesAsync(content, cancellationToken)).Cid;
        }
        return root;
    }

    [Fact]
    public async Task FetchDag_WorksWithLargeYamuxWindowsOnBothEnds()
    {
        // A 16 MiB receive window is granted with the stream's SYN/ACK; before that fix the sender stalled at 256 KiB.
        using var cts = new CancellationTokenSource(Timeout);
        var big = new HostOptions { Yamux = new LinqP2P.Libp2p.Yamux.YamuxOptions { WindowSize = 16 * 1024 * 1024 } };
        await using var provider = await BitswapNode.StartAsync(hostOptions: big);
        await using var requester = await BitswapNode.StartAsync(hostOptions: big);
        var content = TestContent.Bytes(6 * 1024 * 1024, 40);
        var root = (await new UnixFsImporter(provider.Store, ImportProfile.UnixFsV1_2025).ImportBytesAsync(content, cts.Token)).Cid;
        await requester.ConnectAsync(provider, cts.Token);

        var result = await requester.Bitswap.FetchDagAsync(root, [provider.PeerId], null, cts.Token);

        Assert.Equal(provider.Store.Count, result.BlocksFetched);
        Assert.Equal(content, await ExportAsync(requester.Store, root, cts.Token));
    }

    [Fact]
    public async Task FetchDag_SkipsBlocksAlreadyStored()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var provider = await BitswapNode.StartAsync();
        await using var requester = await BitswapNode.StartAsync();
        var content = TestContent.Bytes(3 * 1024 * 1024, 3);
        var root = (await new UnixFsImporter(provider.Store, ImportProfile.UnixFsV1_2025).ImportBytesAsync(content, cts.Token)).Cid;
        await new UnixFsImporter(requester.Store, ImportProfile.UnixFsV1_2025).ImportBytesAsync(content.AsMemory(0, 1024 * 1024), cts.Token);
        await requester.ConnectAsync(provider, cts.Token);

        var result = await requester.Bitswap.FetchDagAsync(root, [provider.PeerId], null, cts.Token);

        Assert.Equal(provider.Store.Count, result.Blocks);
        Assert.Equal(result.Blocks - 1, result.BlocksFetched);
    }

    [Fact]
    public async Task GetBlock_FetchesFromConnectedPeers_AndFailsTypedWhenNobodyHasIt()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var provider = await BitswapNode.StartAsync();
        await using var requester = await BitswapNode.StartAsync();
        var block = Block.Create(TestContent.Bytes(1000, 4), Multicodec.Raw, 1);
        await provider.Store.PutAsync(block, cts.Token);
        await requester.ConnectAsync(provider, cts.Token);

        var got = await requester.Bitswap.GetBlockAsync(block.Cid, null, cts.Token);
        Assert.Equal(block.Data.ToArray(), got.Data.ToArray());

        var missing = Block.Create(TestContent.Bytes(1000, 5), Multicodec.Raw, 1).Cid;
        var e = await Assert.ThrowsAsync<BitswapFetchException>(() => requester.Bitswap.GetBlockAsync(missing, [provider.PeerId], cts.Token));
        Assert.Equal("bitswap.fetch.not_found", e.Code);
        Assert.Equal(missing.ToString(), e.Cid);
    }

    internal static async Task<byte[]> ExportAsync(IBlockStore store, Cid root, CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        await new UnixFsExporter(store).CatAsync(root, output, cancellationToken: cancellationToken);
        return output.ToArray();
    }
}

/// <summary>An IProgress that reports synchronously (Progress&lt;T&gt; posts to the thread pool, so the last report could race the assertion).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value)
    {
        lock (this)
        {
            report(value);
        }
    }
}
