using System.Numerics;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Core;
using LinqP2P.Ethereum.Abi;
using LinqP2P.TestKit;

namespace LinqP2P.Ethereum.Tests;

public sealed class AbiCodecTests
{
    public static Arbitrary<(AbiType[] Types, object[] Values)> Cases() => AbiGenerators.TypesAndValues.ToArbitrary();

    [Fact]
    public async Task Encode_MatchesCastAbiEncode()
    {
        var cases = AbiGenerators.TypesAndValues.Draw(150);
        var expected = await Cast.RunManyAsync(cases, c =>
            ["abi-encode", "f" + AbiType.ListToString(c.Types), .. c.Types.Select((t, i) => AbiGenerators.CastArgument(t, c.Values[i]))]);
        for (var i = 0; i < cases.Length; i++)
        {
            var (types, values) = cases[i];
            var ours = Hex.Encode(AbiCodec.Encode(types, values));
            Assert.True(expected[i] == ours, $"f{AbiType.ListToString(types)} with {AbiValues.Format(values)}:\ncast {expected[i]}\nours {ours}");
        }
    }

    [Fact]
    public async Task Calldata_MatchesCastCalldata()
    {
        var cases = AbiGenerators.TypesAndValues.Draw(60);
        var expected = await Cast.RunManyAsync(cases, c =>
            ["calldata", "doIt" + AbiType.ListToString(c.Types), .. c.Types.Select((t, i) => AbiGenerators.CastArgument(t, c.Values[i]))]);
        for (var i = 0; i < cases.Length; i++)
        {
            var function = AbiFunction.Parse("doIt" + AbiType.ListToString(cases[i].Types));
            Assert.Equal(expected[i], Hex.Encode(function.EncodeCall(cases[i].Values)));
        }
    }

    [Fact]
    public async Task Decode_AgreesWithCastAbiDecode()
    {
        var cases = AbiGenerators.TypesAndValues.Draw(120);
        var encoded = cases.Select(c => AbiCodec.Encode(c.Types, c.Values)).ToArray();
        var outputs = await Cast.RunManyAsync(Enumerable.Range(0, cases.Length).ToArray(), i =>
            ["abi-decode", "--json", "f()" + AbiType.ListToString(cases[i].Types), Hex.Encode(encoded[i])]);
        for (var i = 0; i < cases.Length; i++)
        {
            var types = cases[i].Types;
            var ours = AbiCodec.Decode(types, encoded[i]);
            using var json = JsonDocument.Parse(outputs[i]);
            var castValues = json.RootElement.EnumerateArray().ToArray();
            Assert.Equal(types.Length, castValues.Length);
            for (var j = 0; j < types.Length; j++)
            {
                Assert.True(AbiGenerators.MatchesCastJson(types[j], ours[j], castValues[j]), $"{types[j]}: cast {castValues[j]}, ours {AbiValues.Format(ours[j])}");
            }
        }
    }

    [Fact]
    public async Task Selector_MatchesCastSig()
    {
        var types = AbiGenerators.TypeList.Draw(40);
        var expected = await Cast.RunManyAsync(types, t => ["sig", "run" + AbiType.ListToString(t)]);
        for (var i = 0; i < types.Length; i++)
        {
            Assert.Equal(expected[i], Hex.Encode(AbiFunction.Parse("run" + AbiType.ListToString(types[i])).Selector));
        }
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(AbiCodecTests)])]
    public bool Decode_RoundTripsEncode((AbiType[] Types, object[] Values) c) =>
        AbiValues.AreEqual(c.Values, AbiCodec.Decode(c.Types, AbiCodec.Encode(c.Types, c.Values)));

    [Property(MaxTest = 200, Arbitrary = [typeof(AbiCodecTests)])]
    public bool TypeNames_ParseBackToTheSameTypes((AbiType[] Types, object[] Values) c) =>
        AbiType.ParseList(AbiType.ListToString(c.Types)).SequenceEqual(c.Types);

    [Property(MaxTest = 300, Arbitrary = [typeof(AbiCodecTests)])]
    public void Decode_OfCorruptedEncoding_ThrowsOnlyDecodeErrors((AbiType[] Types, object[] Values) c, int position, byte value, bool truncate)
    {
        var bytes = AbiCodec.Encode(c.Types, c.Values);
        if (bytes.Length == 0)
        {
            return;
        }
        var at = Math.Abs(position % bytes.Length);
        if (truncate)
        {
            bytes = bytes[..at];
        }
        else
        {
            bytes[at] = value;
        }
        try
        {
            AbiCodec.Decode(c.Types, bytes);
        }
        catch (EthereumDecodeException e)
        {
            Assert.Equal("abi", e.Format);
        }
    }

    [Property(MaxTest = 300)]
    public void Decode_OfRandomBytes_ThrowsOnlyDecodeErrors(byte[] data)
    {
        foreach (var types in new[] { "(bytes,string)", "(uint256[][],(address,bytes)[])", "(uint8,int16,bool,bytes3)", "((string[2],uint256)[])" })
        {
            try
            {
                AbiCodec.Decode(types, data);
            }
            catch (EthereumDecodeException)
            {
            }
        }
    }

    [Fact]
    public void Decode_RejectsAnArrayLengthBeyondTheData()
    {
        // offset 0x20, then a length of 2^31 - 1 elements with no data behind it.
        var data = Word(0x20).Concat(Word(int.MaxValue)).ToArray();
        var e = Assert.Throws<EthereumDecodeException>(() => AbiCodec.Decode("(uint256[])", data));
        Assert.Equal(DecodeError.OffsetOutOfRange, e.Error);
    }

    [Fact]
    public void Decode_RejectsAnOffsetBeyondTheData()
    {
        var e = Assert.Throws<EthereumDecodeException>(() => AbiCodec.Decode("(bytes)", Word(0x40)));
        Assert.Equal(DecodeError.OffsetOutOfRange, e.Error);
    }

    [Fact]
    public void Decode_RejectsAHugeOffsetWord()
    {
        var data = Enumerable.Repeat((byte)0xff, 32).Concat(new byte[64]).ToArray();
        Assert.Equal(DecodeError.OffsetOutOfRange, Assert.Throws<EthereumDecodeException>(() => AbiCodec.Decode("(string)", data)).Error);
    }

    [Fact]
    public void Decode_RejectsOverlappingOffsetsThatWouldMultiplyTheData()
    {
        // uint256[][] of 64 inner arrays that all point at the same 64-element array: 66 + 64 words decoding to 64 * 64 values.
        var inner = Word(64).Concat(Enumerable.Range(0, 64).SelectMany(_ => Word(7))).ToArray();
        var innerOffset = 32 * 64;
        var outer = Word(0x20).Concat(Word(64)).Concat(Enumerable.Range(0, 64).SelectMany(_ => Word(innerOffset))).Concat(inner).ToArray();
        var e = Assert.Throws<EthereumDecodeException>(() => AbiCodec.Decode("(uint256[][])", outer));
        Assert.Equal(DecodeError.Oversized, e.Error);
    }

    [Fact]
    public void Decode_AcceptsTheSameArrayWhenItIsNotShared()
    {
        var values = new object[] { Enumerable.Range(0, 8).Select(i => (object)Enumerable.Range(0, 8).Select(j => (object)new BigInteger(j)).ToArray()).ToArray() };
        var decoded = AbiCodec.Decode("(uint256[][])", AbiCodec.Encode("(uint256[][])", values));
        Assert.True(AbiValues.AreEqual(values, decoded));
    }

    [Theory]
    [InlineData("(bool)", "0000000000000000000000000000000000000000000000000000000000000002")]
    [InlineData("(uint8)", "0000000000000000000000000000000000000000000000000000000000000100")]
    [InlineData("(int8)", "0000000000000000000000000000000000000000000000000000000000000080")]
    [InlineData("(address)", "0000000000000000000000010000000000000000000000000000000000000000")]
    [InlineData("(bytes2)", "0000010000000000000000000000000000000000000000000000000000000000")]
    public void Decode_RejectsDirtyValueWords(string types, string hex)
    {
        var e = Assert.Throws<EthereumDecodeException>(() => AbiCodec.Decode(types, Convert.FromHexString(hex)));
        Assert.Equal(DecodeError.Malformed, e.Error);
    }

    [Fact]
    public void Decode_RejectsInvalidUtf8InAString()
    {
        var data = Word(0x20).Concat(Word(2)).Concat(new byte[] { 0xc3, 0x28 }).Concat(new byte[30]).ToArray();
        Assert.Equal(DecodeError.Malformed, Assert.Throws<EthereumDecodeException>(() => AbiCodec.Decode("(string)", data)).Error);
    }

    [Fact]
    public void Decode_RejectsTruncatedHead() =>
        Assert.Equal(DecodeError.Truncated, Assert.Throws<EthereumDecodeException>(() => AbiCodec.Decode("(uint256,uint256)", new byte[63])).Error);

    [Theory]
    [InlineData("uint7")]
    [InlineData("uint264")]
    [InlineData("uint08")]
    [InlineData("int0")]
    [InlineData("bytes0")]
    [InlineData("bytes33")]
    [InlineData("byte")]
    [InlineData("uint256[0]")]
    [InlineData("uint256[")]
    [InlineData("(uint256")]
    [InlineData("()")]
    [InlineData("(uint256,)")]
    [InlineData("tuple")]
    [InlineData("uint256[1000000][1000000]")]
    public void ParseType_RejectsInvalidTypes(string text) =>
        Assert.Equal("eth.abi.invalid-type", Assert.Throws<InvalidInputException>(() => AbiType.Parse(text)).Code);

    [Property(MaxTest = 300)]
    public void ParseType_OfRandomStrings_ThrowsOnlyTypedErrors(string text)
    {
        try
        {
            AbiType.Parse(text ?? "");
        }
        catch (InvalidInputException)
        {
        }
        try
        {
            AbiFunction.Parse(text ?? "");
        }
        catch (InvalidInputException)
        {
        }
    }

    [Theory]
    [InlineData("uint", "uint256")]
    [InlineData("int[]", "int256[]")]
    [InlineData("( uint8 , (bool,string)[2] )[]", "(uint8,(bool,string)[2])[]")]
    [InlineData("bytes32[3][]", "bytes32[3][]")]
    public void ParseType_NormalisesToTheCanonicalName(string text, string canonical) =>
        Assert.Equal(canonical, AbiType.Parse(text).ToString());

    [Fact]
    public void ParseType_RejectsNestingDeeperThanTheLimit()
    {
        var deep = new string('(', 40) + "uint8" + new string(')', 40);
        Assert.Throws<InvalidInputException>(() => AbiType.Parse(deep));
        Assert.Throws<InvalidInputException>(() => AbiType.Parse("uint8" + string.Concat(Enumerable.Repeat("[]", 40))));
    }

    [Theory]
    [InlineData("(uint8)", 256)]
    [InlineData("(int8)", -129)]
    [InlineData("(uint256)", -1)]
    public void Encode_RejectsIntegersOutsideTheType(string types, int value) =>
        Assert.Equal("eth.abi.invalid-value", Assert.Throws<InvalidInputException>(() => AbiCodec.Encode(types, value)).Code);

    [Fact]
    public void Encode_RejectsWrongArityAndWrongShapes()
    {
        Assert.Throws<InvalidInputException>(() => AbiCodec.Encode("(uint8,bool)", 1));
        Assert.Throws<InvalidInputException>(() => AbiCodec.Encode("(uint8[2])", new object[] { new object[] { 1 } }));
        Assert.Throws<InvalidInputException>(() => AbiCodec.Encode("(bytes4)", new byte[3]));
        Assert.Throws<InvalidInputException>(() => AbiCodec.Encode("(bool)", 1));
    }

    private static byte[] Word(long value)
    {
        var word = new byte[32];
        for (var i = 31; i >= 24; i--)
        {
            word[i] = (byte)value;
            value >>= 8;
        }
        return word;
    }
}
