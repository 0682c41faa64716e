using FsCheck.Xunit;
using LinqP2P.Ipfs.UnixFs;

namespace LinqP2P.Ipfs.Tests;

public class UnixFsDataTests
{
    [Fact]
    public void Directory_EncodesAsTypeOnly()
    {
        Assert.Equal(new byte[] { 0x08, 0x01 }, new UnixFsData { Type = UnixFsType.Directory }.Encode());
    }

    [Fact]
    public void EmptyFile_WritesFileSizeZeroButNoData()
    {
        var bytes = new UnixFsData { Type = UnixFsType.File, Data = Array.Empty<byte>(), FileSize = 0 }.Encode();
        Assert.Equal(new byte[] { 0x08, 0x02, 0x18, 0x00 }, bytes);
    }

    [Fact]
    public void ModeAndMtime_RoundTrip()
    {
        var data = new UnixFsData { Type = UnixFsType.File, FileSize = 5, BlockSizes = [2, 3], Mode = 0x1ed, Mtime = new UnixFsTime(-5, 123) };
        var decoded = UnixFsData.Decode(data.Encode());
        Assert.Equal(0x1edu, decoded.Mode);
        Assert.Equal(new UnixFsTime(-5, 123), decoded.Mtime);
        Assert.Equal([2ul, 3ul], decoded.BlockSizes);
        Assert.Equal(5ul, decoded.ContentSize());
    }

    [Fact]
    public void HamtShard_RoundTripsFanoutAndHashType()
    {
        var data = new UnixFsData { Type = UnixFsType.HamtShard, Data = new byte[] { 0x80, 1 }, HashType = 0x22, Fanout = 256 };
        var decoded = UnixFsData.Decode(data.Encode());
        Assert.Equal(256ul, decoded.Fanout);
        Assert.Equal(0x22ul, decoded.HashType);
        Assert.True(decoded.IsDirectory);
    }

    [Fact]
    public void Decode_AcceptsPackedBlockSizes()
    {
        var decoded = UnixFsData.Decode([0x08, 0x02, 0x22, 0x02, 0x05, 0x06]);
        Assert.Equal([5ul, 6ul], decoded.BlockSizes);
    }

    [Fact]
    public void Decode_RejectsMissingType()
    {
        Assert.Equal("ipfs.unixfs.no_type", Assert.Throws<IpfsFormatException>(() => UnixFsData.Decode([0x18, 0x00])).Code);
    }

    [Fact]
    public void Decode_RejectsUnknownType()
    {
        Assert.Equal("ipfs.unixfs.bad_type", Assert.Throws<IpfsFormatException>(() => UnixFsData.Decode([0x08, 0x09])).Code);
    }

    [Property]
    public bool EncodeThenDecode_RoundTrips(byte type, byte[] data, ulong? fileSize, ulong[] blockSizes, uint? mode, long seconds)
    {
        var original = new UnixFsData
        {
            Type = (UnixFsType)(type % 6),
            Data = data,
            FileSize = fileSize,
            BlockSizes = blockSizes,
            Mode = mode,
            Mtime = new UnixFsTime(seconds, (uint)(Math.Abs(seconds % 1_000_000_000))),
        };
        var bytes = original.Encode();
        return UnixFsData.Decode(bytes).Encode().AsSpan().SequenceEqual(bytes);
    }

    [Property]
    public void Decode_OfRandomBytesThrowsOnlyFormatErrors(byte[] input)
    {
        try
        {
            UnixFsData.Decode(input);
        }
        catch (IpfsFormatException)
        {
        }
    }
}
