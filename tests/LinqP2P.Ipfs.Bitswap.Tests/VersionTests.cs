using LinqP2P.Ipfs.Importing;

namespace LinqP2P.Ipfs.Bitswap.Tests;

/// <summary>Peers that speak only 1.1.0 or 1.0.0: no want-have, no presences, and (1.0.0) no CID prefixes.</summary>
public sealed class VersionTests
{
    [Theory]
    [InlineData(BitswapProtocols.V110, "unixfs-v1-2025")]
    [InlineData(BitswapProtocols.V110, "unixfs-v0-2015")]
    [InlineData(BitswapProtocols.V100, "unixfs-v0-2015")]
    [InlineData(BitswapProtocols.V100, "unixfs-v1-2025")]
    public async Task FetchDag_WorksWithAnOlderProtocolVersion(string protocol, string profile)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var old = new BitswapOptions { InboundProtocols = [protocol], OutboundProtocols = [protocol] };
        await using var provider = await BitswapNode.StartAsync(old);
        await using var requester = await BitswapNode.StartAsync();
        var content = TestContent.Bytes(3 * 1024 * 1024 + 5, 20);
        var root = (await new UnixFsImporter(provider.Store, ImportProfile.Parse(profile)).ImportBytesAsync(content, cts.Token)).Cid;
        await requester.ConnectAsync(provider, cts.Token);

        var result = await requester.Bitswap.FetchDagAsync(root, [provider.PeerId], null, cts.Token);

        Assert.Equal(provider.Store.Count, result.Blocks);
        Assert.Equal(content, await FetchTests.ExportAsync(requester.Store, root, cts.Token));
        Assert.Equal(0, requester.Bitswap.GetLedger(provider.PeerId)!.CorruptBlocks);
    }
}
