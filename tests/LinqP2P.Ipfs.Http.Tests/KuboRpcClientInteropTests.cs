using System.Text.Json;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Importing;
using LinqP2P.TestKit;

namespace LinqP2P.Ipfs.Http.Tests;

/// <summary>npm kubo-rpc-client 7.1.0 (tests/js/kubo-rpc-client.mjs) against our RPC on a real Kestrel.</summary>
public sealed class KuboRpcClientInteropTests
{
    private static async Task<JsonElement> CallAsync(JsPeer peer, Dictionary<string, object?> command)
    {
        command["id"] = 1;
        await peer.SendAsync(command);
        var reply = await peer.NextAsync(TimeSpan.FromSeconds(60));
        if (reply.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException("kubo-rpc-client failed: " + error.GetString());
        }
        return reply;
    }

    [Fact]
    public async Task KuboRpcClient_AddsAndCats_WithOurCids()
    {
        await using var node = await TestNode.StartAsync();
        await using var peer = await JsPeer.StartAsync("kubo-rpc-client.mjs", [node.Server.Address.ToString()]);
        var cases = new (int Size, object? Options, ImportProfile Profile)[]
        {
            (0, null, ImportProfile.UnixFsV1_2025),
            (1, new { cidVersion = 0 }, ImportProfile.UnixFsV0_2015),
            (262_145, new { cidVersion = 0 }, ImportProfile.UnixFsV0_2015),
            (2_097_153, null, ImportProfile.UnixFsV1_2025),
            (600_000, new { cidVersion = 1, chunker = "size-262144", profile = "importer-default" }, ImportProfile.ImporterDefault),
        };
        foreach (var (size, options, profile) in cases)
        {
            var content = Bytes.Random(size, size + 1);
            var added = await CallAsync(peer, new() { ["op"] = "add", ["b64"] = Convert.ToBase64String(content), ["options"] = options });
            var ours = await new UnixFsImporter(new MemoryBlockStore(), profile).ImportBytesAsync(content);
            Assert.Equal(ours.Cid.ToString(), added.GetProperty("cid").GetString());
            Assert.Equal((long)ours.DagSize, added.GetProperty("size").GetInt64());
            var cat = await CallAsync(peer, new() { ["op"] = "cat", ["cid"] = ours.Cid.ToString() });
            Assert.Equal(content, Convert.FromBase64String(cat.GetProperty("b64").GetString()!));
        }
        var ranged = await CallAsync(peer, new() { ["op"] = "cat", ["cid"] = (await node.Repo.Importer().ImportBytesAsync(Bytes.Random(5000, 3))).Cid.ToString(), ["options"] = new { offset = 100, length = 50 } });
        Assert.Equal(Bytes.Random(5000, 3)[100..150], Convert.FromBase64String(ranged.GetProperty("b64").GetString()!));
    }

    [Fact]
    public async Task KuboRpcClient_AddsADirectory_AndListsPinsBlocksAndId()
    {
        await using var node = await TestNode.StartAsync();
        await using var peer = await JsPeer.StartAsync("kubo-rpc-client.mjs", [node.Server.Address.ToString()]);
        var a = Bytes.Random(70_000, 1);
        var all = await CallAsync(peer, new()
        {
            ["op"] = "addAll",
            ["files"] = new object[] { new { path = "site/a.bin", b64 = Convert.ToBase64String(a) }, new { path = "site/empty" } },
            ["options"] = new { cidVersion = 0 },
        });
        var entries = all.GetProperty("entries").EnumerateArray().ToList();
        var root = entries.Single(e => e.GetProperty("path").GetString() == "site").GetProperty("cid").GetString();
        var ours = await new UnixFsImporter(new MemoryBlockStore(), ImportProfile.UnixFsV0_2015).ImportEntriesAsync([
            new FileImportEntry("a.bin", () => new MemoryStream(a)),
            new DirectoryImportEntry("empty"),
        ]);
        Assert.Equal(ours.Cid.ToString(), root);
        var pins = (await CallAsync(peer, new() { ["op"] = "pinLs" })).GetProperty("pins").EnumerateArray().ToList();
        Assert.Contains(pins, p => p.GetProperty("cid").GetString() == root && p.GetProperty("type").GetString() == "recursive");
        var stat = await CallAsync(peer, new() { ["op"] = "blockStat", ["cid"] = root });
        Assert.Equal((await node.Repo.Blocks.GetAsync(ours.Cid)).Length, stat.GetProperty("size").GetInt32());
        var id = await CallAsync(peer, new() { ["op"] = "id" });
        Assert.Equal(node.Key.PeerId.ToString(), id.GetProperty("peer").GetString());
    }
}
