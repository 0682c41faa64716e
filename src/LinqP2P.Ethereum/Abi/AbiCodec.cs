using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using LinqP2P.Core;

namespace LinqP2P.Ethereum.Abi;

/// <summary>
/// Encodes and decodes values by the Solidity ABI head/tail scheme (SPEC.md §3.3). See <see cref="AbiType"/> for the value model.
/// <para>Decoding is strict and bounded: every offset and length is checked against the data before it is used,
/// value words must be clean (no dirty high bits, bools 0 or 1), and the decoder refuses data that decodes to more
/// words than it contains — the overlapping-offsets "ABI bomb" — so memory stays proportional to the input.</para>
/// </summary>
public static class AbiCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes <paramref name="values"/> as the tuple of <paramref name="types"/> (function arguments, return data).</summary>
    /// <exception cref="InvalidInputException">with code <c>eth.abi.invalid-value</c> when a value does not fit its type.</exception>
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(values);
        if (types.Count != values.Count)
        {
            throw InvalidValue($"{types.Count} types but {values.Count} values were given.");
        }
        var output = new List<byte>();
        EncodeTuple(types, values, output);
        return [.. output];
    }

    /// <summary>Encodes values for a type list written as text, e.g. <c>Encode("(uint256,address[])", 5, addresses)</c>.</summary>
    public static byte[] Encode(string typeList, params object?[] values) => Encode(AbiType.ParseList(typeList), values);

    /// <summary>Encodes a single value of <paramref name="type"/> as a one-element tuple.</summary>
    public static byte[] EncodeSingle(AbiType type, object? value) => Encode([type], [value]);

    /// <summary>Decodes the tuple of <paramref name="types"/> that spans <paramref name="data"/>.</summary>
    /// <exception cref="EthereumDecodeException">with format <c>abi</c>.</exception>
    public static object[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(types);
        var budget = new Budget(data.Length);
        return DecodeTuple(types, data, 0, data.Length, budget);
    }

    /// <summary>Decodes values for a type list written as text.</summary>
    public static object[] Decode(string typeList, ReadOnlySpan<byte> data) => Decode(AbiType.ParseList(typeList), data);

    // ---------------------------------------------------------------- encoding

    private static void EncodeTuple(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values, List<byte> output)
    {
        var start = output.Count;
        var headSize = types.Sum(t => t.HeadSize);
        // Reserve the head; dynamic members get their offset (relative to the tuple start) patched in once their tail is written.
        output.AddRange(new byte[headSize]);
        var headAt = start;
        for (var i = 0; i < types.Count; i++)
        {
            var type = types[i];
            if (type.IsDynamic)
            {
                WriteWord(output, headAt, new BigInteger(output.Count - start));
                var tail = new List<byte>();
                EncodeValue(type, values[i], tail);
                output.AddRange(tail);
            }
            else
            {
                var part = new List<byte>();
                EncodeValue(type, values[i], part);
                for (var j = 0; j < part.Count; j++)
                {
                    output[headAt + j] = part[j];
                }
            }
            headAt += type.HeadSize;
        }
    }

    private static void EncodeValue(AbiType type, object? value, List<byte> output)
    {
        switch (type)
        {
            case AbiIntegerType it:
                {
                    var v = ToBigInteger(value, type);
                    var min = it.Signed ? -(BigInteger.One << (it.Bits - 1)) : BigInteger.Zero;
                    var max = it.Signed ? (BigInteger.One << (it.Bits - 1)) - 1 : (BigInteger.One << it.Bits) - 1;
                    if (v < min || v > max)
                    {
                        throw InvalidValue($"{v} does not fit in {type}.");
                    }
                    AppendWord(output, v);
                    break;
                }
            case AbiAddressType:
                {
                    var a = value switch
                    {
                        Address x => x,
                        string text => Address.Parse(text),
                        byte[] raw when raw.Length == 20 => Address.FromBytes(raw),
                        _ => throw InvalidValue($"an address was expected, got {Describe(value)}."),
                    };
                    output.AddRange(new byte[12]);
                    output.AddRange(a.Span.ToArray());
                    break;
                }
            case AbiBoolType:
                AppendWord(output, value is bool b ? (b ? BigInteger.One : BigInteger.Zero) : throw InvalidValue($"a bool was expected, got {Describe(value)}."));
                break;
            case AbiFixedBytesType fb:
                {
                    var bytes = ToBytes(value, type);
                    if (bytes.Length != fb.Size)
                    {
                        throw InvalidValue($"{type} takes exactly {fb.Size} bytes, got {bytes.Length}.");
                    }
                    output.AddRange(bytes);
                    output.AddRange(new byte[32 - bytes.Length]);
                    break;
                }
            case AbiBytesType:
                AppendDynamicBytes(output, ToBytes(value, type));
                break;
            case AbiStringType:
                AppendDynamicBytes(output, value is string s ? Encoding.UTF8.GetBytes(s) : throw InvalidValue($"a string was expected, got {Describe(value)}."));
                break;
            case AbiArrayType at:
                {
                    var items = ToList(value, type);
                    if (at.Length is { } k && items.Count != k)
                    {
                        throw InvalidValue($"{type} takes exactly {k} elements, got {items.Count}.");
                    }
                    if (at.Length is null)
                    {
                        AppendWord(output, items.Count);
                    }
                    EncodeTuple(Enumerable.Repeat(at.Element, items.Count).ToArray(), items, output);
                    break;
                }
            case AbiTupleType tt:
                {
                    var items = ToList(value, type);
                    if (items.Count != tt.Components.Count)
                    {
                        throw InvalidValue($"{type} takes {tt.Components.Count} components, got {items.Count}.");
                    }
                    EncodeTuple(tt.Components, items, output);
                    break;
                }
            default:
                throw new NotSupportedException(type.ToString());
        }
    }

    private static void AppendDynamicBytes(List<byte> output, byte[] bytes)
    {
        AppendWord(output, bytes.Length);
        output.AddRange(bytes);
        output.AddRange(new byte[(32 - (bytes.Length % 32)) % 32]);
    }

    private static void AppendWord(List<byte> output, BigInteger value)
    {
        var at = output.Count;
        output.AddRange(new byte[32]);
        WriteWord(output, at, value);
    }

    /// <summary>Writes a two's-complement 256-bit big-endian word.</summary>
    private static void WriteWord(List<byte> output, int at, BigInteger value)
    {
        Span<byte> word = stackalloc byte[32];
        word.Fill(value.Sign < 0 ? (byte)0xff : (byte)0);
        var unsigned = value.Sign >= 0;
        var count = value.GetByteCount(isUnsigned: unsigned);
        value.TryWriteBytes(word[(32 - count)..], out _, isUnsigned: unsigned, isBigEndian: true);
        for (var i = 0; i < 32; i++)
        {
            output[at + i] = word[i];
        }
    }

    internal static BigInteger ToBigInteger(object? value, AbiType type) => value switch
    {
        BigInteger b => b,
        int i => i,
        long l => l,
        uint u => u,
        ulong ul => ul,
        short s => s,
        ushort us => us,
        byte by => by,
        sbyte sb => sb,
        UInt128 u128 => (BigInteger)u128,
        Int128 i128 => (BigInteger)i128,
        string s when BigInteger.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw InvalidValue($"an integer for {type} was expected, got {Describe(value)}."),
    };

    internal static byte[] ToBytes(object? value, AbiType type) => value switch
    {
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.ToArray(),
        Memory<byte> m => m.ToArray(),
        Hash32 h => h.ToArray(),
        Address a => a.ToArray(),
        string s when Hex.TryDecode(s, out var decoded) && s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => decoded,
        _ => throw InvalidValue($"bytes for {type} were expected, got {Describe(value)}."),
    };

    internal static List<object?> ToList(object? value, AbiType type) => value switch
    {
        null or string or byte[] => throw InvalidValue($"a list of values for {type} was expected, got {Describe(value)}."),
        ITuple tuple => Enumerable.Range(0, tuple.Length).Select(i => tuple[i]).ToList(),
        IEnumerable e => e.Cast<object?>().ToList(),
        _ => throw InvalidValue($"a list of values for {type} was expected, got {Describe(value)}."),
    };

    private static string Describe(object? value) => value is null ? "null" : value.GetType().Name;

    private static InvalidInputException InvalidValue(string message) => new("eth.abi.invalid-value", message);

    // ---------------------------------------------------------------- decoding

    /// <summary>Counts decoded words; well-formed data never decodes a word twice, so the count cannot exceed the data.</summary>
    private sealed class Budget(int dataLength)
    {
        private long _remaining = (dataLength / 32) + 1;

        public void Spend(long words, string what)
        {
            _remaining -= Math.Max(words, 1);
            if (_remaining < 0)
            {
                throw Fail(DecodeError.Oversized, $"{what} decodes to more data than the input holds: offsets overlap.");
            }
        }
    }

    /// <summary>Decodes a tuple whose encoding starts at <paramref name="start"/> and may extend to <paramref name="end"/>.</summary>
    private static object[] DecodeTuple(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data, int start, int end, Budget budget)
    {
        var values = new object[types.Count];
        var headAt = start;
        for (var i = 0; i < types.Count; i++)
        {
            var type = types[i];
            if ((long)headAt + type.HeadSize > end)
            {
                throw Fail(DecodeError.Truncated, $"the data ends inside the head of element {i} ({type}).");
            }
            if (type.IsDynamic)
            {
                var offset = ReadOffset(data, headAt, end - start, "an offset");
                values[i] = DecodeValue(type, data, start + offset, end, budget);
            }
            else
            {
                values[i] = DecodeValue(type, data, headAt, end, budget);
            }
            headAt += type.HeadSize;
        }
        return values;
    }

    private static object DecodeValue(AbiType type, ReadOnlySpan<byte> data, int at, int end, Budget budget)
    {
        switch (type)
        {
            case AbiIntegerType it:
                budget.Spend(1, type.ToString());
                return ReadInteger(RequireWord(data, at, end), it);
            case AbiAddressType:
                {
                    budget.Spend(1, type.ToString());
                    var word = RequireWord(data, at, end);
                    if (word[..12].ContainsAnyExcept((byte)0))
                    {
                        throw Fail(DecodeError.Malformed, "an address word has non-zero high bytes.");
                    }
                    return Address.FromBytes(word[12..]);
                }
            case AbiBoolType:
                {
                    budget.Spend(1, type.ToString());
                    var word = RequireWord(data, at, end);
                    if (word[..31].ContainsAnyExcept((byte)0) || word[31] > 1)
                    {
                        throw Fail(DecodeError.Malformed, "a bool word is neither 0 nor 1.");
                    }
                    return word[31] == 1;
                }
            case AbiFixedBytesType fb:
                {
                    budget.Spend(1, type.ToString());
                    var word = RequireWord(data, at, end);
                    if (word[fb.Size..].ContainsAnyExcept((byte)0))
                    {
                        throw Fail(DecodeError.Malformed, $"a {type} word has non-zero padding.");
                    }
                    return word[..fb.Size].ToArray();
                }
            case AbiBytesType:
                return ReadDynamicBytes(data, at, end, budget, type).ToArray();
            case AbiStringType:
                try
                {
                    return StrictUtf8.GetString(ReadDynamicBytes(data, at, end, budget, type));
                }
                catch (DecoderFallbackException e)
                {
                    throw new EthereumDecodeException("abi", DecodeError.Malformed, "a string is not valid UTF-8.", e);
                }
            case AbiArrayType at2:
                {
                    int count;
                    var elementsStart = at;
                    if (at2.Length is { } k)
                    {
                        count = k;
                    }
                    else
                    {
                        budget.Spend(1, type.ToString());
                        var lengthWord = RequireWord(data, at, end);
                        count = ReadSize(lengthWord, "an array length");
                        elementsStart = at + 32;
                    }
                    // Each element needs at least its head inside the data; check before allocating anything of that size.
                    if ((long)count * at2.Element.HeadSize > end - elementsStart)
                    {
                        throw Fail(DecodeError.OffsetOutOfRange, $"{type} claims {count} elements but the data holds at most {(end - elementsStart) / Math.Max(1, at2.Element.HeadSize)}.");
                    }
                    return DecodeTuple(new RepeatedList(at2.Element, count), data, elementsStart, end, budget);
                }
            case AbiTupleType tt:
                return DecodeTuple(tt.Components, data, at, end, budget);
            default:
                throw new NotSupportedException(type.ToString());
        }
    }

    private static ReadOnlySpan<byte> ReadDynamicBytes(ReadOnlySpan<byte> data, int at, int end, Budget budget, AbiType type)
    {
        var length = ReadSize(RequireWord(data, at, end), "a byte length");
        if (length > end - at - 32)
        {
            throw Fail(DecodeError.OffsetOutOfRange, $"{type} claims {length} bytes but only {end - at - 32} remain.");
        }
        budget.Spend(1 + ((length + 31L) / 32), type.ToString());
        return data.Slice(at + 32, length);
    }

    private static object ReadInteger(ReadOnlySpan<byte> word, AbiIntegerType type)
    {
        var value = new BigInteger(word, isUnsigned: !type.Signed, isBigEndian: true);
        // A clean word is the value zero- or sign-extended to 256 bits; anything else is a dirty high bit.
        var min = type.Signed ? -(BigInteger.One << (type.Bits - 1)) : BigInteger.Zero;
        var max = type.Signed ? (BigInteger.One << (type.Bits - 1)) - 1 : (BigInteger.One << type.Bits) - 1;
        if (value < min || value > max)
        {
            throw Fail(DecodeError.Malformed, $"a {type} word holds a value outside its range.");
        }
        return value;
    }

    private static ReadOnlySpan<byte> RequireWord(ReadOnlySpan<byte> data, int at, int end)
    {
        if (at < 0 || (long)at + 32 > end)
        {
            throw Fail(DecodeError.Truncated, $"the data ends before the word at offset {at}.");
        }
        return data.Slice(at, 32);
    }

    /// <summary>Reads an offset word, which must point inside the enclosing region of <paramref name="regionLength"/> bytes.</summary>
    private static int ReadOffset(ReadOnlySpan<byte> data, int at, int regionLength, string what)
    {
        var value = ReadSize(data.Slice(at, 32), what);
        if (value >= regionLength)
        {
            throw Fail(DecodeError.OffsetOutOfRange, $"{what} of {value} points beyond the {regionLength}-byte region.");
        }
        return value;
    }

    private static int ReadSize(ReadOnlySpan<byte> word, string what)
    {
        if (word[..28].ContainsAnyExcept((byte)0) || word[28] >= 0x80)
        {
            throw Fail(DecodeError.OffsetOutOfRange, $"{what} exceeds 2^31 - 1.");
        }
        return (word[28] << 24) | (word[29] << 16) | (word[30] << 8) | word[31];
    }

    internal static EthereumDecodeException Fail(DecodeError error, string message) => new("abi", error, message);

    /// <summary>The same element type n times, without allocating n references up front.</summary>
    private sealed class RepeatedList(AbiType element, int count) : IReadOnlyList<AbiType>
    {
        public AbiType this[int index] => element;

        public int Count => count;

        public IEnumerator<AbiType> GetEnumerator() => Enumerable.Repeat(element, count).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
