using System.Net;
using System.Net.Http.Headers;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Car;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Http.Tests;

public sealed class GatewayTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1_048_576)]
    [InlineData(3_000_001)]
    public async Task Get_StreamsTheWholeFile(int size)
    {
        await using var node = await TestNode.StartAsync();
        var content = Bytes.Random(size, size);
        var added = await node.AddBytesAsync(content);
        using var response = await node.Client.GetAsync($"ipfs/{added.Cid}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{added.Cid}\"", response.Headers.ETag!.ToString());
        Assert.Contains("immutable", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_AnswersRangeRequestsAcrossLeaves()
    {
        await using var node = await TestNode.StartAsync();
        var content = Bytes.Random(600_000, 7);
        var added = await node.AddBytesAsync(content, ImportProfile.UnixFsV0_2015);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"ipfs/{added.Cid}");
        request.Headers.Range = new RangeHeaderValue(262_000, 530_000);
        using var response = await node.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(content[262_000..530_001], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Get_WithMatchingIfNoneMatch_Answers304()
    {
        await using var node = await TestNode.StartAsync();
        var added = await node.AddBytesAsync("hello"u8.ToArray());
        foreach (var (query, etag) in new[] { ("", $"\"{added.Cid}\""), ("?format=raw", $"\"{added.Cid}.raw\"") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"ipfs/{added.Cid}{query}");
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            using var response = await node.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        }
    }

    [Fact]
    public async Task FormatRaw_ReturnsTheVerifiableBlock()
    {
        await using var node = await TestNode.StartAsync();
        var added = await node.AddBytesAsync(Bytes.Random(3_000_000, 3));
        foreach (var useAccept in new[] { false, true })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, useAccept ? $"ipfs/{added.Cid}" : $"ipfs/{added.Cid}?format=raw");
            if (useAccept)
            {
                request.Headers.Accept.ParseAdd("application/vnd.ipld.raw");
            }
            using var response = await node.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/vnd.ipld.raw", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal($"\"{added.Cid}.raw\"", response.Headers.ETag!.ToString());
            Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
            var block = await response.Content.ReadAsByteArrayAsync();
            Block.Verified(added.Cid, block);
            Assert.Equal(await node.Repo.Blocks.GetAsync(added.Cid), block);
        }
    }

    [Fact]
    public async Task FormatCar_ReturnsEveryBlockOnceAndRebuildsTheFile()
    {
        await using var node = await TestNode.StartAsync();
        var content = Bytes.Random(2_500_000, 11);
        var added = await node.AddBytesAsync(content, ImportProfile.UnixFsV0_2015);
        foreach (var useAccept in new[] { false, true })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, useAccept ? $"ipfs/{added.Cid}" : $"ipfs/{added.Cid}?format=car");
            if (useAccept)
            {
                request.Headers.Accept.ParseAdd("application/vnd.ipld.car; version=1");
            }
            using var response = await node.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/vnd.ipld.car", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains(response.Content.Headers.ContentType.Parameters, p => p.Name == "version" && p.Value == "1");
            Assert.NotNull(response.Headers.ETag);
            var fresh = new MemoryBlockStore();
            var (roots, blocks) = await CarFile.ImportAsync(fresh, await response.Content.ReadAsStreamAsync());
            Assert.Equal([added.Cid], roots);
            Assert.Equal(blocks, fresh.Count);
            var output = new MemoryStream();
            await new UnixFsExporter(fresh).CatAsync(added.Cid, output);
            Assert.Equal(content, output.ToArray());
        }
    }

    [Fact]
    public async Task Paths_ResolveThroughDirectories_AndCarCarriesTheProof()
    {
        await using var node = await TestNode.StartAsync();
        var file = Bytes.Random(1000, 5);
        var dir = await node.Repo.Importer().ImportEntriesAsync([
            new FileImportEntry("sub/data.bin", () => new MemoryStream(file)),
            new FileImportEntry("readme.txt", () => new MemoryStream("hi"u8.ToArray())),
        ]);
        using (var response = await node.Client.GetAsync($"ipfs/{dir.Cid}/sub/data.bin"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(file, await response.Content.ReadAsByteArrayAsync());
        }
        using (var response = await node.Client.GetAsync($"ipfs/{dir.Cid}/readme.txt"))
        {
            Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        }
        using (var response = await node.Client.GetAsync($"ipfs/{dir.Cid}/sub/data.bin?format=car"))
        {
            var fresh = new MemoryBlockStore();
            var (roots, _) = await CarFile.ImportAsync(fresh, await response.Content.ReadAsStreamAsync());
            Assert.Equal([dir.Cid], roots);
            // The root and sub directory blocks prove the path; the leaf is the content.
            Assert.Equal(3, fresh.Count);
            var leaf = (await new UnixFsExporter(fresh).ListAsync(dir.Cid).ToListAsync()).Single(e => e.Name == "sub");
            Assert.True(await fresh.HasAsync(leaf.Cid));
        }
        using (var response = await node.Client.GetAsync($"ipfs/{dir.Cid}?format=car&dag-scope=block"))
        {
            var fresh = new MemoryBlockStore();
            await CarFile.ImportAsync(fresh, await response.Content.ReadAsStreamAsync());
            Assert.Equal(1, fresh.Count);
        }
        using (var response = await node.Client.GetAsync($"ipfs/{dir.Cid}"))
        {
            var listing = await response.Content.ReadAsStringAsync();
            Assert.Contains("readme.txt", listing, StringComparison.Ordinal);
            Assert.Contains("sub", listing, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("ipfs/not-a-cid", HttpStatusCode.BadRequest)]
    [InlineData("ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", HttpStatusCode.NotFound)]
    [InlineData("ipfs/{dir}/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("ipfs/{dir}/%2E%2E/etc", HttpStatusCode.BadRequest)]
    [InlineData("ipfs/{dir}?format=tar", HttpStatusCode.BadRequest)]
    [InlineData("ipfs/{dir}?format=car&dag-scope=everything", HttpStatusCode.BadRequest)]
    public async Task BadRequests_GetClearStatuses(string path, HttpStatusCode expected)
    {
        await using var node = await TestNode.StartAsync();
        var dir = await node.Repo.Importer().ImportEntriesAsync([new FileImportEntry("a", () => new MemoryStream([1]))]);
        using var response = await node.Client.GetAsync(path.Replace("{dir}", dir.Cid.ToString(), StringComparison.Ordinal));
        Assert.Equal(expected, response.StatusCode);
        Assert.NotEmpty(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Head_SendsHeadersWithoutBody()
    {
        await using var node = await TestNode.StartAsync();
        var added = await node.AddBytesAsync(Bytes.Random(5000, 1));
        foreach (var query in new[] { "?format=raw", "" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, $"ipfs/{added.Cid}{query}");
            using var response = await node.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(5000, response.Content.Headers.ContentLength);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public void Server_RefusesToBindANonLoopbackAddress()
    {
        var options = new IpfsHttpServerOptions { Address = IPAddress.Any };
        Assert.Throws<LinqP2P.Core.InvalidInputException>(options.Validate);
    }

    [Fact]
    public async Task Server_ListensOnLoopbackOnly()
    {
        await using var node = await TestNode.StartAsync();
        Assert.Equal("127.0.0.1", node.Server.Address.Host);
    }

    [Fact]
    public async Task Cid_V1OfAV0Root_ServesTheSameBytes()
    {
        await using var node = await TestNode.StartAsync();
        var added = await node.AddBytesAsync(Bytes.Random(100, 9), ImportProfile.UnixFsV0_2015);
        using var response = await node.Client.GetAsync($"ipfs/{added.Cid.ToV1()}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(100, (await response.Content.ReadAsByteArrayAsync()).Length);
        _ = Cid.Parse(added.Cid.ToV1().ToString());
    }
}
