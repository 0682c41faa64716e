using System.Globalization;

namespace LinqP2P.Contracts.Abi;

/// <summary>The kinds of Solidity ABI types.</summary>
public enum AbiKind
{
    Uint,
    Int,
    Address,
    Bool,
    FixedBytes,
    Bytes,
    String,
    Array,
    Tuple,
}

/// <summary>
/// A parsed canonical ABI type such as <c>uint96[]</c> or <c>(address,bytes)[2]</c>. Generated bindings
/// describe every argument with such a string; parsing happens once, into a static field.
/// </summary>
public sealed class AbiType
{
    private AbiType(AbiKind kind, int size = 0, AbiType? element = null, int? length = null, IReadOnlyList<AbiType>? components = null)
    {
        Kind = kind;
        Size = size;
        Element = element;
        Length = length;
        Components = components ?? [];
    }

    public AbiKind Kind { get; }

    /// <summary>Bits of an integer, bytes of a fixed-size byte string.</summary>
    public int Size { get; }

    /// <summary>The element type of an array.</summary>
    public AbiType? Element { get; }

    /// <summary>The length of a fixed-size array; null for <c>T[]</c>.</summary>
    public int? Length { get; }

    public IReadOnlyList<AbiType> Components { get; }

    public bool IsDynamic => Kind switch
    {
        AbiKind.Bytes or AbiKind.String => true,
        AbiKind.Array => Length is null || Element!.IsDynamic,
        AbiKind.Tuple => Components.Any(c => c.IsDynamic),
        _ => false,
    };

    /// <summary>Bytes this type takes in the head of its enclosing tuple.</summary>
    public int HeadSize => IsDynamic ? 32 : Kind switch
    {
        AbiKind.Array => Length!.Value * Element!.HeadSize,
        AbiKind.Tuple => Components.Sum(c => c.HeadSize),
        _ => 32,
    };

    public static AbiType Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var position = 0;
        var type = ParseAt(text, ref position);
        if (position != text.Length)
        {
            throw new FormatException($"unexpected '{text[position..]}' in ABI type '{text}'");
        }
        return type;
    }

    /// <summary>Parses the types of a tuple written as a list, e.g. for a function's parameters.</summary>
    public static AbiType Tuple(params string[] types) => new(AbiKind.Tuple, components: types.Select(Parse).ToArray());

    private static AbiType ParseAt(string text, ref int position)
    {
        AbiType type;
        if (position < text.Length && text[position] == '(')
        {
            position++;
            var components = new List<AbiType>();
            while (position < text.Length && text[position] != ')')
            {
                components.Add(ParseAt(text, ref position));
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                }
            }
            if (position >= text.Length)
            {
                throw new FormatException($"unclosed tuple in ABI type '{text}'");
            }
            position++;
            type = new AbiType(AbiKind.Tuple, components: components);
        }
        else
        {
            var start = position;
            while (position < text.Length && char.IsAsciiLetterOrDigit(text[position]))
            {
                position++;
            }
            type = Elementary(text[start..position]);
        }
        while (position < text.Length && text[position] == '[')
        {
            var close = text.IndexOf(']', position);
            if (close < 0)
            {
                throw new FormatException($"unclosed array in ABI type '{text}'");
            }
            var inside = text[(position + 1)..close];
            int? length = inside.Length == 0 ? null : int.Parse(inside, NumberStyles.None, CultureInfo.InvariantCulture);
            type = new AbiType(AbiKind.Array, element: type, length: length);
            position = close + 1;
        }
        return type;
    }

    private static AbiType Elementary(string name)
    {
        switch (name)
        {
            case "address":
                return new AbiType(AbiKind.Address, 160);
            case "bool":
                return new AbiType(AbiKind.Bool, 8);
            case "bytes":
                return new AbiType(AbiKind.Bytes);
            case "string":
                return new AbiType(AbiKind.String);
            case "uint":
                return new AbiType(AbiKind.Uint, 256);
            case "int":
                return new AbiType(AbiKind.Int, 256);
        }
        if (name.StartsWith("uint", StringComparison.Ordinal) && Bits(name[4..]) is { } u)
        {
            return new AbiType(AbiKind.Uint, u);
        }
        if (name.StartsWith("int", StringComparison.Ordinal) && Bits(name[3..]) is { } i)
        {
            return new AbiType(AbiKind.Int, i);
        }
        if (name.StartsWith("bytes", StringComparison.Ordinal)
            && int.TryParse(name[5..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 32)
        {
            return new AbiType(AbiKind.FixedBytes, n);
        }
        throw new FormatException($"'{name}' is not an ABI type");
    }

    private static int? Bits(string digits) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) && bits is >= 8 and <= 256 && bits % 8 == 0 ? bits : null;
}
