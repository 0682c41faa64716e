using System.Security.Cryptography;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Bitswap.Tests;

/// <summary>Bitswap against real Helia 7 nodes, both directions, both UnixFS profiles.</summary>
public sealed class HeliaInteropTests(HeliaPeer helia) : IClassFixture<HeliaPeer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Theory]
    [InlineData("unixfs-v1-2025", 7)]
    [InlineData("unixfs-v0-2015", 8)]
    public async Task Helia_FetchesAMultiBlockFile_FromACSharpNode(string profile, int seed)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var node = await BitswapNode.StartAsync();
        var content = TestContent.Bytes(4 * 1024 * 1024 + 777, seed);
        var imported = await new UnixFsImporter(node.Store, ImportProfile.Parse(profile)).ImportBytesAsync(content, cts.Token);
        Assert.True(node.Store.Count > 4);

        await helia.CallAsync("dial", new { addr = node.Address.ToString() });
        var reply = await helia.CallAsync("cat", new { cid = imported.Cid.ToString() });

        Assert.Equal(content.Length, reply.GetProperty("bytes").GetInt32());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), reply.GetProperty("sha256").GetString());
        var ledger = node.Bitswap.GetLedger(helia.PeerId)!;
        Assert.Equal(node.Store.Count, ledger.BlocksSent);
        Assert.Equal(node.Store.TotalBytes, ledger.BytesSent);
    }

    [Theory]
    [InlineData("unixfs-v1-2025", 9)]
    [InlineData("unixfs-v0-2015", 10)]
    public async Task CSharpNode_FetchesAMultiBlockFile_ThatHeliaAdded(string profile, int seed)
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var node = await BitswapNode.StartAsync();
        var content = TestContent.Bytes(4 * 1024 * 1024 + 555, seed);
        var path = Path.Combine(Path.GetTempPath(), $"bitswap-helia-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(path, content, cts.Token);
        try
        {
            var root = Cid.Parse((await helia.CallAsync("add", new { path, profile })).GetProperty("cid").GetString()!);
            await node.Host.DialAsync(helia.Address, cts.Token);

            var result = await node.Bitswap.FetchDagAsync(root, [helia.PeerId], null, cts.Token);

            Assert.True(result.Blocks > 4, $"only {result.Blocks} blocks");
            Assert.Equal(result.Blocks, result.BlocksFetched);
            Assert.Equal(content, await FetchTests.ExportAsync(node.Store, root, cts.Token));
            // The same bytes through our importer with the same profile give the same root CID.
            var ours = await new UnixFsImporter(new Blocks.MemoryBlockStore(discard: true), ImportProfile.Parse(profile)).ImportBytesAsync(content, cts.Token);
            Assert.Equal(root, ours.Cid);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
