using System.Numerics;
using System.Text;

namespace LinqP2P.Ethereum.Rlp;

/// <summary>
/// An RLP value (yellow paper appendix B): either a byte string or a list of items. Integers are byte strings
/// holding the big-endian value without leading zeros (zero is the empty string).
/// </summary>
public sealed class RlpItem : IEquatable<RlpItem>
{
    private static readonly RlpItem[] NoItems = [];
    private readonly byte[] _bytes;
    private readonly RlpItem[] _items;

    private RlpItem(byte[] bytes, RlpItem[] items, bool isList)
    {
        _bytes = bytes;
        _items = items;
        IsList = isList;
    }

    /// <summary>The empty string, 0x80: also the integer zero.</summary>
    public static RlpItem Empty { get; } = new([], NoItems, false);

    /// <summary>The empty list, 0xc0.</summary>
    public static RlpItem EmptyList { get; } = new([], NoItems, true);

    public bool IsList { get; }

    /// <summary>The bytes of a string item (empty for a list).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The items of a list (empty for a string).</summary>
    public IReadOnlyList<RlpItem> Items => _items;

    public static RlpItem String(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? Empty : new RlpItem(bytes.ToArray(), NoItems, false);

    public static RlpItem String(string utf8) => String(Encoding.UTF8.GetBytes(utf8));

    public static RlpItem List(params IEnumerable<RlpItem> items) => new([], [.. items], true);

    /// <summary>A non-negative integer as its minimal big-endian bytes.</summary>
    public static RlpItem Integer(BigInteger value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value.Sign, nameof(value));
        return value.IsZero ? Empty : new RlpItem(value.ToByteArray(isUnsigned: true, isBigEndian: true), NoItems, false);
    }

    public static RlpItem Integer(ulong value) => Integer(new BigInteger(value));

    public static RlpItem Address(Address address) => String(address.Span);

    public static RlpItem Hash(Hash32 hash) => String(hash.Span);

    /// <summary>
    /// The string read as a canonical integer of at most <paramref name="maxBytes"/> bytes.
    /// </summary>
    /// <exception cref="EthereumDecodeException">when it is a list, has a leading zero byte, or is too long.</exception>
    public BigInteger AsInteger(int maxBytes = 32)
    {
        var bytes = ExpectString("an integer");
        if (bytes.Length > maxBytes)
        {
            throw new EthereumDecodeException("rlp", DecodeError.Oversized, $"an integer of {bytes.Length} bytes exceeds the {maxBytes}-byte limit.");
        }
        if (bytes.Length > 0 && bytes[0] == 0)
        {
            throw new EthereumDecodeException("rlp", DecodeError.NonCanonical, "an integer has a leading zero byte.");
        }
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>The string read as a canonical unsigned 64-bit integer.</summary>
    public ulong AsUInt64() => (ulong)AsInteger(8);

    /// <summary>The string read as a 20-byte address.</summary>
    public Address AsAddress()
    {
        var bytes = ExpectString("an address");
        if (bytes.Length != Ethereum.Address.Length)
        {
            throw new EthereumDecodeException("rlp", DecodeError.Malformed, $"an address must be 20 bytes, got {bytes.Length}.");
        }
        return Ethereum.Address.FromBytes(bytes);
    }

    /// <summary>The string read as a 32-byte hash.</summary>
    public Hash32 AsHash()
    {
        var bytes = ExpectString("a hash");
        if (bytes.Length != Hash32.Length)
        {
            throw new EthereumDecodeException("rlp", DecodeError.Malformed, $"a hash must be 32 bytes, got {bytes.Length}.");
        }
        return Hash32.FromBytes(bytes);
    }

    /// <summary>The items, failing unless this is a list of exactly <paramref name="count"/> items (when given).</summary>
    public IReadOnlyList<RlpItem> AsList(int? count = null)
    {
        if (!IsList)
        {
            throw new EthereumDecodeException("rlp", DecodeError.Malformed, "expected a list, found a string.");
        }
        if (count is { } c && _items.Length != c)
        {
            throw new EthereumDecodeException("rlp", DecodeError.Malformed, $"expected a list of {c} items, found {_items.Length}.");
        }
        return _items;
    }

    public byte[] Encode() => RlpEncoder.Encode(this);

    public bool Equals(RlpItem? other) =>
        other is not null && IsList == other.IsList
        && (IsList ? _items.AsSpan().SequenceEqual(other._items) : _bytes.AsSpan().SequenceEqual(other._bytes));

    public override bool Equals(object? obj) => Equals(obj as RlpItem);

    public override int GetHashCode() => HashCode.Combine(IsList, _bytes.Length, _items.Length);

    /// <summary>The JSON-like form <c>cast to-rlp</c> reads and <c>cast from-rlp</c> writes: <c>["0x01",["0x"]]</c>.</summary>
    public override string ToString() =>
        IsList ? "[" + string.Join(",", _items.Select(i => i.ToString())) + "]" : "\"" + Hex.Encode(_bytes) + "\"";

    private ReadOnlySpan<byte> ExpectString(string what)
    {
        if (IsList)
        {
            throw new EthereumDecodeException("rlp", DecodeError.Malformed, $"expected {what}, found a list.");
        }
        return _bytes;
    }
}
