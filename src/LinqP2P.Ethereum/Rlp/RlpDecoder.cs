namespace LinqP2P.Ethereum.Rlp;

/// <summary>
/// Reads canonical RLP. Everything the yellow paper leaves ambiguous is refused with
/// <see cref="EthereumDecodeException"/>: a single byte below 0x80 wrapped in a string header, a long form
/// used for 55 bytes or fewer, lengths with leading zero bytes, and bytes after the value (SPEC.md §3.2).
/// </summary>
public static class RlpDecoder
{
    /// <summary>Decodes exactly one item that spans all of <paramref name="input"/>.</summary>
    /// <exception cref="EthereumDecodeException">with <see cref="EthereumDecodeException.Format"/> <c>rlp</c>.</exception>
    public static RlpItem Decode(ReadOnlySpan<byte> input, RlpLimits? limits = null)
    {
        limits ??= RlpLimits.Default;
        if (input.Length > limits.MaxInputLength)
        {
            throw Fail(DecodeError.Oversized, $"the input is {input.Length} bytes, above the {limits.MaxInputLength}-byte limit.");
        }
        var items = 0;
        var item = DecodeItem(input, 0, limits, ref items, out var consumed);
        if (consumed != input.Length)
        {
            throw Fail(DecodeError.TrailingBytes, $"{input.Length - consumed} bytes follow the RLP value.");
        }
        return item;
    }

    /// <summary>
    /// Reads the header at the start of <paramref name="input"/>: whether it is a list, where its payload starts
    /// and how long it is. Checks canonical form and that the payload fits in the input.
    /// </summary>
    public static (bool IsList, int PayloadOffset, int PayloadLength) ReadHeader(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            throw Fail(DecodeError.Truncated, "the input ended where an RLP item was expected.");
        }
        var prefix = input[0];
        bool isList;
        int offset, length;
        switch (prefix)
        {
            case < 0x80:
                return (false, 0, 1);
            case <= 0xb7:
                isList = false;
                offset = 1;
                length = prefix - 0x80;
                if (length == 1)
                {
                    if (input.Length < 2)
                    {
                        throw Fail(DecodeError.Truncated, "the input ended inside a 1-byte string.");
                    }
                    if (input[1] < 0x80)
                    {
                        throw Fail(DecodeError.NonCanonical, $"the single byte 0x{input[1]:x2} must be encoded as itself, not wrapped in 0x81.");
                    }
                }
                break;
            case <= 0xbf:
                isList = false;
                (offset, length) = ReadLongLength(input, prefix - 0xb7);
                break;
            case <= 0xf7:
                isList = true;
                offset = 1;
                length = prefix - 0xc0;
                break;
            default:
                isList = true;
                (offset, length) = ReadLongLength(input, prefix - 0xf7);
                break;
        }
        if (length > input.Length - offset)
        {
            throw Fail(DecodeError.Truncated, $"the item announces {length} bytes but only {input.Length - offset} remain.");
        }
        return (isList, offset, length);
    }

    private static (int Offset, int Length) ReadLongLength(ReadOnlySpan<byte> input, int lengthOfLength)
    {
        if (input.Length < 1 + lengthOfLength)
        {
            throw Fail(DecodeError.Truncated, "the input ended inside a length field.");
        }
        var lengthBytes = input.Slice(1, lengthOfLength);
        if (lengthBytes[0] == 0)
        {
            throw Fail(DecodeError.NonCanonical, "a length field has a leading zero byte.");
        }
        // Any length that does not fit in an int cannot fit in a span either; report it before doing arithmetic with it.
        if (lengthOfLength > 4 || (lengthOfLength == 4 && lengthBytes[0] >= 0x80))
        {
            throw Fail(DecodeError.Oversized, "a length field exceeds 2^31 - 1 bytes.");
        }
        var length = 0;
        foreach (var b in lengthBytes)
        {
            length = (length << 8) | b;
        }
        if (length <= 55)
        {
            throw Fail(DecodeError.NonCanonical, $"a length of {length} must use the short form.");
        }
        return (1 + lengthOfLength, length);
    }

    private static RlpItem DecodeItem(ReadOnlySpan<byte> input, int depth, RlpLimits limits, ref int items, out int consumed)
    {
        if (++items > limits.MaxItems)
        {
            throw Fail(DecodeError.Oversized, $"the value holds more than {limits.MaxItems} items.");
        }
        var (isList, offset, length) = ReadHeader(input);
        consumed = offset + length;
        var payload = input.Slice(offset, length);
        if (!isList)
        {
            return RlpItem.String(offset == 0 ? input[..1] : payload);
        }
        if (depth >= limits.MaxDepth)
        {
            throw Fail(DecodeError.Oversized, $"lists nest deeper than {limits.MaxDepth} levels.");
        }
        var children = new List<RlpItem>();
        while (!payload.IsEmpty)
        {
            children.Add(DecodeItem(payload, depth + 1, limits, ref items, out var used));
            payload = payload[used..];
        }
        return RlpItem.List(children);
    }

    private static EthereumDecodeException Fail(DecodeError error, string message) => new("rlp", error, message);
}
