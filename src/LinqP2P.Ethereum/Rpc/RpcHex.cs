using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>
/// The two hex encodings of the Ethereum JSON-RPC wire: QUANTITY (0x-prefixed, no leading zeros) and
/// DATA (0x-prefixed, two digits per byte). Writing is <see cref="Hex"/>'s; the readers here are the strict
/// wire readers of node answers and throw FormatException, which the client reports as a malformed answer.
/// </summary>
public static class RpcHex
{
    public static string Quantity(BigInteger value) => Hex.EncodeQuantity(value);

    public static string Quantity(long value) => Quantity(new BigInteger(value));

    public static BigInteger ParseQuantity(string? text)
    {
        if (text is null || text.Length < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X') || text.Length > 2 + 64)
        {
            throw new FormatException($"\"{text}\" is not a hex QUANTITY");
        }
        var digits = text.AsSpan(2);
        foreach (var c in digits)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                throw new FormatException($"\"{text}\" is not a hex QUANTITY");
            }
        }
        return BigInteger.Parse("0" + digits.ToString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    public static BigInteger ReadQuantity(JsonElement element) => element.ValueKind == JsonValueKind.String
        ? ParseQuantity(element.GetString())
        : throw new FormatException($"expected a hex QUANTITY string, got a JSON {element.ValueKind}");

    public static long ReadLong(JsonElement element) => (long)ReadQuantity(element);

    public static string Data(ReadOnlySpan<byte> bytes) => Hex.Encode(bytes);

    public static bool TryDecodeData(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null || text.Length < 2 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X') || text.Length % 2 != 0)
        {
            return false;
        }
        try
        {
            bytes = Convert.FromHexString(text.AsSpan(2));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static byte[] ParseData(string? text) => TryDecodeData(text, out var bytes)
        ? bytes
        : throw new FormatException($"\"{(text is { Length: > 80 } ? text[..80] + "…" : text)}\" is not hex DATA");

    public static byte[] ReadData(JsonElement element) => element.ValueKind == JsonValueKind.String
        ? ParseData(element.GetString())
        : throw new FormatException($"expected a hex DATA string, got a JSON {element.ValueKind}");

    /// <summary>Reads a 32-byte hash as lowercase 0x-hex, checking its length.</summary>
    public static string ReadHash(JsonElement element)
    {
        var bytes = ReadData(element);
        return bytes.Length == 32 ? Data(bytes) : throw new FormatException($"expected a 32-byte hash, got {bytes.Length} bytes");
    }

    /// <summary>Reads a 20-byte address as lowercase 0x-hex, checking its length.</summary>
    public static string ReadAddress(JsonElement element)
    {
        var bytes = ReadData(element);
        return bytes.Length == 20 ? Data(bytes) : throw new FormatException($"expected a 20-byte address, got {bytes.Length} bytes");
    }
}
