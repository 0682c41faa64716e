using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Car;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Tests;

public class CarFileTests
{
    [Fact]
    public async Task ExportThenImport_CarriesTheWholeDag()
    {
        var source = new MemoryBlockStore();
        var content = TestData.Bytes(3_000_000, 11);
        var root = await new UnixFsImporter(source, ImportProfile.UnixFsV0_2015).ImportBytesAsync(content);
        using var car = new MemoryStream();
        var written = await CarFile.ExportAsync(source, [root.Cid], car);
        Assert.Equal(source.Count, written);

        car.Position = 0;
        var target = new MemoryBlockStore();
        var (roots, blocks) = await CarFile.ImportAsync(target, car);
        Assert.Equal(root.Cid, Assert.Single(roots));
        Assert.Equal(written, blocks);
        using var output = new MemoryStream();
        await new UnixFsExporter(target).CatAsync(root.Cid, output);
        Assert.Equal(content, output.ToArray());
    }

    [Fact]
    public void Header_IsCanonicalDagCbor()
    {
        var cid = Cid.V1(Multicodec.Raw, Multihash.Sha256([1]));
        var header = CarHeaderCbor.Encode([cid]);
        // {"roots": [42(h'00' cid)], "version": 1}; "roots" sorts first (shorter key).
        Assert.Equal(new byte[] { 0xa2, 0x65 }, header[..2]);
        Assert.Equal(new byte[] { 0x67, (byte)'v', (byte)'e', (byte)'r', (byte)'s', (byte)'i', (byte)'o', (byte)'n', 0x01 }, header[^9..]);
        var (version, roots) = CarHeaderCbor.Decode(header);
        Assert.Equal(1ul, version);
        Assert.Equal(cid, Assert.Single(roots));
    }

    [Fact]
    public async Task Import_RejectsATamperedBlock()
    {
        var source = new MemoryBlockStore();
        var root = await new UnixFsImporter(source).ImportBytesAsync(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        using var car = new MemoryStream();
        await CarFile.ExportAsync(source, [root.Cid], car);
        var bytes = car.ToArray();
        bytes[^1] ^= 0xff;
        var e = await Assert.ThrowsAsync<IpfsFormatException>(() => CarFile.ImportAsync(new MemoryBlockStore(), new MemoryStream(bytes)));
        Assert.Equal("ipfs.block.hash_mismatch", e.Code);
    }

    [Fact]
    public async Task Import_RejectsATruncatedCar()
    {
        var source = new MemoryBlockStore();
        var root = await new UnixFsImporter(source).ImportBytesAsync(new byte[100]);
        using var car = new MemoryStream();
        await CarFile.ExportAsync(source, [root.Cid], car);
        var bytes = car.ToArray()[..^10];
        var e = await Assert.ThrowsAsync<IpfsFormatException>(() => CarFile.ImportAsync(new MemoryBlockStore(), new MemoryStream(bytes)));
        Assert.Equal("ipfs.car.truncated", e.Code);
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0xa0 })] // {} without version
    [InlineData(new byte[] { 0x03, 0xa1, 0x61, 0x78 })] // truncated map value
    [InlineData(new byte[] { 0x0a, 0xa1, 0x67, (byte)'v', (byte)'e', (byte)'r', (byte)'s', (byte)'i', (byte)'o', (byte)'n', 0x02 })] // version 2
    [InlineData(new byte[] { 0x02, 0xbf, 0xff })] // indefinite map
    [InlineData(new byte[] { 0x00 })] // empty header
    public async Task Import_RejectsMalformedHeaders(byte[] car)
    {
        var e = await Assert.ThrowsAnyAsync<Core.LinqException>(() => CarFile.ImportAsync(new MemoryBlockStore(), new MemoryStream(car)));
        Assert.StartsWith("ipfs.car.", e.Code);
    }

    [FsCheck.Xunit.Property(MaxTest = 50)]
    public bool ExportThenImport_RoundTripsRandomBlocks(byte[][] payloads)
    {
        var source = new MemoryBlockStore();
        var roots = new List<Cid>();
        foreach (var p in payloads)
        {
            var block = Block.Create(p ?? [], Multicodec.Raw, 1);
            source.PutAsync(block).GetAwaiter().GetResult();
            roots.Add(block.Cid);
        }
        using var car = new MemoryStream();
        CarFile.ExportAsync(source, roots, car).GetAwaiter().GetResult();
        car.Position = 0;
        var target = new MemoryBlockStore();
        var (read, _) = CarFile.ImportAsync(target, car).GetAwaiter().GetResult();
        return read.SequenceEqual(roots)
            && roots.All(r => target.TryGetAsync(r).GetAwaiter().GetResult()!.AsSpan().SequenceEqual(source.TryGetAsync(r).GetAwaiter().GetResult()));
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void Import_OfRandomBytesThrowsOnlyTypedErrors(byte[] input)
    {
        try
        {
            CarFile.ImportAsync(new MemoryBlockStore(), new MemoryStream(input)).GetAwaiter().GetResult();
        }
        catch (IpfsFormatException)
        {
        }
    }
}
