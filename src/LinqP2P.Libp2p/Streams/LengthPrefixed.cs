using LinqP2P.Multiformats;

namespace LinqP2P.Libp2p.Streams;

/// <summary>
/// Unsigned-varint length-prefixed messages, the framing of identify, gossipsub RPCs and most libp2p
/// protobuf protocols. Every read has an explicit size limit.
/// </summary>
public static class LengthPrefixed
{
    /// <summary>Writes varint(length) followed by <paramref name="message"/> in one write.</summary>
    public static async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[Varint.SizeOf((ulong)message.Length) + message.Length];
        var n = Varint.Write((ulong)message.Length, buffer);
        message.Span.CopyTo(buffer.AsSpan(n));
        await stream.WriteAsync(buffer, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Reads one message of at most <paramref name="maxLength"/> bytes. Returns null when the stream ends
    /// cleanly before a message starts; throws <see cref="Libp2pProtocolException"/> for an oversized
    /// length, a bad varint or a stream that ends inside a message.
    /// </summary>
    public static async Task<byte[]?> ReadAsync(Stream stream, int maxLength, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var length = await ReadVarintAsync(stream, cancellationToken);
        if (length is null)
        {
            return null;
        }
        if (length > (ulong)maxLength)
        {
            throw new Libp2pProtocolException("message.too_large", $"a message of {length} bytes exceeds the limit of {maxLength}");
        }
        var message = new byte[(int)length];
        await ReadExactlyAsync(stream, message, cancellationToken);
        return message;
    }

    /// <summary>Reads a varint byte by byte (so nothing past it is consumed); null on clean end-of-stream.</summary>
    public static async Task<ulong?> ReadVarintAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[Varint.MaxLength];
        for (var i = 0; i < Varint.MaxLength; i++)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(i, 1), cancellationToken);
            if (n == 0)
            {
                if (i == 0)
                {
                    return null;
                }
                throw new Libp2pProtocolException("message.truncated", "the stream ended inside a length prefix");
            }
            if ((buffer[i] & 0x80) == 0)
            {
                try
                {
                    return Varint.Read(buffer.AsSpan(0, i + 1), out _);
                }
                catch (MultiformatException e)
                {
                    throw new Libp2pProtocolException("message.varint", e.Message, e);
                }
            }
        }
        throw new Libp2pProtocolException("message.varint", "a length prefix is longer than 9 bytes");
    }

    internal static async Task ReadExactlyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..], cancellationToken);
            if (n == 0)
            {
                throw new Libp2pProtocolException("message.truncated", $"the stream ended after {read} of {buffer.Length} message bytes");
            }
            read += n;
        }
    }
}
