using System.Collections;
using System.Numerics;
using System.Text;
using LinqP2P.Ethereum;

namespace LinqP2P.Contracts.Abi;

/// <summary>
/// Solidity ABI encoding for the generated bindings: head/tail layout of a tuple of values described by
/// <see cref="AbiType"/>. Values are BigInteger (any integer), Address, bool, byte[] or Hash32 (fixed
/// bytes), byte[] (bytes), string, IList (arrays) and object?[] (tuples). Decoding checks every offset and
/// length against the data, so a hostile or broken answer raises FormatException, never an overrun.
/// </summary>
/// <remarks>
/// The eth branch owns the general ABI codec of LinqP2P.Ethereum; this is the narrow runtime the bindings
/// need, kept behind <see cref="Encode"/>/<see cref="Decode"/> so it can be swapped for that codec.
/// </remarks>
public static class AbiCodec
{
    private const int Word = 32;

    /// <summary>The 4-byte selector of a canonical signature such as <c>transfer(address,uint256)</c>.</summary>
    public static byte[] Selector(string signature) => Keccak256.Hash(signature).Span[..4].ToArray();

    /// <summary>The topic of an event signature: its whole Keccak-256.</summary>
    public static Hash32 Topic(string signature) => Keccak256.Hash(signature);

    public static byte[] Encode(AbiType tuple, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(tuple);
        ArgumentNullException.ThrowIfNull(values);
        using var output = new MemoryStream();
        EncodeTuple(tuple.Components, values, output);
        return output.ToArray();
    }

    /// <summary>Selector followed by the encoded arguments: the calldata of a function call.</summary>
    public static byte[] EncodeCall(byte[] selector, AbiType parameters, IReadOnlyList<object?> values)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return [.. selector, .. Encode(parameters, values)];
    }

    public static object?[] Decode(AbiType tuple, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(tuple);
        return DecodeTuple(tuple.Components, data, 0);
    }

    /// <summary>Decodes one static value from a 32-byte topic; a dynamic indexed value is only its hash.</summary>
    public static object? DecodeTopic(AbiType type, Hash32 topic)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.IsDynamic || type.Kind is AbiKind.Tuple or AbiKind.Array ? topic : DecodeAt(type, topic.Span, 0, 0);
    }

    private static void EncodeTuple(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values, MemoryStream output)
    {
        if (types.Count != values.Count)
        {
            throw new ArgumentException($"expected {types.Count} values, got {values.Count}");
        }
        var headSize = types.Sum(t => t.HeadSize);
        var heads = new MemoryStream();
        var tails = new MemoryStream();
        for (var i = 0; i < types.Count; i++)
        {
            if (types[i].IsDynamic)
            {
                heads.Write(UintWord(headSize + tails.Length));
                EncodeValue(types[i], values[i], tails);
            }
            else
            {
                EncodeValue(types[i], values[i], heads);
            }
        }
        heads.WriteTo(output);
        tails.WriteTo(output);
    }

    private static void EncodeValue(AbiType type, object? value, MemoryStream output)
    {
        switch (type.Kind)
        {
            case AbiKind.Uint:
            case AbiKind.Int:
                output.Write(IntegerWord(type, ToBigInteger(value)));
                break;
            case AbiKind.Address:
                var address = value switch
                {
                    Address a => a,
                    string s => Address.Parse(s),
                    _ => throw new ArgumentException($"an address value must be an Address, not {value?.GetType().Name ?? "null"}"),
                };
                output.Write(new byte[12]);
                output.Write(address.Span);
                break;
            case AbiKind.Bool:
                output.Write(UintWord(value is true ? 1 : value is false ? 0 : throw new ArgumentException("a bool value must be a bool")));
                break;
            case AbiKind.FixedBytes:
                var fixedBytes = Bytes(value);
                if (fixedBytes.Length != type.Size)
                {
                    throw new ArgumentException($"bytes{type.Size} needs {type.Size} bytes, got {fixedBytes.Length}");
                }
                output.Write(Padded(fixedBytes));
                break;
            case AbiKind.Bytes:
            case AbiKind.String:
                var raw = type.Kind == AbiKind.String
                    ? Encoding.UTF8.GetBytes(value as string ?? throw new ArgumentException("a string value must be a string"))
                    : Bytes(value);
                output.Write(UintWord(raw.Length));
                output.Write(Padded(raw));
                break;
            case AbiKind.Array:
                var items = (value as IList ?? throw new ArgumentException("an array value must be a list")).Cast<object?>().ToArray();
                if (type.Length is { } length && items.Length != length)
                {
                    throw new ArgumentException($"the array needs {length} items, got {items.Length}");
                }
                if (type.Length is null)
                {
                    output.Write(UintWord(items.Length));
                }
                EncodeTuple(Enumerable.Repeat(type.Element!, items.Length).ToArray(), items, output);
                break;
            case AbiKind.Tuple:
                EncodeTuple(type.Components, value as IReadOnlyList<object?> ?? throw new ArgumentException("a tuple value must be object?[]"), output);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type.Kind, "unknown ABI kind");
        }
    }

    private static object?[] DecodeTuple(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data, int start)
    {
        var values = new object?[types.Count];
        var head = start;
        for (var i = 0; i < types.Count; i++)
        {
            if (types[i].IsDynamic)
            {
                var offset = ReadLength(data, head);
                values[i] = DecodeAt(types[i], data, checked(start + offset), start);
            }
            else
            {
                values[i] = DecodeAt(types[i], data, head, start);
            }
            head += types[i].HeadSize;
        }
        return values;
    }

    private static object? DecodeAt(AbiType type, ReadOnlySpan<byte> data, int position, int tupleStart)
    {
        switch (type.Kind)
        {
            case AbiKind.Uint:
            case AbiKind.Int:
                var word = WordAt(data, position);
                var value = new BigInteger(word, isUnsigned: type.Kind == AbiKind.Uint, isBigEndian: true);
                var bits = type.Size;
                var fits = type.Kind == AbiKind.Uint
                    ? value < BigInteger.One << bits
                    : value >= -(BigInteger.One << (bits - 1)) && value < BigInteger.One << (bits - 1);
                return fits ? value : throw new FormatException($"{value} does not fit {(type.Kind == AbiKind.Uint ? "uint" : "int")}{bits}");
            case AbiKind.Address:
                var addressWord = WordAt(data, position);
                return addressWord[..12].IndexOfAnyExcept((byte)0) < 0
                    ? Address.FromBytes(addressWord[12..])
                    : throw new FormatException("an address word has non-zero upper bytes");
            case AbiKind.Bool:
                var boolWord = WordAt(data, position);
                return boolWord[..31].IndexOfAnyExcept((byte)0) < 0 && boolWord[31] <= 1
                    ? boolWord[31] == 1
                    : throw new FormatException("a bool word is neither 0 nor 1");
            case AbiKind.FixedBytes:
                var fixedWord = WordAt(data, position);
                return type.Size == 32 ? Hash32.FromBytes(fixedWord) : fixedWord[..type.Size].ToArray();
            case AbiKind.Bytes:
            case AbiKind.String:
                var length = ReadLength(data, position);
                var bytes = Slice(data, checked(position + Word), length);
                return type.Kind == AbiKind.String ? new UTF8Encoding(false, true).GetString(bytes) : bytes.ToArray();
            case AbiKind.Array:
                int count;
                int itemsStart;
                if (type.Length is { } fixedLength)
                {
                    count = fixedLength;
                    itemsStart = position;
                }
                else
                {
                    count = ReadLength(data, position);
                    itemsStart = checked(position + Word);
                }
                if (count > data.Length / Word + 1)
                {
                    throw new FormatException($"an array claims {count} items in {data.Length} bytes");
                }
                return DecodeTuple(Enumerable.Repeat(type.Element!, count).ToArray(), data, itemsStart);
            case AbiKind.Tuple:
                return DecodeTuple(type.Components, data, position);
            default:
                throw new FormatException($"unknown ABI kind {type.Kind}");
        }
    }

    private static int ReadLength(ReadOnlySpan<byte> data, int position)
    {
        var value = new BigInteger(WordAt(data, position), isUnsigned: true, isBigEndian: true);
        return value <= data.Length ? (int)value : throw new FormatException($"an offset or length of {value} exceeds the {data.Length}-byte data");
    }

    private static ReadOnlySpan<byte> WordAt(ReadOnlySpan<byte> data, int position) => Slice(data, position, Word);

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> data, int position, int length) =>
        position >= 0 && length >= 0 && (long)position + length <= data.Length
            ? data.Slice(position, length)
            : throw new FormatException($"the ABI data ends before byte {(long)position + length}");

    private static BigInteger ToBigInteger(object? value) => value switch
    {
        BigInteger b => b,
        int i => i,
        long l => l,
        uint u => u,
        ulong ul => ul,
        ushort us => us,
        short s => s,
        byte by => by,
        _ => throw new ArgumentException($"an integer value must be numeric, not {value?.GetType().Name ?? "null"}"),
    };

    private static byte[] IntegerWord(AbiType type, BigInteger value)
    {
        var bits = type.Size;
        var ok = type.Kind == AbiKind.Uint
            ? value.Sign >= 0 && value < BigInteger.One << bits
            : value >= -(BigInteger.One << (bits - 1)) && value < BigInteger.One << (bits - 1);
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"does not fit {(type.Kind == AbiKind.Uint ? "uint" : "int")}{bits}");
        }
        var word = new byte[Word];
        if (value.Sign < 0)
        {
            Array.Fill(word, (byte)0xff);
        }
        var bytes = value.ToByteArray(isUnsigned: value.Sign >= 0, isBigEndian: true);
        bytes.CopyTo(word, Word - bytes.Length);
        return word;
    }

    private static byte[] UintWord(long value) => IntegerWord(Uint256, value);

    private static readonly AbiType Uint256 = AbiType.Parse("uint256");

    private static byte[] Bytes(object? value) => value switch
    {
        byte[] b => b,
        Hash32 h => h.ToArray(),
        _ => throw new ArgumentException($"a bytes value must be byte[] or Hash32, not {value?.GetType().Name ?? "null"}"),
    };

    private static byte[] Padded(byte[] bytes)
    {
        var padded = new byte[(bytes.Length + Word - 1) / Word * Word];
        bytes.CopyTo(padded, 0);
        return padded;
    }
}
