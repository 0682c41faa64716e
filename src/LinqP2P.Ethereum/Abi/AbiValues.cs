using System.Globalization;
using System.Numerics;

namespace LinqP2P.Ethereum.Abi;

/// <summary>Helpers for the decoded value model (<see cref="AbiType"/>).</summary>
public static class AbiValues
{
    /// <summary>A readable form: integers in decimal, bytes in hex, strings quoted, tuples in parentheses, arrays in brackets.</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        BigInteger b => b.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        byte[] bytes => Hex.Encode(bytes),
        string s => "\"" + s + "\"",
        object[] items => "[" + string.Join(", ", items.Select(Format)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Structural equality of two decoded values (byte arrays and nested object arrays compared by content).</summary>
    public static bool AreEqual(object? a, object? b) => (a, b) switch
    {
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (object[] x, object[] y) => x.Length == y.Length && x.Zip(y).All(p => AreEqual(p.First, p.Second)),
        _ => Equals(a, b),
    };
}
