using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Importing;

namespace LinqP2P.Ipfs.Tests;

/// <summary>Our importer against ipfs-unixfs-importer 17, run live in the same test run.</summary>
[Collection(ImporterPeerCollection.Name)]
public class ImporterInteropTests(ImporterPeer js)
{
    public static TheoryData<string, long> EdgeSizes()
    {
        var data = new TheoryData<string, long>();
        foreach (var p in ImportProfile.All)
        {
            long c = p.ChunkSize;
            foreach (var size in new[] { 0, 1, 1000, c - 1, c, c + 1, 2 * c, 3 * c + 12_345 })
            {
                data.Add(p.Name, size);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EdgeSizes))]
    public async Task FileCid_EqualsTheImportersAtChunkEdges(string profileName, long size)
    {
        var profile = ImportProfile.Parse(profileName);
        var content = TestData.Bytes(size, (ulong)size + 7);
        var ours = await new UnixFsImporter(new MemoryBlockStore(), profile).ImportBytesAsync(content);
        var theirs = await js.ImportBytesAsync(content, ImporterPeer.ProfileName(profile));
        Assert.Equal(theirs.Cid, ours.Cid.ToString());
        Assert.Equal(theirs.Size, ours.DagSize);
    }

    [Theory]
    [InlineData("unixfs-v0-2015")]
    [InlineData("importer-default")]
    public async Task MultiLevelFileCid_EqualsTheImporters(string profileName)
    {
        // 174 links of 256 KiB fill one node; one more chunk forces a second tree level.
        var profile = ImportProfile.Parse(profileName);
        using var dir = new TempDir();
        var path = dir.Combine("big.bin");
        long size = 174L * 262_144 + 100_000;
        TestData.WriteFile(path, size, 42);
        ImportResult ours;
        await using (var stream = File.OpenRead(path))
        {
            ours = await new UnixFsImporter(new MemoryBlockStore(discard: true), profile).ImportFileAsync(stream);
        }
        var theirs = await js.ImportFileAsync(path, ImporterPeer.ProfileName(profile));
        Assert.Equal(theirs.Cid, ours.Cid.ToString());
        Assert.Equal((ulong)size, ours.ContentSize);
    }

    [Fact]
    public async Task MultiLevelV1_2025FileCid_EqualsTheImporters()
    {
        // 1024 links of 1 MiB fill one node, so this profile needs just over 1 GiB for a second level.
        var profile = ImportProfile.UnixFsV1_2025;
        using var dir = new TempDir();
        var path = dir.Combine("huge.bin");
        long size = 1025L * 1_048_576 + 1;
        TestData.WriteFile(path, size, 99);
        ImportResult ours;
        await using (var stream = File.OpenRead(path))
        {
            ours = await new UnixFsImporter(new MemoryBlockStore(discard: true), profile).ImportFileAsync(stream);
        }
        var theirs = await js.ImportFileAsync(path, profile.Name);
        Assert.Equal(theirs.Cid, ours.Cid.ToString());
        Assert.Equal(theirs.Size, ours.DagSize);
    }

    [Theory]
    [InlineData("unixfs-v1-2025")]
    [InlineData("unixfs-v0-2015")]
    [InlineData("importer-default")]
    public async Task NestedDirectoryCid_EqualsTheImporters(string profileName)
    {
        var profile = ImportProfile.Parse(profileName);
        using var dir = new TempDir();
        var root = dir.Combine("site");
        Directory.CreateDirectory(Path.Combine(root, "docs", "deep", "deeper"));
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        Directory.CreateDirectory(Path.Combine(root, "Ünïcødé"));
        File.WriteAllText(Path.Combine(root, "index.html"), "<h1>hi</h1>");
        File.WriteAllText(Path.Combine(root, "empty.txt"), "");
        File.WriteAllText(Path.Combine(root, "Ünïcødé", "名前.txt"), "x");
        TestData.WriteFile(Path.Combine(root, "docs", "big.bin"), profile.ChunkSize * 2L + 3, 5);
        TestData.WriteFile(Path.Combine(root, "docs", "deep", "deeper", "a"), 10, 6);
        File.CreateSymbolicLink(Path.Combine(root, "link-to-index"), "index.html");
        await AssertDirectoryMatchesAsync(root, profile);
    }

    [Theory]
    [InlineData("unixfs-v1-2025", 3_400)]
    [InlineData("unixfs-v0-2015", 3_600)]
    public async Task HamtShardedDirectoryCid_EqualsTheImporters(string profileName, int files)
    {
        // Long names make each link ~80 bytes, so a few thousand pass the 256 KiB threshold.
        var profile = ImportProfile.Parse(profileName);
        using var dir = new TempDir();
        var root = dir.Combine("many");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        for (var i = 0; i < files; i++)
        {
            File.WriteAllText(Path.Combine(root, $"a-file-with-a-fairly-long-name-to-fill-the-links-{i:D6}.txt"), i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        File.WriteAllText(Path.Combine(root, "sub", "inner.txt"), "inner");
        await AssertDirectoryMatchesAsync(root, profile);
        var store = new MemoryBlockStore();
        var ours = await new UnixFsImporter(store, profile).ImportDirectoryAsync(root);
        var node = DagPb.DagPbCodec.Decode(await store.GetAsync(ours.Cid));
        Assert.Equal(UnixFs.UnixFsType.HamtShard, UnixFs.UnixFsData.Decode(node.Data!.Value.Span).Type);
    }

    [Fact]
    public async Task DirectoryJustBelowTheThreshold_StaysFlatLikeTheImporters()
    {
        var profile = ImportProfile.UnixFsV0_2015;
        using var dir = new TempDir();
        var root = dir.Combine("flat");
        Directory.CreateDirectory(root);
        // 70-byte names + 34-byte CIDv0 = 104 bytes a link; 2520 links = 262,080 bytes, just under 262,144.
        for (var i = 0; i < 2520; i++)
        {
            File.WriteAllText(Path.Combine(root, $"{i:D6}" + new string('n', 64)), "x" + i);
        }
        await AssertDirectoryMatchesAsync(root, profile);
        var store = new MemoryBlockStore();
        var ours = await new UnixFsImporter(store, profile).ImportDirectoryAsync(root);
        var node = DagPb.DagPbCodec.Decode(await store.GetAsync(ours.Cid));
        Assert.Equal(UnixFs.UnixFsType.Directory, UnixFs.UnixFsData.Decode(node.Data!.Value.Span).Type);
    }

    private async Task AssertDirectoryMatchesAsync(string root, ImportProfile profile)
    {
        var ours = await new UnixFsImporter(new MemoryBlockStore(discard: true), profile).ImportDirectoryAsync(root);
        var entries = UnixFsImporter.EntriesOf(new DirectoryInfo(root)).Select(e => e switch
        {
            FileImportEntry f => (object)new { path = f.Path, file = Path.Combine(root, f.Path) },
            SymlinkImportEntry s => new { path = s.Path, link = s.Target },
            _ => new { path = e.Path },
        });
        var theirs = await js.ImportDirectoryAsync(Path.GetFileName(root), entries, ImporterPeer.ProfileName(profile));
        Assert.Equal(theirs.Cid, ours.Cid.ToString());
        Assert.Equal(theirs.Size, ours.DagSize);
    }
}
