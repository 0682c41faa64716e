using System.Buffers.Binary;

namespace LinqP2P.Libp2p.Yamux;

/// <summary>Yamux frame types (hashicorp/yamux spec.md).</summary>
public enum YamuxFrameType : byte
{
    Data = 0,
    WindowUpdate = 1,
    Ping = 2,
    GoAway = 3,
}

/// <summary>Yamux header flags.</summary>
[Flags]
public enum YamuxFlags : ushort
{
    None = 0,
    Syn = 1,
    Ack = 2,
    Fin = 4,
    Rst = 8,
}

/// <summary>
/// The 12-byte Yamux header: version (0), type, flags (big-endian u16), stream id (u32), length (u32).
/// For data frames the length is the payload size; for window updates the window delta; for pings an
/// opaque value; for go-away the error code.
/// </summary>
public readonly record struct YamuxHeader(YamuxFrameType Type, YamuxFlags Flags, uint StreamId, uint Length)
{
    public const int Size = 12;

    public void Write(Span<byte> destination)
    {
        destination[0] = 0;
        destination[1] = (byte)Type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)Flags);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StreamId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Length);
    }

    /// <summary>Decodes a header, rejecting unknown versions, types and flags with <see cref="Libp2pProtocolException"/>.</summary>
    public static YamuxHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new Libp2pProtocolException("yamux.truncated", $"a Yamux header is 12 bytes, got {source.Length}");
        }
        if (source[0] != 0)
        {
            throw new Libp2pProtocolException("yamux.version", $"Yamux version {source[0]} is not supported (only 0)");
        }
        if (source[1] > (byte)YamuxFrameType.GoAway)
        {
            throw new Libp2pProtocolException("yamux.type", $"Yamux frame type {source[1]} is unknown");
        }
        var flags = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        if (flags > 0xF)
        {
            throw new Libp2pProtocolException("yamux.flags", $"Yamux flags 0x{flags:x} include unknown bits");
        }
        var header = new YamuxHeader((YamuxFrameType)source[1], (YamuxFlags)flags,
            BinaryPrimitives.ReadUInt32BigEndian(source[4..]), BinaryPrimitives.ReadUInt32BigEndian(source[8..]));
        if (header.Type is YamuxFrameType.Ping or YamuxFrameType.GoAway && header.StreamId != 0)
        {
            throw new Libp2pProtocolException("yamux.session_frame", $"a {header.Type} frame must use stream id 0, not {header.StreamId}");
        }
        if (header.Type is YamuxFrameType.Data or YamuxFrameType.WindowUpdate && header.StreamId == 0)
        {
            throw new Libp2pProtocolException("yamux.stream_id", $"a {header.Type} frame may not use stream id 0");
        }
        return header;
    }
}

/// <summary>Limits of a Yamux session. See SPEC.md §5.</summary>
public sealed class YamuxOptions
{
    /// <summary>Receive window of each stream, and the most bytes buffered for it. Default 256 KiB (the spec's initial window).</summary>
    public int WindowSize { get; init; } = 256 * 1024;

    /// <summary>Most streams open at once on one connection; more inbound SYNs are reset. Default 256.</summary>
    public int MaxStreams { get; init; } = 256;

    /// <summary>Largest data frame payload we send. Default 65507, so a frame fits one Noise message.</summary>
    public int MaxFramePayload { get; init; } = Noise.NoiseStream.MaxPlaintext - YamuxHeader.Size;

    /// <summary>Interval between keep-alive pings; a ping unanswered for one interval closes the session. Default 30 s; zero disables.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Control frames (ping replies, resets) waiting to be written; a peer that overflows it is disconnected. Default 256.</summary>
    public int MaxPendingControlFrames { get; init; } = 256;
}
