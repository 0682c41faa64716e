using System.Numerics;

namespace LinqP2P.Multiformats;

/// <summary>Base58 with the Bitcoin alphabet, as peer ids and CIDv0 are written.</summary>
public static class Base58Btc
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static readonly sbyte[] Index = BuildIndex(Alphabet);

    /// <summary>Longest text accepted by <see cref="Decode"/>: far beyond any key, hash or CID.</summary>
    public const int MaxTextLength = 4096;

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var zeros = 0;
        while (zeros < data.Length && data[zeros] == 0)
        {
            zeros++;
        }
        // Each byte needs log(256)/log(58) ~ 1.37 digits.
        var digits = new byte[(data.Length - zeros) * 138 / 100 + 1];
        var length = 0;
        for (var i = zeros; i < data.Length; i++)
        {
            var carry = (int)data[i];
            var j = 0;
            for (; j < length || carry != 0; j++)
            {
                carry += 256 * digits[j];
                digits[j] = (byte)(carry % 58);
                carry /= 58;
            }
            length = j;
        }
        var chars = new char[zeros + length];
        chars.AsSpan(0, zeros).Fill('1');
        for (var i = 0; i < length; i++)
        {
            chars[zeros + i] = Alphabet[digits[length - 1 - i]];
        }
        return new string(chars);
    }

    public static byte[] Decode(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxTextLength)
        {
            throw new MultiformatException("base58.too_long", $"base58 text is longer than {MaxTextLength} characters");
        }
        var zeros = 0;
        while (zeros < text.Length && text[zeros] == '1')
        {
            zeros++;
        }
        var bytes = new byte[(text.Length - zeros) * 733 / 1000 + 1];
        var length = 0;
        for (var i = zeros; i < text.Length; i++)
        {
            var c = text[i];
            var value = c < 128 ? Index[c] : -1;
            if (value < 0)
            {
                throw new MultiformatException("base58.bad_char", $"'{c}' at position {i} is not a base58btc character");
            }
            var carry = (int)value;
            var j = 0;
            for (; j < length || carry != 0; j++)
            {
                carry += 58 * bytes[j];
                bytes[j] = (byte)(carry & 0xff);
                carry >>= 8;
            }
            length = j;
        }
        var result = new byte[zeros + length];
        for (var i = 0; i < length; i++)
        {
            result[zeros + i] = bytes[length - 1 - i];
        }
        return result;
    }

    internal static sbyte[] BuildIndex(string alphabet)
    {
        var index = new sbyte[128];
        Array.Fill(index, (sbyte)-1);
        for (var i = 0; i < alphabet.Length; i++)
        {
            index[alphabet[i]] = (sbyte)i;
        }
        return index;
    }
}

/// <summary>RFC 4648 base32 without padding, lower case on output; decoding accepts either case.</summary>
public static class Base32
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string Encode(ReadOnlySpan<byte> data, bool upper = false)
    {
        var chars = new char[(data.Length * 8 + 4) / 5];
        var buffer = 0;
        var bits = 0;
        var n = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[n++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            chars[n++] = Alphabet[(buffer << (5 - bits)) & 31];
        }
        var s = new string(chars, 0, n);
        return upper ? s.ToUpperInvariant() : s;
    }

    public static byte[] Decode(ReadOnlySpan<char> text)
    {
        var result = new byte[text.Length * 5 / 8];
        var buffer = 0;
        var bits = 0;
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            int v = c switch
            {
                >= 'a' and <= 'z' => c - 'a',
                >= 'A' and <= 'Z' => c - 'A',
                >= '2' and <= '7' => c - '2' + 26,
                _ => throw new MultiformatException("base32.bad_char", $"'{c}' at position {i} is not a base32 character"),
            };
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                result[n++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }
        // Leftover bits must be zero padding and fewer than 5, or the text was not made by Encode.
        if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0)
        {
            throw new MultiformatException("base32.bad_padding", "base32 text has trailing bits that are not zero padding");
        }
        return result;
    }
}

/// <summary>Multibase (https://github.com/multiformats/multibase): a one-character prefix naming the encoding.</summary>
public static class Multibase
{
    public enum Encoding
    {
        Base16 = 'f',
        Base32 = 'b',
        Base32Upper = 'B',
        Base58Btc = 'z',
        Base64 = 'm',
        Base64Url = 'u',
    }

    public static string Encode(Encoding encoding, ReadOnlySpan<byte> data) => encoding switch
    {
        Encoding.Base16 => "f" + Convert.ToHexStringLower(data),
        Encoding.Base32 => "b" + Base32.Encode(data),
        Encoding.Base32Upper => "B" + Base32.Encode(data, upper: true),
        Encoding.Base58Btc => "z" + Base58Btc.Encode(data),
        Encoding.Base64 => "m" + Convert.ToBase64String(data).TrimEnd('='),
        Encoding.Base64Url => "u" + Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
        _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
    };

    public static byte[] Decode(string text, out Encoding encoding)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw new MultiformatException("multibase.empty", "a multibase string is empty");
        }
        var body = text.AsSpan(1);
        encoding = (Encoding)text[0];
        try
        {
            return encoding switch
            {
                Encoding.Base16 => Convert.FromHexString(body),
                Encoding.Base32 or Encoding.Base32Upper => Base32.Decode(body),
                Encoding.Base58Btc => Base58Btc.Decode(body),
                Encoding.Base64 => Convert.FromBase64String(Pad(body.ToString())),
                Encoding.Base64Url => Convert.FromBase64String(Pad(body.ToString().Replace('-', '+').Replace('_', '/'))),
                _ => throw new MultiformatException("multibase.unknown", $"multibase prefix '{text[0]}' is not supported (use b, B, f, m, u or z)"),
            };
        }
        catch (FormatException e)
        {
            throw new MultiformatException("multibase.bad_text", $"'{text}' is not valid {encoding}: {e.Message}");
        }
    }

    private static string Pad(string s) => (s.Length % 4) switch
    {
        2 => s + "==",
        3 => s + "=",
        _ => s,
    };
}
