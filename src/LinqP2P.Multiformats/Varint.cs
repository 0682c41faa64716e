namespace LinqP2P.Multiformats;

/// <summary>
/// The multiformats unsigned varint (https://github.com/multiformats/unsigned-varint): LEB128, at most
/// 9 bytes (63 bits), and minimally encoded — a trailing zero byte is rejected, because two encodings
/// of one number would give two CIDs or two frame lengths for the same thing.
/// </summary>
public static class Varint
{
    /// <summary>The longest valid encoding.</summary>
    public const int MaxLength = 9;

    /// <summary>How many bytes <paramref name="value"/> takes.</summary>
    public static int SizeOf(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    /// <summary>Writes <paramref name="value"/> (at most 2^63-1) and returns the bytes written.</summary>
    public static int Write(ulong value, Span<byte> destination)
    {
        if (value > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "unsigned varints carry at most 63 bits");
        }
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static byte[] Encode(ulong value)
    {
        var buffer = new byte[SizeOf(value)];
        Write(value, buffer);
        return buffer;
    }

    /// <summary>
    /// Reads one varint. Returns false only when <paramref name="source"/> ends before the varint does
    /// (more bytes may still arrive); throws <see cref="MultiformatException"/> when it can never be valid.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out ulong value, out int consumed)
    {
        value = 0;
        consumed = 0;
        var shift = 0;
        for (var i = 0; i < source.Length; i++)
        {
            if (i == MaxLength)
            {
                throw new MultiformatException("varint.too_long", "a varint is longer than 9 bytes");
            }
            var b = source[i];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    throw new MultiformatException("varint.not_minimal", "a varint has a trailing zero byte (not minimally encoded)");
                }
                consumed = i + 1;
                return true;
            }
            shift += 7;
        }
        if (source.Length >= MaxLength)
        {
            throw new MultiformatException("varint.too_long", "a varint is longer than 9 bytes");
        }
        value = 0;
        return false;
    }

    /// <summary>Reads one varint that must be complete in <paramref name="source"/>.</summary>
    public static ulong Read(ReadOnlySpan<byte> source, out int consumed)
    {
        if (!TryRead(source, out var value, out consumed))
        {
            throw new MultiformatException("varint.truncated", "the input ends inside a varint");
        }
        return value;
    }

    /// <summary>Reads a varint that must fit in an <see cref="int"/> no larger than <paramref name="max"/>.</summary>
    public static int ReadLength(ReadOnlySpan<byte> source, int max, out int consumed)
    {
        var value = Read(source, out consumed);
        if (value > (ulong)max)
        {
            throw new MultiformatException("varint.too_large", $"a length of {value} exceeds the limit of {max}");
        }
        return (int)value;
    }
}
