using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Ethereum.Rlp;
using LinqP2P.TestKit;

namespace LinqP2P.Ethereum.Tests;

public sealed class RlpTests
{
    /// <summary>Strings of the lengths where the encoding changes form: empty, one byte either side of 0x80, 55/56, long.</summary>
    private static Gen<RlpItem> StringItem =>
        Gen.OneOf(
            Gen.Constant(RlpItem.Empty),
            Generators.Byte.Select(b => RlpItem.String([b])),
            Gen.Choose(2, 57).SelectMany(Generators.Bytes).Select(b => RlpItem.String(b)),
            Gen.Choose(58, 300).SelectMany(Generators.Bytes).Select(b => RlpItem.String(b)));

    private static Gen<RlpItem> Tree(int size) =>
        size <= 0
            ? StringItem
            : Gen.Frequency(
                (3, StringItem),
                (2, Gen.Choose(0, 5).SelectMany(n => Gen.ArrayOf(Tree(size / 2), n)).Select(items => RlpItem.List(items))));

    public static Gen<RlpItem> Item => Gen.Sized(s => Tree(Math.Min(s, 12)));

    public static Arbitrary<RlpItem> ItemArbitrary() => Item.ToArbitrary();

    [Fact]
    public async Task Encode_MatchesCastToRlp()
    {
        var items = Item.Draw(120);
        var expected = await Cast.RunManyAsync(items, i => ["to-rlp", i.ToString()]);
        for (var i = 0; i < items.Length; i++)
        {
            Assert.True(expected[i] == Hex.Encode(items[i].Encode()), $"{items[i]}: cast {expected[i]}");
        }
    }

    [Fact]
    public async Task Decode_AgreesWithCastFromRlpOnValidAndCorruptedInputs()
    {
        // Corrupting one byte, truncating or extending a valid encoding reaches the decoder's edge cases far more often than random bytes.
        var inputs = Gen.Zip(Gen.Zip(Item, Gen.Choose(0, 3)), Gen.Zip(Gen.Choose(0, 1000), Generators.Byte))
            .Select(t =>
            {
                var ((item, mutation), (position, value)) = t;
                var bytes = item.Encode().ToList();
                var at = position % bytes.Count;
                switch (mutation)
                {
                    case 1: bytes[at] = value; break;
                    case 2: bytes.RemoveRange(at, bytes.Count - at); break;
                    case 3: bytes.Insert(at, value); break;
                }
                return bytes.ToArray();
            })
            .Where(b => b.Length > 0)
            .Draw(150);
        var results = await Task.WhenAll(inputs.Select(b => Cast.TryRunAsync("from-rlp", Hex.Encode(b))));
        for (var i = 0; i < inputs.Length; i++)
        {
            var castAccepted = results[i].ExitCode == 0;
            var input = inputs[i];
            try
            {
                var ours = RlpDecoder.Decode(input);
                Assert.True(castAccepted, $"we accepted {Hex.Encode(input)} as {ours}, cast refused: {results[i].Stderr.Trim()}");
                Assert.Equal(results[i].StdoutTrimmed, ours.ToString());
            }
            catch (EthereumDecodeException e) when (e.Error == DecodeError.TrailingBytes)
            {
                // cast from-rlp reads the first item and ignores the rest; compare on that first item.
                var (_, offset, length) = RlpDecoder.ReadHeader(input);
                Assert.True(castAccepted);
                Assert.Equal(results[i].StdoutTrimmed, RlpDecoder.Decode(input.AsSpan(0, offset + length)).ToString());
            }
            catch (EthereumDecodeException e)
            {
                Assert.False(castAccepted, $"we refused {Hex.Encode(input)} ({e.Code}), cast read {results[i].StdoutTrimmed}");
            }
        }
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(RlpTests)])]
    public bool Decode_RoundTripsEncode(RlpItem item) => RlpDecoder.Decode(item.Encode()).Equals(item);

    [Property(MaxTest = 500)]
    public void Decode_OfRandomBytes_ThrowsOnlyDecodeErrorsAndAcceptsOnlyCanonicalEncodings(byte[] input)
    {
        try
        {
            // Whatever the decoder accepts must be the one canonical encoding of what it decoded.
            Assert.Equal(input, RlpDecoder.Decode(input).Encode());
        }
        catch (EthereumDecodeException)
        {
        }
    }

    [Property(MaxTest = 200)]
    public bool Integer_RoundTripsAndHasNoLeadingZero(ulong a, ulong b)
    {
        var value = ((BigInteger)a << 64) | b;
        var item = RlpItem.Integer(value);
        var decoded = RlpDecoder.Decode(item.Encode());
        return decoded.AsInteger() == value && (item.Bytes.IsEmpty || item.Bytes[0] != 0);
    }

    [Theory]
    [InlineData("8100", DecodeError.NonCanonical)] // 0x00 wrapped in a 1-byte string header
    [InlineData("817f", DecodeError.NonCanonical)]
    [InlineData("b800", DecodeError.NonCanonical)] // long form with a leading zero length byte
    [InlineData("b80100", DecodeError.NonCanonical)] // long form for a 1-byte string
    [InlineData("b837" + "00", DecodeError.NonCanonical)] // long form announcing 55
    [InlineData("f800", DecodeError.NonCanonical)]
    [InlineData("83", DecodeError.Truncated)]
    [InlineData("8301", DecodeError.Truncated)]
    [InlineData("b9", DecodeError.Truncated)]
    [InlineData("c3010203ff", DecodeError.TrailingBytes)]
    [InlineData("c5820102", DecodeError.Truncated)]
    [InlineData("c28301", DecodeError.Truncated)] // the inner string overruns its list
    [InlineData("bbffffffff", DecodeError.Oversized)]
    [InlineData("bf0100000000000000", DecodeError.Oversized)] // an 8-byte length
    [InlineData("", DecodeError.Truncated)]
    public void Decode_RejectsMalformedInput(string hex, DecodeError expected)
    {
        var e = Assert.Throws<EthereumDecodeException>(() => RlpDecoder.Decode(Convert.FromHexString(hex)));
        Assert.Equal(expected, e.Error);
        Assert.StartsWith("eth.rlp.", e.Code, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RejectsNestingDeeperThanTheLimit()
    {
        var item = RlpItem.EmptyList;
        for (var i = 0; i < 10; i++)
        {
            item = RlpItem.List(item);
        }
        var bytes = item.Encode();
        Assert.Equal(item, RlpDecoder.Decode(bytes, new RlpLimits { MaxDepth = 11 }));
        var e = Assert.Throws<EthereumDecodeException>(() => RlpDecoder.Decode(bytes, new RlpLimits { MaxDepth = 10 }));
        Assert.Equal(DecodeError.Oversized, e.Error);
    }

    [Fact]
    public void Decode_RejectsInputLongerThanTheLimitBeforeReadingIt()
    {
        var bytes = RlpItem.String(new byte[100]).Encode();
        var e = Assert.Throws<EthereumDecodeException>(() => RlpDecoder.Decode(bytes, new RlpLimits { MaxInputLength = 50 }));
        Assert.Equal(DecodeError.Oversized, e.Error);
    }

    [Fact]
    public void Decode_RejectsMoreItemsThanTheLimit()
    {
        var bytes = RlpItem.List(Enumerable.Repeat(RlpItem.Empty, 20)).Encode();
        Assert.Equal(DecodeError.Oversized, Assert.Throws<EthereumDecodeException>(() => RlpDecoder.Decode(bytes, new RlpLimits { MaxItems = 20 })).Error);
        Assert.Equal(21, RlpDecoder.Decode(bytes, new RlpLimits { MaxItems = 21 }).Items.Count + 1);
    }

    [Fact]
    public void AsInteger_RejectsLeadingZeroAndOversizedValues()
    {
        Assert.Equal(DecodeError.NonCanonical, Assert.Throws<EthereumDecodeException>(() => RlpItem.String([0, 1]).AsInteger()).Error);
        Assert.Equal(DecodeError.Oversized, Assert.Throws<EthereumDecodeException>(() => RlpItem.String(new byte[9] { 1, 0, 0, 0, 0, 0, 0, 0, 0 }).AsUInt64()).Error);
    }
}
