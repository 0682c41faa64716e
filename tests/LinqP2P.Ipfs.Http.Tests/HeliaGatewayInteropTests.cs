using System.Security.Cryptography;
using System.Text.Json;
using LinqP2P.Ipfs.Importing;
using LinqP2P.TestKit;

namespace LinqP2P.Ipfs.Http.Tests;

/// <summary>
/// Helia 7 over HTTP only (tests/js/helia-gateway.mjs, @helia/trustless-gateway-client) reading files and
/// folders from our trustless gateway: every block it gets is one of our ?format=raw answers, hash-checked.
/// </summary>
public sealed class HeliaGatewayInteropTests
{
    private static async Task<JsonElement> CallAsync(JsPeer peer, object command)
    {
        await peer.SendAsync(command);
        var reply = await peer.NextAsync(TimeSpan.FromSeconds(90));
        Assert.False(reply.TryGetProperty("error", out var error), "helia failed: " + error + "\n" + peer.Stderr);
        return reply;
    }

    [Fact]
    public async Task Helia_CatsFilesAndListsFolders_FromOurGateway()
    {
        await using var node = await TestNode.StartAsync();
        await using var helia = await JsPeer.StartAsync("helia-gateway.mjs", [node.Server.Address.ToString().TrimEnd('/')]);
        foreach (var (size, profile) in new[] { (0, ImportProfile.UnixFsV1_2025), (5_000_000, ImportProfile.UnixFsV1_2025), (700_000, ImportProfile.UnixFsV0_2015) })
        {
            var content = Bytes.Random(size, size);
            var added = await node.AddBytesAsync(content, profile);
            var reply = await CallAsync(helia, new { id = 1, op = "cat", cid = added.Cid.ToString() });
            Assert.Equal(size, reply.GetProperty("size").GetInt32());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), reply.GetProperty("sha256").GetString());
        }
        var file = Bytes.Random(300_000, 77);
        var dir = await node.Repo.Importer().ImportEntriesAsync([
            new FileImportEntry("docs/file.bin", () => new MemoryStream(file)),
            new FileImportEntry("readme.txt", () => new MemoryStream("hello"u8.ToArray())),
        ]);
        var listing = await CallAsync(helia, new { id = 2, op = "ls", cid = dir.Cid.ToString() });
        Assert.Equal(["docs", "readme.txt"], listing.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList());
        var nested = await CallAsync(helia, new { id = 3, op = "cat", cid = dir.Cid.ToString(), path = "docs/file.bin" });
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(file)), nested.GetProperty("sha256").GetString());
    }
}
