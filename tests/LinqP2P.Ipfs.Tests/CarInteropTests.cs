using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Car;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Ipfs.Importing;
using LinqP2P.TestKit;

namespace LinqP2P.Ipfs.Tests;

/// <summary>CAR files exchanged with js code (@ipld/dag-cbor, multiformats, ipfs-unixfs-importer) in both directions.</summary>
public sealed class CarInteropTests : IAsyncLifetime
{
    private JsPeer _js = null!;
    private int _id;

    public async Task InitializeAsync() => _js = await JsPeer.StartAsync("ipfs-car.mjs");

    public async Task DisposeAsync() => await _js.DisposeAsync();

    private async Task<System.Text.Json.JsonElement> AskAsync(Dictionary<string, object?> command)
    {
        command["id"] = ++_id;
        await _js.SendAsync(command);
        var reply = await _js.NextAsync(TimeSpan.FromMinutes(1));
        Assert.False(reply.TryGetProperty("error", out var error), error.ToString());
        return reply;
    }

    [Theory]
    [InlineData("unixfs-v1-2025")]
    [InlineData("unixfs-v0-2015")]
    public async Task OurCar_IsReadByJsWithTheSameRootsAndBlocks(string profile)
    {
        using var dir = new TempDir();
        var src = dir.Combine("tree");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        TestData.WriteFile(Path.Combine(src, "sub", "big.bin"), 3_000_000, 1);
        File.WriteAllText(Path.Combine(src, "small.txt"), "small");
        var store = new MemoryBlockStore();
        var root = await new UnixFsImporter(store, ImportProfile.Parse(profile)).ImportDirectoryAsync(src);
        var car = dir.Combine("out.car");
        int written;
        await using (var file = File.Create(car))
        {
            written = await CarFile.ExportAsync(store, [root.Cid], file);
        }
        var reply = await AskAsync(new() { ["op"] = "read", ["path"] = car });
        Assert.Equal(root.Cid.ToString(), Assert.Single(reply.GetProperty("roots").EnumerateArray()).GetString());
        Assert.Equal(written, reply.GetProperty("blocks").GetInt32());
        Assert.Equal(store.Count, written);
        Assert.Equal(store.TotalBytes, reply.GetProperty("bytes").GetInt64());
    }

    [Theory]
    [InlineData("unixfs-v1-2025", 2_500_000)]
    [InlineData("unixfs-v0-2015", 700_000)]
    public async Task JsCar_ImportsAndCatsToTheOriginalBytes(string profile, int size)
    {
        using var dir = new TempDir();
        var content = TestData.Bytes(size, 77);
        var car = dir.Combine("js.car");
        var reply = await AskAsync(new() { ["op"] = "write", ["path"] = car, ["b64"] = Convert.ToBase64String(content), ["profile"] = profile });
        var store = new MemoryBlockStore();
        await using var file = File.OpenRead(car);
        var (roots, _) = await CarFile.ImportAsync(store, file);
        Assert.Equal(reply.GetProperty("root").GetString(), Assert.Single(roots).ToString());
        using var output = new MemoryStream();
        await new UnixFsExporter(store).CatAsync(roots[0], output);
        Assert.Equal(content, output.ToArray());
    }
}
