using FsCheck.Xunit;

namespace LinqP2P.Multiformats.Tests;

public class VarintTests
{
    // Examples from the unsigned-varint spec.
    [Theory]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "8001")]
    [InlineData(255UL, "ff01")]
    [InlineData(300UL, "ac02")]
    [InlineData(16384UL, "808001")]
    public void Encode_MatchesSpecExamples(ulong value, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(Varint.Encode(value)));
        Assert.Equal(value, Varint.Read(Convert.FromHexString(hex), out var consumed));
        Assert.Equal(hex.Length / 2, consumed);
    }

    [Property]
    public bool RoundTrips(ulong raw)
    {
        var value = raw & long.MaxValue;
        var bytes = Varint.Encode(value);
        return Varint.Read(bytes, out var consumed) == value && consumed == bytes.Length && bytes.Length == Varint.SizeOf(value);
    }

    [Fact]
    public void Read_RejectsNonMinimalEncoding()
    {
        var e = Assert.Throws<MultiformatException>(() => Varint.Read([0x81, 0x00], out _));
        Assert.Equal("multiformats.varint.not_minimal", e.Code);
    }

    [Fact]
    public void Read_RejectsMoreThanNineBytes()
    {
        var e = Assert.Throws<MultiformatException>(() => Varint.Read([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], out _));
        Assert.Equal("multiformats.varint.too_long", e.Code);
    }

    [Fact]
    public void TryRead_ReportsTruncationWithoutThrowing()
    {
        Assert.False(Varint.TryRead([0x80, 0x80], out _, out var consumed));
        Assert.Equal(0, consumed);
        Assert.Throws<MultiformatException>(() => Varint.Read([0x80], out _));
    }

    [Fact]
    public void ReadLength_RejectsValuesOverTheLimit()
    {
        var e = Assert.Throws<MultiformatException>(() => Varint.ReadLength(Varint.Encode(1025), 1024, out _));
        Assert.Equal("multiformats.varint.too_large", e.Code);
    }

    [Property]
    public void Read_NeverThrowsAnythingButMultiformatException(byte[] input)
    {
        try
        {
            Varint.Read(input, out _);
        }
        catch (MultiformatException)
        {
        }
    }
}
