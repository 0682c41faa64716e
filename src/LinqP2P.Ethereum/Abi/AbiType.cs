using System.Globalization;
using LinqP2P.Core;

namespace LinqP2P.Ethereum.Abi;

/// <summary>
/// A Solidity ABI type (SPEC.md §3.3; Solidity "Contract ABI Specification"). Parse one with <see cref="Parse"/>;
/// <see cref="ToString"/> gives the canonical name used in signatures (<c>uint</c> becomes <c>uint256</c>).
/// <para>Values: integers are <see cref="System.Numerics.BigInteger"/>, <c>address</c> is <see cref="Address"/>,
/// <c>bool</c> is <see cref="bool"/>, <c>bytesN</c>/<c>bytes</c> are <c>byte[]</c>, <c>string</c> is <see cref="string"/>,
/// arrays and tuples are <c>object[]</c>. Encoders also accept the other integer types, <see cref="Hash32"/>,
/// <see cref="ReadOnlyMemory{T}"/> of bytes and any <see cref="System.Collections.IEnumerable"/> for arrays and tuples.</para>
/// </summary>
public abstract record AbiType
{
    /// <summary>Deepest nesting of arrays and tuples <see cref="Parse"/> accepts, so hostile ABI JSON cannot exhaust the stack.</summary>
    public const int MaxNesting = 32;

    /// <summary>Largest encoded size of a static type (fixed arrays of fixed arrays multiply quickly): 16 MiB.</summary>
    public const int MaxStaticSize = 16 * 1024 * 1024;

    private protected AbiType() { }

    /// <summary>True when the encoding has a variable size and lives in the tail behind an offset.</summary>
    public abstract bool IsDynamic { get; }

    /// <summary>Bytes this type occupies in the head of its enclosing tuple: 32 for dynamic types.</summary>
    public abstract int HeadSize { get; }

    /// <summary>The canonical type name, as used in function signatures.</summary>
    public abstract override string ToString();

    /// <summary>Reads a type such as <c>uint256</c>, <c>bytes32[]</c>, <c>(address,(uint8,string)[])[3]</c>.</summary>
    /// <exception cref="InvalidInputException">with code <c>eth.abi.invalid-type</c>.</exception>
    public static AbiType Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new TypeReader(text);
        var type = reader.ReadType(0);
        reader.SkipSpaces();
        if (!reader.AtEnd)
        {
            throw reader.Error("unexpected text after the type");
        }
        return type;
    }

    /// <summary>Reads a parenthesised list of types such as <c>(uint256,address)</c> or the empty list <c>()</c>.</summary>
    public static IReadOnlyList<AbiType> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new TypeReader(text);
        var types = reader.ReadTupleComponents(0, allowEmpty: true);
        reader.SkipSpaces();
        if (!reader.AtEnd)
        {
            throw reader.Error("unexpected text after the type list");
        }
        return types;
    }

    /// <summary>The canonical form of a list of types: <c>(t1,t2,...)</c>.</summary>
    public static string ListToString(IEnumerable<AbiType> types) => "(" + string.Join(",", types) + ")";

    internal ref struct TypeReader(string text)
    {
        private readonly string _text = text;
        private int _at;

        public readonly bool AtEnd => _at >= _text.Length;

        public void SkipSpaces()
        {
            while (_at < _text.Length && _text[_at] == ' ')
            {
                _at++;
            }
        }

        public AbiType ReadType(int depth)
        {
            if (depth > MaxNesting)
            {
                throw Error($"types nest deeper than {MaxNesting} levels");
            }
            SkipSpaces();
            AbiType type;
            if (_at < _text.Length && _text[_at] == '(')
            {
                type = new AbiTupleType(ReadTupleComponents(depth + 1, allowEmpty: false));
            }
            else
            {
                var start = _at;
                while (_at < _text.Length && char.IsAsciiLetterOrDigit(_text[_at]))
                {
                    _at++;
                }
                var name = _text[start.._at];
                // "tuple" is how JSON ABIs spell a tuple whose components are given separately; it cannot appear in a signature.
                type = Elementary(name) ?? throw Error($"'{name}' is not an ABI type");
            }
            while (_at < _text.Length && _text[_at] == '[')
            {
                if (++depth > MaxNesting)
                {
                    throw Error($"types nest deeper than {MaxNesting} levels");
                }
                _at++;
                var start = _at;
                while (_at < _text.Length && char.IsAsciiDigit(_text[_at]))
                {
                    _at++;
                }
                if (_at >= _text.Length || _text[_at] != ']')
                {
                    throw Error("expected ']'");
                }
                int? length = null;
                if (_at > start)
                {
                    var digits = _text[start.._at];
                    if ((digits.Length > 1 && digits[0] == '0') || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1 || k > 1_000_000)
                    {
                        throw Error($"array length '{digits}' must be a number from 1 to 1000000 without leading zeros");
                    }
                    length = k;
                }
                _at++;
                type = new AbiArrayType(type, length);
                // A fixed array's head is inline; keep it small enough that offsets and sizes stay plain ints.
                if (!type.IsDynamic && (long)((AbiArrayType)type).Element.HeadSize * length!.Value > MaxStaticSize)
                {
                    throw Error($"a static type may occupy at most {MaxStaticSize} bytes");
                }
            }
            return type;
        }

        public IReadOnlyList<AbiType> ReadTupleComponents(int depth, bool allowEmpty)
        {
            SkipSpaces();
            if (_at >= _text.Length || _text[_at] != '(')
            {
                throw Error("expected '('");
            }
            _at++;
            var components = new List<AbiType>();
            SkipSpaces();
            if (_at < _text.Length && _text[_at] == ')')
            {
                _at++;
                if (!allowEmpty)
                {
                    // An empty tuple encodes to zero bytes, so an array of them could claim any length for free.
                    throw Error("the empty tuple () is not a value type");
                }
                return components;
            }
            while (true)
            {
                components.Add(ReadType(depth));
                SkipSpaces();
                if (_at < _text.Length && _text[_at] == ',')
                {
                    _at++;
                    continue;
                }
                if (_at < _text.Length && _text[_at] == ')')
                {
                    _at++;
                    return components;
                }
                throw Error("expected ',' or ')'");
            }
        }

        public readonly InvalidInputException Error(string why) =>
            new("eth.abi.invalid-type", $"'{Hex.Shorten(_text)}' is not a valid ABI type at position {_at}: {why}.");
    }

    internal static AbiType? Elementary(string name)
    {
        switch (name)
        {
            case "address": return AbiAddressType.Instance;
            case "bool": return AbiBoolType.Instance;
            case "string": return AbiStringType.Instance;
            case "bytes": return AbiBytesType.Instance;
            case "uint": return new AbiIntegerType(false, 256);
            case "int": return new AbiIntegerType(true, 256);
        }
        if (name.StartsWith("uint", StringComparison.Ordinal) && Size(name.AsSpan(4)) is { } ub && ub % 8 == 0 && ub is >= 8 and <= 256)
        {
            return new AbiIntegerType(false, ub);
        }
        if (name.StartsWith("int", StringComparison.Ordinal) && Size(name.AsSpan(3)) is { } ib && ib % 8 == 0 && ib is >= 8 and <= 256)
        {
            return new AbiIntegerType(true, ib);
        }
        if (name.StartsWith("bytes", StringComparison.Ordinal) && Size(name.AsSpan(5)) is { } n && n is >= 1 and <= 32)
        {
            return new AbiFixedBytesType(n);
        }
        return null;
    }

    private static int? Size(ReadOnlySpan<char> digits) =>
        digits.Length is >= 1 and <= 3 && digits[0] != '0' && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
}

/// <summary><c>uintN</c> or <c>intN</c>, N a multiple of 8 from 8 to 256.</summary>
public sealed record AbiIntegerType(bool Signed, int Bits) : AbiType
{
    public override bool IsDynamic => false;

    public override int HeadSize => 32;

    public override string ToString() => (Signed ? "int" : "uint") + Bits.ToString(CultureInfo.InvariantCulture);
}

/// <summary><c>address</c>: 20 bytes, left-padded.</summary>
public sealed record AbiAddressType : AbiType
{
    public static AbiAddressType Instance { get; } = new();

    public override bool IsDynamic => false;

    public override int HeadSize => 32;

    public override string ToString() => "address";
}

/// <summary><c>bool</c>: encoded as uint8 0 or 1.</summary>
public sealed record AbiBoolType : AbiType
{
    public static AbiBoolType Instance { get; } = new();

    public override bool IsDynamic => false;

    public override int HeadSize => 32;

    public override string ToString() => "bool";
}

/// <summary><c>bytesN</c>, N from 1 to 32: right-padded.</summary>
public sealed record AbiFixedBytesType(int Size) : AbiType
{
    public override bool IsDynamic => false;

    public override int HeadSize => 32;

    public override string ToString() => "bytes" + Size.ToString(CultureInfo.InvariantCulture);
}

/// <summary><c>bytes</c>: dynamic byte string.</summary>
public sealed record AbiBytesType : AbiType
{
    public static AbiBytesType Instance { get; } = new();

    public override bool IsDynamic => true;

    public override int HeadSize => 32;

    public override string ToString() => "bytes";
}

/// <summary><c>string</c>: dynamic UTF-8 text.</summary>
public sealed record AbiStringType : AbiType
{
    public static AbiStringType Instance { get; } = new();

    public override bool IsDynamic => true;

    public override int HeadSize => 32;

    public override string ToString() => "string";
}

/// <summary><c>T[k]</c> when <see cref="Length"/> is set, else <c>T[]</c>.</summary>
public sealed record AbiArrayType(AbiType Element, int? Length) : AbiType
{
    public override bool IsDynamic => Length is null || Element.IsDynamic;

    public override int HeadSize => IsDynamic ? 32 : checked(Element.HeadSize * Length!.Value);

    public override string ToString() => Element + (Length is { } k ? "[" + k.ToString(CultureInfo.InvariantCulture) + "]" : "[]");
}

/// <summary><c>(T1,...,Tn)</c>; a Solidity struct.</summary>
public sealed record AbiTupleType : AbiType
{
    public AbiTupleType(IReadOnlyList<AbiType> components, IReadOnlyList<string>? names = null)
    {
        if (components.Count == 0)
        {
            throw new InvalidInputException("eth.abi.invalid-type", "the empty tuple () is not a value type.");
        }
        Components = components;
        Names = names;
    }

    public IReadOnlyList<AbiType> Components { get; }

    /// <summary>Component names from a JSON ABI, when known; they do not take part in the encoding or equality.</summary>
    public IReadOnlyList<string>? Names { get; }

    public override bool IsDynamic => Components.Any(c => c.IsDynamic);

    public override int HeadSize => IsDynamic ? 32 : Components.Sum(c => c.HeadSize);

    public override string ToString() => ListToString(Components);

    public bool Equals(AbiTupleType? other) => other is not null && Components.SequenceEqual(other.Components);

    public override int GetHashCode() => Components.Aggregate(17, (h, c) => HashCode.Combine(h, c));
}
