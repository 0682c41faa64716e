using System.Buffers.Binary;
using System.Text;

namespace LinqP2P.Mesh;

/// <summary>The <c>/linq/mesh/1.0.0</c> wire protocol (SPEC.md §8.8).</summary>
public static class MeshProtocol
{
    public const string Id = "/linq/mesh/1.0.0";

    /// <summary>Largest header or reply frame (the uvarint length prefix not counted).</summary>
    public const int MaxFrameLength = 256;
}

/// <summary>
/// How the receiving node answered a <see cref="MeshHeader"/>: the first byte of the reply frame.
/// Anything but <see cref="Ok"/> is followed by the stream's close.
/// </summary>
public enum MeshStatus : byte
{
    /// <summary>Accepted: raw bytes follow both ways.</summary>
    Ok = 0,

    /// <summary>The header frame did not decode.</summary>
    BadHeader = 1,

    /// <summary>The dialing peer is not awarded the source shard of that job (or the job is unknown or revoked).</summary>
    NotAuthorized = 2,

    /// <summary>The target shard of that job does not run on this node (it did not start in time, or it finished).</summary>
    UnknownTarget = 3,

    /// <summary>The target port is not the target shard's mesh port.</summary>
    PortNotAllowed = 4,

    /// <summary>Too many open links for the job or from the peer; retry later.</summary>
    LimitReached = 5,

    /// <summary>Nothing in the target container accepted the connection in time.</summary>
    TargetUnreachable = 6,
}

/// <summary>
/// The first frame of a mesh stream: which job, from which shard to which shard, and the loopback port
/// inside the target shard's container. Wire format (big endian): <c>version(1) = 1</c>,
/// <c>jobIdLength(1)</c>, <c>jobId</c> (ASCII <c>[A-Za-z0-9._-]</c>, 1-128), <c>sourceShard(u16)</c>,
/// <c>targetShard(u16)</c>, <c>targetPort(u16)</c>; shards below <see cref="MaxShards"/>, port non-zero.
/// Sent uvarint-length-prefixed.
/// </summary>
public sealed record MeshHeader(string JobId, int SourceShard, int TargetShard, int TargetPort)
{
    public const byte Version = 1;
    public const int MaxJobIdLength = 128;

    /// <summary>Shard indices are below this (a job has at most 1024 shards on the mesh).</summary>
    public const int MaxShards = 1024;

    public byte[] Encode()
    {
        if (!IsValidJobId(JobId))
        {
            throw new ArgumentException("the job id must be 1-128 characters of letters, digits, '.', '-', '_'", nameof(JobId));
        }
        CheckShard(SourceShard, nameof(SourceShard));
        CheckShard(TargetShard, nameof(TargetShard));
        if (TargetPort is < 1 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(TargetPort), TargetPort, "a TCP port is 1-65535");
        }
        var buffer = new byte[2 + JobId.Length + 6];
        buffer[0] = Version;
        buffer[1] = (byte)JobId.Length;
        Encoding.ASCII.GetBytes(JobId, buffer.AsSpan(2));
        var rest = buffer.AsSpan(2 + JobId.Length);
        BinaryPrimitives.WriteUInt16BigEndian(rest, (ushort)SourceShard);
        BinaryPrimitives.WriteUInt16BigEndian(rest[2..], (ushort)TargetShard);
        BinaryPrimitives.WriteUInt16BigEndian(rest[4..], (ushort)TargetPort);
        return buffer;
    }

    /// <summary>Decodes one header frame exactly; anything else is a <see cref="MeshException"/> (<c>mesh.header.*</c>).</summary>
    public static MeshHeader Decode(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 2)
        {
            throw Bad("truncated", $"a mesh header has at least 2 bytes, got {frame.Length}");
        }
        if (frame[0] != Version)
        {
            throw Bad("version", $"mesh header version {frame[0]} is not supported (only {Version})");
        }
        int idLength = frame[1];
        if (idLength is 0 or > MaxJobIdLength)
        {
            throw Bad("job_id", $"the job id length {idLength} is not in 1-{MaxJobIdLength}");
        }
        if (frame.Length != 2 + idLength + 6)
        {
            throw Bad("length", $"a header with a {idLength}-byte job id has {2 + idLength + 6} bytes, got {frame.Length}");
        }
        var id = frame.Slice(2, idLength);
        foreach (var b in id)
        {
            if (!IsJobIdChar((char)b))
            {
                throw Bad("job_id", "the job id has a character outside [A-Za-z0-9._-]");
            }
        }
        var rest = frame[(2 + idLength)..];
        int source = BinaryPrimitives.ReadUInt16BigEndian(rest);
        int target = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
        int port = BinaryPrimitives.ReadUInt16BigEndian(rest[4..]);
        if (source >= MaxShards || target >= MaxShards)
        {
            throw Bad("shard", $"shard indices must be below {MaxShards} (got {source} -> {target})");
        }
        if (port == 0)
        {
            throw Bad("port", "the target port is 0");
        }
        return new MeshHeader(Encoding.ASCII.GetString(id), source, target, port);
    }

    public static bool IsValidJobId(string? jobId) =>
        jobId is { Length: > 0 and <= MaxJobIdLength } && jobId.All(IsJobIdChar);

    private static bool IsJobIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_';

    private static void CheckShard(int shard, string name)
    {
        if (shard is < 0 or >= MaxShards)
        {
            throw new ArgumentOutOfRangeException(name, shard, $"shard indices are 0-{MaxShards - 1}");
        }
    }

    private static MeshException Bad(string code, string message) =>
        new("header." + code, message + "; the dialing node sent a malformed /linq/mesh/1.0.0 header");
}

/// <summary>The receiver's answer: <c>status(1)</c> then an optional UTF-8 reason (at most 200 bytes).</summary>
public sealed record MeshReply(MeshStatus Status, string Reason)
{
    public const int MaxReasonBytes = 200;

    public byte[] Encode()
    {
        var reason = Encoding.UTF8.GetBytes(Reason);
        if (reason.Length > MaxReasonBytes)
        {
            // Cut on a character boundary so the reply stays valid UTF-8.
            var chars = Reason.AsSpan();
            while (Encoding.UTF8.GetByteCount(chars) > MaxReasonBytes)
            {
                chars = chars[..^1];
            }
            reason = Encoding.UTF8.GetBytes(chars.ToString());
        }
        var frame = new byte[1 + reason.Length];
        frame[0] = (byte)Status;
        reason.CopyTo(frame, 1);
        return frame;
    }

    /// <summary>Decodes a reply frame; an unknown status, an over-long or invalid UTF-8 reason is <c>mesh.reply.*</c>.</summary>
    public static MeshReply Decode(ReadOnlySpan<byte> frame)
    {
        if (frame.Length == 0)
        {
            throw new MeshException("reply.truncated", "the mesh reply is empty");
        }
        if (frame[0] > (byte)MeshStatus.TargetUnreachable)
        {
            throw new MeshException("reply.status", $"the mesh reply has the unknown status {frame[0]}");
        }
        if (frame.Length - 1 > MaxReasonBytes)
        {
            throw new MeshException("reply.length", $"the mesh reply's reason has {frame.Length - 1} bytes (at most {MaxReasonBytes})");
        }
        try
        {
            return new MeshReply((MeshStatus)frame[0], Strict.GetString(frame[1..]));
        }
        catch (DecoderFallbackException e)
        {
            throw new MeshException("reply.utf8", "the mesh reply's reason is not valid UTF-8", inner: e);
        }
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
