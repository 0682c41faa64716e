using Google.Protobuf;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Multiformats;
using Pb = LinqP2P.Ipfs.Bitswap.Protos.Message;

namespace LinqP2P.Ipfs.Bitswap;

/// <summary>Decoder limits; every inbound message is checked against them (SPEC.md §6.8).</summary>
public sealed record BitswapLimits
{
    /// <summary>Largest message accepted or sent: 4 MiB, as in boxo and Helia.</summary>
    public int MaxMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Most wantlist entries in one message. Default 8192.</summary>
    public int MaxWantEntries { get; init; } = 8192;

    /// <summary>Most HAVE / DONT_HAVE presences in one message. Default 8192.</summary>
    public int MaxPresences { get; init; } = 8192;

    /// <summary>Largest block accepted: <see cref="Limits.MaxBlockSize"/> (2 MiB).</summary>
    public int MaxBlockSize { get; init; } = Limits.MaxBlockSize;

    public static BitswapLimits Default { get; } = new();
}

/// <summary>
/// Encodes and decodes Bitswap messages (the protobuf of ipfs/specs bitswap-protocol.md) for each protocol
/// version. Decoding validates everything: CIDs parse, counts and sizes are within <see cref="BitswapLimits"/>,
/// and each block's CID is computed from its prefix and a sha2-256 of its data, so a block can only ever
/// be filed under the hash of its own bytes.
/// </summary>
public static class BitswapCodec
{
    /// <summary>The length-prefixed frame of <paramref name="message"/> as sent to a peer speaking <paramref name="version"/>.</summary>
    public static byte[] EncodeFrame(BitswapMessage message, BitswapVersion version)
    {
        var pb = ToProtobuf(message, version);
        var size = pb.CalculateSize();
        var frame = new byte[Varint.SizeOf((ulong)size) + size];
        var n = Varint.Write((ulong)size, frame);
        pb.WriteTo(frame.AsSpan(n));
        return frame;
    }

    /// <summary>The protobuf bytes of <paramref name="message"/> (no length prefix).</summary>
    public static byte[] Encode(BitswapMessage message, BitswapVersion version) => ToProtobuf(message, version).ToByteArray();

    /// <summary>Decodes one message; throws <see cref="BitswapProtocolException"/> for anything malformed or over a limit.</summary>
    public static BitswapMessage Decode(ReadOnlySpan<byte> bytes, BitswapLimits? limits = null)
    {
        limits ??= BitswapLimits.Default;
        if (bytes.Length > limits.MaxMessageSize)
        {
            throw new BitswapProtocolException("too_large", $"a message of {bytes.Length} bytes exceeds the {limits.MaxMessageSize}-byte limit");
        }
        Pb pb;
        try
        {
            pb = Pb.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new BitswapProtocolException("malformed", "the message is not a valid Bitswap protobuf: " + e.Message, e);
        }

        var wants = new List<WantEntry>();
        var full = false;
        if (pb.Wantlist is { } wl)
        {
            full = wl.Full;
            if (wl.Entries.Count > limits.MaxWantEntries)
            {
                throw new BitswapProtocolException("too_many_wants", $"the wantlist has {wl.Entries.Count} entries, more than the {limits.MaxWantEntries} allowed in one message");
            }
            foreach (var e in wl.Entries)
            {
                if (e.WantType is not (Pb.Types.Wantlist.Types.WantType.Block or Pb.Types.Wantlist.Types.WantType.Have))
                {
                    throw new BitswapProtocolException("want_type", $"unknown want type {(int)e.WantType}");
                }
                wants.Add(new WantEntry(ParseCid(e.Block.Span, "wantlist entry"), e.Priority, e.Cancel, (WantType)e.WantType, e.SendDontHave));
            }
        }

        var blocks = new List<Block>(pb.Blocks.Count + pb.Payload.Count);
        foreach (var data in pb.Blocks)
        {
            CheckBlockSize(data.Length, limits);
            blocks.Add(Block.Create(data.Memory, Multicodec.DagPb, 0));
        }
        foreach (var payload in pb.Payload)
        {
            CheckBlockSize(payload.Data.Length, limits);
            var (version, codec) = ReadPrefix(payload.Prefix.Span);
            blocks.Add(Block.Create(payload.Data.Memory, codec, version));
        }

        if (pb.BlockPresences.Count > limits.MaxPresences)
        {
            throw new BitswapProtocolException("too_many_presences", $"the message has {pb.BlockPresences.Count} block presences, more than the {limits.MaxPresences} allowed");
        }
        var presences = new List<BlockPresence>(pb.BlockPresences.Count);
        foreach (var p in pb.BlockPresences)
        {
            if (p.Type is not (Pb.Types.BlockPresenceType.Have or Pb.Types.BlockPresenceType.DontHave))
            {
                throw new BitswapProtocolException("presence_type", $"unknown block presence type {(int)p.Type}");
            }
            presences.Add(new BlockPresence(ParseCid(p.Cid.Span, "block presence"), p.Type == Pb.Types.BlockPresenceType.Have));
        }
        if (pb.PendingBytes < 0)
        {
            throw new BitswapProtocolException("pending_bytes", "pendingBytes is negative");
        }
        return new BitswapMessage { Wants = wants, Full = full, Blocks = blocks, Presences = presences, PendingBytes = pb.PendingBytes };
    }

    /// <summary>The CID prefix of 1.1.0+: version, codec, multihash code and digest length as varints.</summary>
    public static byte[] PrefixOf(Cid cid)
    {
        ArgumentNullException.ThrowIfNull(cid);
        Span<byte> buffer = stackalloc byte[4 * Varint.MaxLength];
        var n = Varint.Write((ulong)cid.Version, buffer);
        n += Varint.Write(cid.Codec, buffer[n..]);
        n += Varint.Write(cid.Hash.Code, buffer[n..]);
        n += Varint.Write((ulong)cid.Hash.Digest.Length, buffer[n..]);
        return buffer[..n].ToArray();
    }

    private static (int Version, ulong Codec) ReadPrefix(ReadOnlySpan<byte> prefix)
    {
        if (!Varint.TryRead(prefix, out var version, out var n1)
            || !Varint.TryRead(prefix[n1..], out var codec, out var n2)
            || !Varint.TryRead(prefix[(n1 + n2)..], out var hashCode, out var n3)
            || !Varint.TryRead(prefix[(n1 + n2 + n3)..], out var digestLength, out var n4))
        {
            throw new BitswapProtocolException("prefix", "a block's CID prefix is truncated or has a bad varint");
        }
        if (n1 + n2 + n3 + n4 != prefix.Length)
        {
            throw new BitswapProtocolException("prefix", "bytes follow a block's CID prefix");
        }
        if (version > 1)
        {
            throw new BitswapProtocolException("prefix", $"CID version {version} in a block prefix does not exist");
        }
        // Only sha2-256 can be verified here; accepting anything else would mean storing unverified bytes.
        if (hashCode != Multicodec.Sha2_256 || digestLength != 32)
        {
            throw new BitswapProtocolException("unsupported_hash", $"a block uses hash {Multicodec.NameOf(hashCode)}/{digestLength}; only sha2-256/32 blocks are accepted");
        }
        if (version == 0 && codec != Multicodec.DagPb)
        {
            throw new BitswapProtocolException("prefix", "a CIDv0 block prefix must name dag-pb");
        }
        return ((int)version, codec);
    }

    private static Cid ParseCid(ReadOnlySpan<byte> bytes, string where)
    {
        if (bytes.Length == 0 || bytes.Length > Limits.MaxCidLength)
        {
            throw new BitswapProtocolException("cid", $"a {where} carries a CID of {bytes.Length} bytes (1..{Limits.MaxCidLength} allowed)");
        }
        try
        {
            return Cid.Decode(bytes);
        }
        catch (MultiformatException e)
        {
            throw new BitswapProtocolException("cid", $"a {where} carries an invalid CID: {e.Message}", e);
        }
    }

    private static void CheckBlockSize(int length, BitswapLimits limits)
    {
        if (length > limits.MaxBlockSize)
        {
            throw new BitswapProtocolException("block_too_large", $"a block of {length} bytes exceeds the {limits.MaxBlockSize}-byte limit");
        }
    }

    private static Pb ToProtobuf(BitswapMessage message, BitswapVersion version)
    {
        ArgumentNullException.ThrowIfNull(message);
        var pb = new Pb();
        if (message.Wants.Count > 0 || message.Full)
        {
            var wl = new Pb.Types.Wantlist { Full = message.Full };
            foreach (var w in message.Wants)
            {
                var entry = new Pb.Types.Wantlist.Types.Entry
                {
                    Block = UnsafeByteOperations.UnsafeWrap(w.Cid.ToBytes()),
                    Priority = w.Priority,
                    Cancel = w.Cancel,
                };
                // Before 1.2.0 every want is a want-block and DONT_HAVE does not exist.
                if (version == BitswapVersion.V120)
                {
                    entry.WantType = (Pb.Types.Wantlist.Types.WantType)w.WantType;
                    entry.SendDontHave = w.SendDontHave;
                }
                wl.Entries.Add(entry);
            }
            pb.Wantlist = wl;
        }
        foreach (var b in message.Blocks)
        {
            if (version == BitswapVersion.V100)
            {
                pb.Blocks.Add(UnsafeByteOperations.UnsafeWrap(b.Data));
            }
            else
            {
                pb.Payload.Add(new Pb.Types.Block { Prefix = UnsafeByteOperations.UnsafeWrap(PrefixOf(b.Cid)), Data = UnsafeByteOperations.UnsafeWrap(b.Data) });
            }
        }
        if (version == BitswapVersion.V120)
        {
            foreach (var p in message.Presences)
            {
                pb.BlockPresences.Add(new Pb.Types.BlockPresence
                {
                    Cid = UnsafeByteOperations.UnsafeWrap(p.Cid.ToBytes()),
                    Type = p.Have ? Pb.Types.BlockPresenceType.Have : Pb.Types.BlockPresenceType.DontHave,
                });
            }
        }
        pb.PendingBytes = message.PendingBytes;
        return pb;
    }
}
