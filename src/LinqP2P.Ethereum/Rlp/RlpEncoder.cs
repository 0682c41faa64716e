namespace LinqP2P.Ethereum.Rlp;

/// <summary>Writes the canonical RLP encoding (yellow paper appendix B; SPEC.md §3.2).</summary>
public static class RlpEncoder
{
    /// <summary>The encoding of <paramref name="item"/>.</summary>
    public static byte[] Encode(RlpItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var output = new byte[EncodedLength(item)];
        var written = Write(item, output);
        System.Diagnostics.Debug.Assert(written == output.Length);
        return output;
    }

    /// <summary>The encoding of a byte string.</summary>
    public static byte[] EncodeString(ReadOnlySpan<byte> bytes) => Encode(RlpItem.String(bytes));

    /// <summary>The number of bytes <see cref="Encode"/> will produce.</summary>
    public static int EncodedLength(RlpItem item)
    {
        if (item.IsList)
        {
            var payload = PayloadLength(item);
            return HeaderLength(payload) + payload;
        }
        var bytes = item.Bytes;
        if (bytes.Length == 1 && bytes[0] < 0x80)
        {
            return 1;
        }
        return HeaderLength(bytes.Length) + bytes.Length;
    }

    private static int PayloadLength(RlpItem list)
    {
        var total = 0;
        foreach (var child in list.Items)
        {
            total = checked(total + EncodedLength(child));
        }
        return total;
    }

    private static int HeaderLength(int payloadLength) => payloadLength <= 55 ? 1 : 1 + ByteCount(payloadLength);

    private static int ByteCount(int value)
    {
        var n = 0;
        for (var v = (uint)value; v != 0; v >>= 8)
        {
            n++;
        }
        return n;
    }

    private static int Write(RlpItem item, Span<byte> output)
    {
        if (item.IsList)
        {
            var payload = PayloadLength(item);
            var at = WriteHeader(0xc0, payload, output);
            foreach (var child in item.Items)
            {
                at += Write(child, output[at..]);
            }
            return at;
        }
        var bytes = item.Bytes;
        // A single byte below 0x80 is its own encoding; wrapping it would be a second, non-canonical form.
        if (bytes.Length == 1 && bytes[0] < 0x80)
        {
            output[0] = bytes[0];
            return 1;
        }
        var start = WriteHeader(0x80, bytes.Length, output);
        bytes.CopyTo(output[start..]);
        return start + bytes.Length;
    }

    private static int WriteHeader(byte offset, int length, Span<byte> output)
    {
        if (length <= 55)
        {
            output[0] = (byte)(offset + length);
            return 1;
        }
        var lengthOfLength = ByteCount(length);
        output[0] = (byte)(offset + 55 + lengthOfLength);
        for (var i = lengthOfLength; i >= 1; i--)
        {
            output[i] = (byte)length;
            length >>= 8;
        }
        return 1 + lengthOfLength;
    }
}
