using System.Text;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.DagPb;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Ipfs.UnixFs;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Tests;

public class ExporterTests
{
    [Theory]
    [InlineData("unixfs-v1-2025", 0)]
    [InlineData("unixfs-v1-2025", 3_500_000)]
    [InlineData("unixfs-v0-2015", 1)]
    [InlineData("unixfs-v0-2015", 1_000_000)]
    [InlineData("importer-default", 600_000)]
    public async Task Cat_GivesBackTheImportedBytes(string profile, int size)
    {
        var store = new MemoryBlockStore();
        var content = TestData.Bytes(size, 3);
        var root = await new UnixFsImporter(store, ImportProfile.Parse(profile)).ImportBytesAsync(content);
        using var output = new MemoryStream();
        await new UnixFsExporter(store).CatAsync(root.Cid, output);
        Assert.Equal(content, output.ToArray());
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(262_140, 10)]
    [InlineData(262_144, 262_144)]
    [InlineData(1_000_000, 5_000_000)]
    [InlineData(1_100_000, 0)]
    [InlineData(9_999_999, 10)]
    public async Task Cat_FromAnOffsetGivesThatRange(long offset, long length)
    {
        var store = new MemoryBlockStore();
        var content = TestData.Bytes(1_100_000, 4);
        // v0: dag-pb leaves carry their bytes inside UnixFS, which exercises the Data-plus-links path.
        var root = await new UnixFsImporter(store, ImportProfile.UnixFsV0_2015).ImportBytesAsync(content);
        using var output = new MemoryStream();
        await new UnixFsExporter(store).CatAsync(root.Cid, output, offset, length);
        var from = (int)Math.Min(offset, content.Length);
        var to = (int)Math.Min(offset + length, content.Length);
        Assert.Equal(content[from..to], output.ToArray());
    }

    [Fact]
    public async Task Cat_OfADirectoryFailsWithAHint()
    {
        var store = new MemoryBlockStore();
        var root = await new UnixFsImporter(store).ImportEntriesAsync([new FileImportEntry("a", () => new MemoryStream([1]))]);
        var e = await Assert.ThrowsAsync<IpfsFormatException>(() => new UnixFsExporter(store).CatAsync(root.Cid, Stream.Null));
        Assert.Equal("ipfs.unixfs.not_a_file", e.Code);
    }

    [Fact]
    public async Task Cat_OfAMissingBlockSaysSo()
    {
        var cid = Cid.V1(Multicodec.Raw, Multihash.Sha256([9]));
        await Assert.ThrowsAsync<BlockNotFoundException>(() => new UnixFsExporter(new MemoryBlockStore()).CatAsync(cid, Stream.Null));
    }

    [Theory]
    [InlineData("unixfs-v1-2025")]
    [InlineData("unixfs-v0-2015")]
    public async Task Get_RecreatesAShardedTreeWithSymlinks(string profile)
    {
        using var dir = new TempDir();
        var src = dir.Combine("src");
        Directory.CreateDirectory(Path.Combine(src, "sub", "empty"));
        for (var i = 0; i < 3000; i++)
        {
            File.WriteAllText(Path.Combine(src, "sub", $"file-{i:D5}-padding-padding-padding-padding-padding-padding-padding.txt"), "n" + i);
        }
        TestData.WriteFile(Path.Combine(src, "big"), 2_500_000, 8);
        File.CreateSymbolicLink(Path.Combine(src, "link"), "sub/file-00001-padding-padding-padding-padding-padding-padding-padding.txt");
        var store = new MemoryBlockStore();
        var root = await new UnixFsImporter(store, ImportProfile.Parse(profile)).ImportDirectoryAsync(src);
        var dst = dir.Combine("dst");
        await new UnixFsExporter(store).GetAsync(root.Cid, dst);
        Assert.Equal(File.ReadAllBytes(Path.Combine(src, "big")), File.ReadAllBytes(Path.Combine(dst, "big")));
        Assert.Equal(3000, Directory.GetFiles(Path.Combine(dst, "sub")).Length);
        Assert.True(Directory.Exists(Path.Combine(dst, "sub", "empty")));
        Assert.Equal("n1", File.ReadAllText(Path.Combine(dst, "link")));
        Assert.Equal("sub/file-00001-padding-padding-padding-padding-padding-padding-padding.txt", new FileInfo(Path.Combine(dst, "link")).LinkTarget);
    }

    [Fact]
    public async Task Get_RefusesAnExistingTarget()
    {
        using var dir = new TempDir();
        var store = new MemoryBlockStore();
        var root = await new UnixFsImporter(store).ImportBytesAsync(new byte[] { 1 });
        await Assert.ThrowsAsync<IOException>(() => new UnixFsExporter(store).GetAsync(root.Cid, dir.Path));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("a/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\..\\x")]
    [InlineData("nul\0x")]
    public async Task Get_RefusesEntryNamesThatCouldEscape(string name)
    {
        var store = new MemoryBlockStore();
        var file = await new UnixFsImporter(store).ImportBytesAsync(new byte[] { 1, 2 });
        var dirCid = await PutDirectoryAsync(store, [new PbLink(file.Cid, name, file.DagSize)]);
        using var dir = new TempDir();
        await Assert.ThrowsAsync<UnsafePathException>(() => new UnixFsExporter(store).GetAsync(dirCid, dir.Combine("out")));
        Assert.False(File.Exists(dir.Combine("x")));
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/../../x")]
    public async Task Get_RefusesSymlinksPointingOutside(string target)
    {
        var store = new MemoryBlockStore();
        var link = await PutNodeAsync(store, new PbNode([], new UnixFsData { Type = UnixFsType.Symlink, Data = Encoding.UTF8.GetBytes(target) }.Encode()));
        var dirCid = await PutDirectoryAsync(store, [new PbLink(link, "evil", 10)]);
        using var dir = new TempDir();
        await Assert.ThrowsAsync<UnsafePathException>(() => new UnixFsExporter(store).GetAsync(dirCid, dir.Combine("out")));
        Assert.False(File.Exists(dir.Combine("out", "evil")));
    }

    [Fact]
    public async Task Get_RefusesADirectoryListingANameTwice()
    {
        var store = new MemoryBlockStore();
        var a = await new UnixFsImporter(store).ImportBytesAsync(new byte[] { 1 });
        var b = await new UnixFsImporter(store).ImportBytesAsync(new byte[] { 2 });
        var dirCid = await PutDirectoryAsync(store, [new PbLink(a.Cid, "same", 1), new PbLink(b.Cid, "same", 1)]);
        using var dir = new TempDir();
        await Assert.ThrowsAsync<UnsafePathException>(() => new UnixFsExporter(store).GetAsync(dirCid, dir.Combine("out")));
    }

    [Fact]
    public async Task Cat_RejectsAFileWhoseBlockSizesLie()
    {
        var store = new MemoryBlockStore();
        var leaf = await new UnixFsImporter(store).ImportBytesAsync(new byte[] { 1, 2, 3 });
        var lying = await PutNodeAsync(store, new PbNode([new PbLink(leaf.Cid, "", 3)], new UnixFsData { Type = UnixFsType.File, FileSize = 10, BlockSizes = [10] }.Encode()));
        var e = await Assert.ThrowsAsync<IpfsFormatException>(() => new UnixFsExporter(store).CatAsync(lying, Stream.Null));
        Assert.Equal("ipfs.unixfs.size_mismatch", e.Code);
    }

    private static async Task<Cid> PutNodeAsync(IBlockStore store, PbNode node)
    {
        var block = Block.Create(DagPbCodec.Encode(node), Multicodec.DagPb, 1);
        await store.PutAsync(block);
        return block.Cid;
    }

    private static Task<Cid> PutDirectoryAsync(IBlockStore store, IReadOnlyList<PbLink> links) =>
        PutNodeAsync(store, new PbNode(links, new UnixFsData { Type = UnixFsType.Directory }.Encode()));
}
