using FsCheck;
using FsCheck.Xunit;

namespace LinqP2P.Mesh.Tests;

/// <summary>The header and reply codecs: round trips, exact rejections, random bytes never crash.</summary>
public class MeshHeaderTests
{
    private const string IdChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";

    [Property(MaxTest = 500)]
    public void Header_RoundTripsEveryValidHeader(PositiveInt idSeed, byte idLength, ushort source, ushort target, ushort port)
    {
        var length = 1 + (idLength % MeshHeader.MaxJobIdLength);
        var id = new string([.. Enumerable.Range(0, length).Select(i => IdChars[(idSeed.Get + (i * 7)) % IdChars.Length])]);
        var header = new MeshHeader(id, source % MeshHeader.MaxShards, target % MeshHeader.MaxShards, Math.Max((int)port, 1));
        var encoded = header.Encode();
        Assert.True(encoded.Length <= MeshProtocol.MaxFrameLength);
        Assert.Equal(header, MeshHeader.Decode(encoded));
    }

    [Property(MaxTest = 2000)]
    public void Header_DecodeOfRandomBytes_ReturnsAValidHeaderOrThrowsMeshException(byte[] bytes)
    {
        try
        {
            var header = MeshHeader.Decode(bytes);
            // Whatever decodes re-encodes to the same bytes: there is one encoding per header.
            Assert.Equal(bytes, header.Encode());
        }
        catch (MeshException e)
        {
            Assert.StartsWith("mesh.header.", e.Code);
        }
    }

    [Property(MaxTest = 1000)]
    public void Header_DecodeOfAMutatedHeader_NeverCrashes(byte position, byte value)
    {
        var bytes = new MeshHeader("job-1", 1, 2, 7002).Encode();
        bytes[position % bytes.Length] = value;
        try
        {
            MeshHeader.Decode(bytes);
        }
        catch (MeshException e)
        {
            Assert.StartsWith("mesh.header.", e.Code);
        }
    }

    [Theory]
    [InlineData("", "mesh.header.truncated")]
    [InlineData("02 01 61 00 00 00 01 1b 59", "mesh.header.version")]
    [InlineData("01 00 00 00 00 01 1b 59", "mesh.header.job_id")]
    [InlineData("01 81", "mesh.header.job_id")]
    [InlineData("01 01 2f 00 00 00 01 1b 59", "mesh.header.job_id")]
    [InlineData("01 01 61 00 00 00 01 1b", "mesh.header.length")]
    [InlineData("01 01 61 00 00 00 01 1b 59 00", "mesh.header.length")]
    [InlineData("01 01 61 04 00 00 01 1b 59", "mesh.header.shard")]
    [InlineData("01 01 61 00 00 00 01 00 00", "mesh.header.port")]
    public void Header_Decode_RejectsWithTheCode(string hex, string code)
    {
        var bytes = hex.Length == 0 ? [] : Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(code, Assert.Throws<MeshException>(() => MeshHeader.Decode(bytes)).Code);
    }

    [Fact]
    public void Header_Encode_IsTheDocumentedLayout()
    {
        Assert.Equal("01016100010002 1B59".Replace(" ", "", StringComparison.Ordinal),
            Convert.ToHexString(new MeshHeader("a", 1, 2, 7001).Encode()));
    }

    [Fact]
    public void Header_Encode_RefusesValuesOutsideTheFormat()
    {
        Assert.Throws<ArgumentException>(() => new MeshHeader("bad/id", 0, 1, 7001).Encode());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeshHeader("a", MeshHeader.MaxShards, 1, 7001).Encode());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MeshHeader("a", 0, 1, 0).Encode());
    }

    [Property(MaxTest = 300)]
    public void Reply_RoundTrips(byte status, NonNull<string> reason)
    {
        var s = reason.Get;
        if (s.Any(char.IsSurrogate))
        {
            return;
        }
        var reply = new MeshReply((MeshStatus)(status % 7), s);
        var decoded = MeshReply.Decode(reply.Encode());
        Assert.Equal(reply.Status, decoded.Status);
        Assert.StartsWith(decoded.Reason, s, StringComparison.Ordinal);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(decoded.Reason) <= MeshReply.MaxReasonBytes);
    }

    [Property(MaxTest = 1000)]
    public void Reply_DecodeOfRandomBytes_ReturnsOrThrowsMeshException(byte[] bytes)
    {
        try
        {
            MeshReply.Decode(bytes);
        }
        catch (MeshException e)
        {
            Assert.StartsWith("mesh.reply.", e.Code);
        }
    }
}
