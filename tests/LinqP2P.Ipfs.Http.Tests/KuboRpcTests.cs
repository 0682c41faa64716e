using System.Formats.Tar;
using System.Net;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Ipfs.Pinning;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Http.Tests;

public sealed class KuboRpcTests
{
    [Theory]
    [InlineData("", "unixfs-v1-2025")]
    [InlineData("cid-version=0", "unixfs-v0-2015")]
    [InlineData("cid-version=1", "unixfs-v1-2025")]
    [InlineData("profile=importer-default", "importer-default")]
    [InlineData("cid-version=1&chunker=size-262144&max-file-links=174", "importer-default")]
    public async Task Add_MapsKuboOptionsToOurProfiles(string query, string profile)
    {
        await using var node = await TestNode.StartAsync();
        var content = Bytes.Random(1_500_000, 42);
        using var response = await node.PostAsync("add?" + query, [("data.bin", content)]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = Assert.Single(await TestNode.NdjsonAsync(response));
        var expected = await new UnixFsImporter(new MemoryBlockStore(), ImportProfile.Parse(profile)).ImportBytesAsync(content);
        Assert.Equal(expected.Cid.ToString(), line.GetProperty("Hash").GetString());
        Assert.Equal("data.bin", line.GetProperty("Name").GetString());
        Assert.Equal(expected.DagSize.ToString(System.Globalization.CultureInfo.InvariantCulture), line.GetProperty("Size").GetString());
        Assert.Equal(PinKind.Recursive, node.Repo.Pins.Get(expected.Cid));
    }

    [Fact]
    public async Task Add_RawLeavesAndChunkerOverrideSingleFields()
    {
        await using var node = await TestNode.StartAsync();
        var content = Bytes.Random(700_000, 1);
        using var response = await node.PostAsync("add?cid-version=0&raw-leaves=true&chunker=size-100000&pin=false", [("", content)]);
        var line = Assert.Single(await TestNode.NdjsonAsync(response));
        var profile = ImportProfile.UnixFsV0_2015 with { RawLeaves = true, ChunkSize = 100_000 };
        var expected = await new UnixFsImporter(new MemoryBlockStore(), profile).ImportBytesAsync(content);
        Assert.Equal(expected.Cid.ToString(), line.GetProperty("Hash").GetString());
        Assert.Equal(expected.Cid.ToString(), line.GetProperty("Name").GetString());
        Assert.Null(node.Repo.Pins.Get(expected.Cid));
    }

    [Fact]
    public async Task Add_Directory_ReportsEveryEntryAndTheRootLast()
    {
        await using var node = await TestNode.StartAsync();
        var a = Bytes.Random(10, 1);
        var b = Bytes.Random(300_000, 2);
        using var response = await node.PostAsync("add", [("dir", null), ("dir/a.txt", a), ("dir/sub", null), ("dir/sub/b.bin", b), ("dir/empty", null)]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = await TestNode.NdjsonAsync(response);
        var expected = await new UnixFsImporter(new MemoryBlockStore()).ImportEntriesAsync([
            new FileImportEntry("a.txt", () => new MemoryStream(a)),
            new FileImportEntry("sub/b.bin", () => new MemoryStream(b)),
            new DirectoryImportEntry("empty"),
        ]);
        Assert.Equal("dir", lines[^1].GetProperty("Name").GetString());
        Assert.Equal(expected.Cid.ToString(), lines[^1].GetProperty("Hash").GetString());
        Assert.Equal(
            ["dir", "dir/a.txt", "dir/empty", "dir/sub", "dir/sub/b.bin"],
            lines.Select(l => l.GetProperty("Name").GetString()!).Order(StringComparer.Ordinal).ToList());
        Assert.True(lines.FindIndex(l => l.GetProperty("Name").GetString() == "dir/sub/b.bin") < lines.FindIndex(l => l.GetProperty("Name").GetString() == "dir/sub"));
    }

    [Fact]
    public async Task Add_WrapWithDirectory_WrapsTopLevelFiles()
    {
        await using var node = await TestNode.StartAsync();
        using var response = await node.PostAsync("add?wrap-with-directory=true", [("x.txt", "x"u8.ToArray()), ("y.txt", "y"u8.ToArray())]);
        var lines = await TestNode.NdjsonAsync(response);
        Assert.Equal(3, lines.Count);
        var root = Cid.Parse(lines[^1].GetProperty("Hash").GetString()!);
        var names = await node.Repo.Exporter.ListAsync(root).Select(e => e.Name).ToListAsync();
        Assert.Equal(["x.txt", "y.txt"], names);
    }

    [Fact]
    public async Task Add_RefusesNamesThatClimbOutOfTheTree()
    {
        await using var node = await TestNode.StartAsync();
        using var response = await node.PostAsync("add", [("dir/../../evil", [1, 2, 3])]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await TestNode.JsonAsync(response);
        Assert.Equal("error", error.GetProperty("Type").GetString());
        Assert.Equal(1, error.GetProperty("Code").GetInt32());
        Assert.Empty(node.Repo.Pins.List());
    }

    [Fact]
    public async Task Add_WithAPathGivenTwice_IsAClientError()
    {
        await using var node = await TestNode.StartAsync();
        using var response = await node.PostAsync("add", [("d/a", [1]), ("d/a", [2])]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("error", (await TestNode.JsonAsync(response)).GetProperty("Type").GetString());
        Assert.Empty(node.Repo.Pins.List());
    }

    [Theory]
    [InlineData("add?chunker=rabin-1-2-3")]
    [InlineData("add?cid-version=7")]
    [InlineData("add?hash=blake3")]
    [InlineData("add?trickle=true")]
    [InlineData("add?pin=maybe")]
    public async Task Add_RejectsUnsupportedOptionsInKubosErrorShape(string command)
    {
        await using var node = await TestNode.StartAsync();
        using var response = await node.PostAsync(command, [("f", [1])]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await TestNode.JsonAsync(response);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("Message").GetString()));
        Assert.Equal("error", error.GetProperty("Type").GetString());
    }

    [Fact]
    public async Task Cat_StreamsWithOffsetAndLength()
    {
        await using var node = await TestNode.StartAsync();
        var content = Bytes.Random(2_200_000, 8);
        var added = await node.AddBytesAsync(content);
        using (var response = await node.PostAsync($"cat?arg={added.Cid}"))
        {
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        }
        using (var response = await node.PostAsync($"cat?arg=/ipfs/{added.Cid}&offset=1048000&length=5000"))
        {
            Assert.Equal(content[1_048_000..1_053_000], await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Get_ReturnsATarOfTheTree()
    {
        await using var node = await TestNode.StartAsync();
        var big = Bytes.Random(1_500_000, 4);
        var dir = await node.Repo.Importer().ImportEntriesAsync([
            new FileImportEntry("big.bin", () => new MemoryStream(big)),
            new FileImportEntry("sub/small.txt", () => new MemoryStream("small"u8.ToArray())),
            new SymlinkImportEntry("sub/link", "small.txt"),
        ]);
        using var response = await node.PostAsync($"get?arg={dir.Cid}");
        Assert.Equal("application/x-tar", response.Content.Headers.ContentType!.MediaType);
        var entries = new Dictionary<string, (TarEntryType Type, byte[] Data, string Link)>();
        await using (var tar = new TarReader(await response.Content.ReadAsStreamAsync()))
        {
            while (await tar.GetNextEntryAsync(copyData: true) is { } e)
            {
                var data = new MemoryStream();
                e.DataStream?.CopyTo(data);
                entries[e.Name.TrimEnd('/')] = (e.EntryType, data.ToArray(), e.LinkName);
            }
        }
        var root = dir.Cid.ToString();
        Assert.Equal(TarEntryType.Directory, entries[root].Type);
        Assert.Equal(big, entries[root + "/big.bin"].Data);
        Assert.Equal("small"u8.ToArray(), entries[root + "/sub/small.txt"].Data);
        Assert.Equal(("small.txt", TarEntryType.SymbolicLink), (entries[root + "/sub/link"].Link, entries[root + "/sub/link"].Type));
    }

    [Fact]
    public async Task Pins_AddLsRm()
    {
        await using var node = await TestNode.StartAsync();
        var added = await node.AddBytesAsync(Bytes.Random(2_100_000, 3));
        using (var response = await node.PostAsync($"pin/add?arg={added.Cid}"))
        {
            Assert.Equal(added.Cid.ToString(), (await TestNode.JsonAsync(response)).GetProperty("Pins")[0].GetString());
        }
        using (var response = await node.PostAsync("pin/ls?type=recursive"))
        {
            var keys = (await TestNode.JsonAsync(response)).GetProperty("Keys");
            Assert.Equal("recursive", keys.GetProperty(added.Cid.ToString()).GetProperty("Type").GetString());
        }
        using (var response = await node.PostAsync("pin/ls?stream=true"))
        {
            var lines = await TestNode.NdjsonAsync(response);
            // The root plus its three leaves (2.1 MB in 1 MiB chunks), the leaves indirectly.
            Assert.Equal(4, lines.Count);
            Assert.Equal(3, lines.Count(l => l.GetProperty("Type").GetString() == "indirect"));
        }
        using (var response = await node.PostAsync($"pin/rm?arg={added.Cid}"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.Null(node.Repo.Pins.Get(added.Cid));
        using (var response = await node.PostAsync($"pin/rm?arg={added.Cid}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task Blocks_PutGetStatRm()
    {
        await using var node = await TestNode.StartAsync();
        var data = Bytes.Random(1234, 6);
        Cid cid;
        using (var response = await node.PostAsync("block/put?cid-codec=raw", [("block", data)]))
        {
            var json = await TestNode.JsonAsync(response);
            Assert.True(json.TryGetProperty("Key", out _), json.ToString());
            cid = Cid.Parse(json.GetProperty("Key").GetString()!);
            Assert.Equal(1234, json.GetProperty("Size").GetInt32());
        }
        Assert.Equal(Block.Create(data, Multicodec.Raw, 1).Cid, cid);
        using (var response = await node.PostAsync($"block/get?arg={cid}"))
        {
            Assert.Equal(data, await response.Content.ReadAsByteArrayAsync());
        }
        using (var response = await node.PostAsync($"block/stat?arg={cid}"))
        {
            Assert.Equal(1234, (await TestNode.JsonAsync(response)).GetProperty("Size").GetInt32());
        }
        using (var response = await node.PostAsync($"block/rm?arg={cid}"))
        {
            Assert.Equal("", (await TestNode.NdjsonAsync(response))[0].GetProperty("Error").GetString());
        }
        using (var response = await node.PostAsync($"block/stat?arg={cid}"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Contains("not found", (await TestNode.JsonAsync(response)).GetProperty("Message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task BlockPut_RefusesMalformedDagPbAndOversizedBlocks()
    {
        await using var node = await TestNode.StartAsync();
        using (var response = await node.PostAsync("block/put?cid-codec=dag-pb", [("b", [0xff, 0xff, 0xff])]))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        using (var response = await node.PostAsync("block/put", [("b", new byte[Limits.MaxBlockSize + 1])]))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task Id_ReportsTheNodesIdentity()
    {
        await using var node = await TestNode.StartAsync();
        using var response = await node.PostAsync("id");
        var json = await TestNode.JsonAsync(response);
        Assert.Equal(node.Key.PeerId.ToString(), json.GetProperty("ID").GetString());
        Assert.Equal(LinqP2P.Libp2p.Identity.PublicKey.FromProtobuf(Convert.FromBase64String(json.GetProperty("PublicKey").GetString()!)), node.Key.PublicKey);
    }

    [Fact]
    public async Task Api_RefusesGetUnknownCommandsAndForeignOrigins()
    {
        await using var node = await TestNode.StartAsync();
        using (var response = await node.Client.GetAsync("api/v0/id"))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Equal("error", (await TestNode.JsonAsync(response)).GetProperty("Type").GetString());
        }
        using (var response = await node.PostAsync("swarm/connect"))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Post, "api/v0/id"))
        {
            request.Headers.Add("Origin", "http://evil.example");
            using var response = await node.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
        using (var response = await node.PostAsync("cat?arg=nonsense"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(1, (await TestNode.JsonAsync(response)).GetProperty("Code").GetInt32());
        }
    }
}
