using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Ipfs.Importing;
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
    public async Task FetchDag_SpreadsWantsOverSeveralProviders()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var a = await BitswapNode.StartAsync();
        await using var b = await BitswapNode.StartAsync();
        await using var c = await BitswapNode.StartAsync();
        await using var requester = await BitswapNode.StartAsync();
        var content = TestContent.Bytes(8 * 1024 * 1024, 2);
        Cid root = null!;
        foreach (var p in new[] { a, b, c })
        {
            root = (await new UnixFsImporter(p.Store, ImportProfile.UnixFsV0_2015).ImportBytesAsync(content, cts.Token)).Cid;
            await requester.ConnectAsync(p, cts.Token);
        }

        var result = await requester.Bitswap.FetchDagAsync(root, [a.PeerId, b.PeerId, c.PeerId], null, cts.Token);

        Assert.Equal(a.Store.Count, result.Blocks);
        Assert.True(result.BlocksByPeer.Count >= 2, $"blocks came from {result.BlocksByPeer.Count} peer(s) only");
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
