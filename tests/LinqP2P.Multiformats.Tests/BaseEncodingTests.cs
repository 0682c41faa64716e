using System.Text;
using FsCheck.Xunit;

namespace LinqP2P.Multiformats.Tests;

public class BaseEncodingTests
{
    [Theory]
    [InlineData("Hello World!", "2NEpo7TZRRrLZSi2U")]
    [InlineData("The quick brown fox jumps over the lazy dog.", "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z")]
    public void Base58_MatchesKnownVectors(string text, string encoded)
    {
        Assert.Equal(encoded, Base58Btc.Encode(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(text, Encoding.ASCII.GetString(Base58Btc.Decode(encoded)));
    }

    [Fact]
    public void Base58_KeepsLeadingZeroBytesAsOnes()
    {
        Assert.Equal("11", Base58Btc.Encode([0, 0]));
        Assert.Equal(new byte[] { 0, 0, 1 }, Base58Btc.Decode("112"));
    }

    // RFC 4648 section 10, lower case and without padding.
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "my")]
    [InlineData("fo", "mzxq")]
    [InlineData("foo", "mzxw6")]
    [InlineData("foob", "mzxw6yq")]
    [InlineData("fooba", "mzxw6ytb")]
    [InlineData("foobar", "mzxw6ytboi")]
    public void Base32_MatchesRfc4648Vectors(string text, string encoded)
    {
        Assert.Equal(encoded, Base32.Encode(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(text, Encoding.ASCII.GetString(Base32.Decode(encoded)));
        Assert.Equal(text, Encoding.ASCII.GetString(Base32.Decode(encoded.ToUpperInvariant())));
    }

    [Theory]
    [InlineData("m")]       // 5 bits cannot make a byte
    [InlineData("mzx")]     // 15 bits: one byte and 7 left over
    [InlineData("mz")]      // 10 bits whose 2 left-over bits are not zero
    public void Base32_RejectsTextNoEncoderMakes(string text)
    {
        Assert.Throws<MultiformatException>(() => Base32.Decode(text));
    }

    [Property]
    public bool Base58_RoundTrips(byte[] data) => Base58Btc.Decode(Base58Btc.Encode(data)).AsSpan().SequenceEqual(data);

    [Property]
    public bool Base32_RoundTrips(byte[] data) => Base32.Decode(Base32.Encode(data)).AsSpan().SequenceEqual(data);

    [Property]
    public bool Multibase_RoundTripsInEveryEncoding(byte[] data)
    {
        foreach (var encoding in Enum.GetValues<Multibase.Encoding>())
        {
            var text = Multibase.Encode(encoding, data);
            if (!Multibase.Decode(text, out var seen).AsSpan().SequenceEqual(data) || seen != encoding)
            {
                return false;
            }
        }
        return true;
    }

    [Property]
    public void Multibase_DecodeNeverThrowsAnythingButMultiformatException(string? text)
    {
        try
        {
            Multibase.Decode(text ?? "", out _);
        }
        catch (MultiformatException)
        {
        }
    }
}
