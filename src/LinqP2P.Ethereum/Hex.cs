using System.Globalization;
using System.Numerics;
using LinqP2P.Core;

namespace LinqP2P.Ethereum;

/// <summary>
/// Hex as Ethereum tools write it: lower-case, <c>0x</c>-prefixed. Data ("0x" + even number of digits) and
/// quantities ("0x" + minimal digits, "0x0" for zero) follow the JSON-RPC rules (SPEC.md §3.1).
/// </summary>
public static class Hex
{
    /// <summary>Writes <paramref name="bytes"/> as lower-case hex, with a <c>0x</c> prefix unless told not to.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes, bool prefix = true)
    {
        var hex = Convert.ToHexStringLower(bytes);
        return prefix ? "0x" + hex : hex;
    }

    /// <summary>Reads hex data: an optional <c>0x</c>/<c>0X</c> prefix and an even number of digits of either case.</summary>
    /// <exception cref="InvalidInputException">with code <c>eth.hex.invalid</c> when the text is not hex data.</exception>
    public static byte[] Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (!TryDecode(hex, out var bytes))
        {
            throw new InvalidInputException("eth.hex.invalid", $"'{Shorten(hex)}' is not hex data: expected an optional 0x and an even number of hex digits.");
        }
        return bytes;
    }

    /// <summary>Reads hex data as <see cref="Decode"/> does, returning false instead of throwing.</summary>
    public static bool TryDecode(string? hex, out byte[] bytes)
    {
        bytes = [];
        if (hex is null)
        {
            return false;
        }
        var digits = StripPrefix(hex);
        if (digits.Length % 2 != 0)
        {
            return false;
        }
        var result = new byte[digits.Length / 2];
        for (var i = 0; i < result.Length; i++)
        {
            var hi = Nibble(digits[2 * i]);
            var lo = Nibble(digits[(2 * i) + 1]);
            if (hi < 0 || lo < 0)
            {
                return false;
            }
            result[i] = (byte)((hi << 4) | lo);
        }
        bytes = result;
        return true;
    }

    /// <summary>Writes a non-negative integer as a JSON-RPC quantity: <c>0x0</c>, <c>0x1f</c>, never leading zeros.</summary>
    public static string EncodeQuantity(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "quantities are never negative");
        }
        if (value.IsZero)
        {
            return "0x0";
        }
        return "0x" + Convert.ToHexStringLower(value.ToByteArray(isUnsigned: true, isBigEndian: true)).TrimStart('0');
    }

    /// <summary>Writes a non-negative integer as a JSON-RPC quantity.</summary>
    public static string EncodeQuantity(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a JSON-RPC quantity. Leading zeros are tolerated (some nodes send them) but the prefix is required and
    /// at most 64 digits are accepted so a hostile peer cannot make us parse a huge number.
    /// </summary>
    /// <exception cref="InvalidInputException">with code <c>eth.hex.invalid-quantity</c>.</exception>
    public static BigInteger DecodeQuantity(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (!hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || hex.Length < 3 || hex.Length > 66)
        {
            throw new InvalidInputException("eth.hex.invalid-quantity", $"'{Shorten(hex)}' is not a quantity: expected 0x and 1 to 64 hex digits.");
        }
        BigInteger value = 0;
        foreach (var c in hex.AsSpan(2))
        {
            var n = Nibble(c);
            if (n < 0)
            {
                throw new InvalidInputException("eth.hex.invalid-quantity", $"'{Shorten(hex)}' is not a quantity: '{c}' is not a hex digit.");
            }
            value = (value << 4) | n;
        }
        return value;
    }

    internal static ReadOnlySpan<char> StripPrefix(string hex) =>
        hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.AsSpan(2) : hex.AsSpan();

    internal static int Nibble(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    internal static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
