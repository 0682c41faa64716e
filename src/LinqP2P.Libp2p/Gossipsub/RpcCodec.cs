using System.Text;

using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>
/// Protobuf encoding of <see cref="Rpc"/> (rpc.proto of go-libp2p-pubsub, field numbers fixed by the
/// spec). Hand-written on spans so that every count and length is checked against
/// <see cref="RpcLimits"/> before anything is allocated. Unknown fields are skipped, as protobuf
/// requires: v1.2 peers send IDONTWANT (control field 5) and other extensions we do not speak.
/// </summary>
public static class RpcCodec
{
    private const int WireVarint = 0;
    private const int Wire64 = 1;
    private const int WireLen = 2;
    private const int Wire32 = 5;

    // ---------- decoding ----------

    /// <summary>Decodes one RPC frame, throwing <see cref="GossipsubException"/> when it is malformed or over a limit.</summary>
    public static Rpc Decode(ReadOnlySpan<byte> frame, RpcLimits? limits = null)
    {
        limits ??= RpcLimits.Default;
        if (frame.Length > limits.MaxRpcSize)
        {
            throw new GossipsubException("rpc.too_large", $"an RPC frame of {frame.Length} bytes exceeds the limit of {limits.MaxRpcSize}");
        }
        var rpc = new Rpc();
        var counts = new Counts();
        var reader = new Reader(frame);
        while (!reader.End)
        {
            var (field, wire) = reader.Tag();
            switch (field)
            {
                case 1 when wire == WireLen:
                    if (++counts.Subscriptions > limits.MaxSubscriptions)
                    {
                        throw Limit("subscriptions", limits.MaxSubscriptions);
                    }
                    rpc.Subscriptions.Add(DecodeSubOpts(reader.LengthDelimited(), limits));
                    break;
                case 2 when wire == WireLen:
                    if (++counts.Messages > limits.MaxMessages)
                    {
                        throw Limit("messages", limits.MaxMessages);
                    }
                    rpc.Messages.Add(DecodeMessage(reader.LengthDelimited(), limits));
                    break;
                case 3 when wire == WireLen:
                    rpc.Control ??= new ControlMessage();
                    DecodeControl(reader.LengthDelimited(), limits, rpc.Control, ref counts);
                    break;
                case 1 or 2 or 3:
                    throw WrongWire(field);
                default:
                    reader.Skip(wire);
                    break;
            }
        }
        return rpc;
    }

    /// <summary>Decodes a single Message (as signed, or as stored), with the same limits.</summary>
    public static PubsubMessage DecodeMessage(ReadOnlySpan<byte> span, RpcLimits limits)
    {
        var m = new PubsubMessage();
        var r = new Reader(span);
        var sawTopic = false;
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field is >= 1 and <= 6 && wire != WireLen)
            {
                throw WrongWire(field);
            }
            switch (field)
            {
                case 1: m.From = r.Bytes(limits.MaxIdentityFieldLength, "from"); break;
                case 2: m.Data = r.LengthDelimited().ToArray(); break;
                case 3: m.Seqno = r.Bytes(limits.MaxIdentityFieldLength, "seqno"); break;
                case 4: m.Topic = r.String(limits.MaxTopicLength, "topic"); sawTopic = true; break;
                case 5: m.Signature = r.Bytes(limits.MaxIdentityFieldLength, "signature"); break;
                case 6: m.Key = r.Bytes(limits.MaxIdentityFieldLength, "key"); break;
                default: r.Skip(wire); break;
            }
        }
        if (!sawTopic)
        {
            throw new GossipsubException("rpc.message_without_topic", "a published message has no topic (field 4 is required)");
        }
        return m;
    }

    private static SubscriptionChange DecodeSubOpts(ReadOnlySpan<byte> span, RpcLimits limits)
    {
        var r = new Reader(span);
        var subscribe = false;
        string? topic = null;
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == WireVarint: subscribe = r.Varint() != 0; break;
                case 2 when wire == WireLen: topic = r.String(limits.MaxTopicLength, "topic"); break;
                case 1 or 2: throw WrongWire(field);
                default: r.Skip(wire); break;
            }
        }
        return new SubscriptionChange(subscribe, topic ?? throw new GossipsubException("rpc.subscription_without_topic", "a subscription change names no topic"));
    }

    private static void DecodeControl(ReadOnlySpan<byte> span, RpcLimits limits, ControlMessage control, ref Counts counts)
    {
        var r = new Reader(span);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field is >= 1 and <= 4 && wire != WireLen)
            {
                throw WrongWire(field);
            }
            switch (field)
            {
                case 1:
                    control.IHave.Add(DecodeIHave(r.LengthDelimited(), limits, ref counts));
                    break;
                case 2:
                    control.IWant.Add(DecodeIWant(r.LengthDelimited(), limits, ref counts));
                    break;
                case 3:
                    if (++counts.GraftPrune > limits.MaxGraftPrune)
                    {
                        throw Limit("graft/prune entries", limits.MaxGraftPrune);
                    }
                    control.Graft.Add(new ControlGraft(DecodeTopicOnly(r.LengthDelimited(), limits)));
                    break;
                case 4:
                    if (++counts.GraftPrune > limits.MaxGraftPrune)
                    {
                        throw Limit("graft/prune entries", limits.MaxGraftPrune);
                    }
                    control.Prune.Add(DecodePrune(r.LengthDelimited(), limits));
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }
    }

    private static ControlIHave DecodeIHave(ReadOnlySpan<byte> span, RpcLimits limits, ref Counts counts)
    {
        var r = new Reader(span);
        var topic = "";
        var ids = new List<MessageId>();
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == WireLen: topic = r.String(limits.MaxTopicLength, "topic"); break;
                case 2 when wire == WireLen:
                    if (++counts.IHaveIds > limits.MaxIHaveIds)
                    {
                        throw Limit("IHAVE message ids", limits.MaxIHaveIds);
                    }
                    ids.Add(new MessageId(r.Bytes(limits.MaxMessageIdLength, "message id")));
                    break;
                case 1 or 2: throw WrongWire(field);
                default: r.Skip(wire); break;
            }
        }
        return new ControlIHave(topic, ids);
    }

    private static ControlIWant DecodeIWant(ReadOnlySpan<byte> span, RpcLimits limits, ref Counts counts)
    {
        var r = new Reader(span);
        var ids = new List<MessageId>();
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == WireLen:
                    if (++counts.IWantIds > limits.MaxIWantIds)
                    {
                        throw Limit("IWANT message ids", limits.MaxIWantIds);
                    }
                    ids.Add(new MessageId(r.Bytes(limits.MaxMessageIdLength, "message id")));
                    break;
                case 1: throw WrongWire(field);
                default: r.Skip(wire); break;
            }
        }
        return new ControlIWant(ids);
    }

    private static string DecodeTopicOnly(ReadOnlySpan<byte> span, RpcLimits limits)
    {
        var r = new Reader(span);
        var topic = "";
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == WireLen: topic = r.String(limits.MaxTopicLength, "topic"); break;
                case 1: throw WrongWire(field);
                default: r.Skip(wire); break;
            }
        }
        return topic;
    }

    private static ControlPrune DecodePrune(ReadOnlySpan<byte> span, RpcLimits limits)
    {
        var r = new Reader(span);
        var topic = "";
        var peers = new List<PeerExchangeInfo>();
        ulong? backoff = null;
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == WireLen: topic = r.String(limits.MaxTopicLength, "topic"); break;
                case 2 when wire == WireLen:
                    if (peers.Count >= limits.MaxPeerExchange)
                    {
                        throw Limit("peer exchange entries", limits.MaxPeerExchange);
                    }
                    peers.Add(DecodePeerInfo(r.LengthDelimited(), limits));
                    break;
                case 3 when wire == WireVarint: backoff = r.Varint(); break;
                case 1 or 2 or 3: throw WrongWire(field);
                default: r.Skip(wire); break;
            }
        }
        return new ControlPrune(topic, peers, backoff);
    }

    private static PeerExchangeInfo DecodePeerInfo(ReadOnlySpan<byte> span, RpcLimits limits)
    {
        var r = new Reader(span);
        byte[]? id = null;
        byte[]? record = null;
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            switch (field)
            {
                case 1 when wire == WireLen: id = r.Bytes(limits.MaxIdentityFieldLength, "peer id"); break;
                case 2 when wire == WireLen: record = r.Bytes(limits.MaxIdentityFieldLength * 4, "signed peer record"); break;
                case 1 or 2: throw WrongWire(field);
                default: r.Skip(wire); break;
            }
        }
        return new PeerExchangeInfo(id, record);
    }

    private static GossipsubException Limit(string what, int max) =>
        new("rpc.limit_exceeded", $"an RPC frame carries more than {max} {what}");

    private static GossipsubException WrongWire(int field) =>
        new("rpc.wire_type", $"field {field} has the wrong protobuf wire type");

    private struct Counts
    {
        public int Subscriptions;
        public int Messages;
        public int IHaveIds;
        public int IWantIds;
        public int GraftPrune;
    }

    private ref struct Reader(ReadOnlySpan<byte> span)
    {
        private readonly ReadOnlySpan<byte> _span = span;
        private int _pos;

        public readonly bool End => _pos >= _span.Length;

        public ulong Varint()
        {
            // Protobuf varints are up to 10 bytes and need not be minimal, unlike multiformats varints.
            ulong value = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                if (_pos >= _span.Length)
                {
                    throw new GossipsubException("rpc.truncated", "the frame ends inside a varint");
                }
                var b = _span[_pos++];
                if (shift == 63 && b > 1)
                {
                    throw new GossipsubException("rpc.varint_overflow", "a varint does not fit in 64 bits");
                }
                value |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }
            throw new GossipsubException("rpc.varint_overflow", "a varint is longer than 10 bytes");
        }

        public (int Field, int Wire) Tag()
        {
            var tag = Varint();
            var field = tag >> 3;
            if (field == 0 || field > int.MaxValue)
            {
                throw new GossipsubException("rpc.bad_tag", $"field number {field} is not valid");
            }
            return ((int)field, (int)(tag & 7));
        }

        public ReadOnlySpan<byte> LengthDelimited()
        {
            var length = Varint();
            if (length > (ulong)(_span.Length - _pos))
            {
                throw new GossipsubException("rpc.truncated", $"a field of {length} bytes runs past the end of the frame");
            }
            var slice = _span.Slice(_pos, (int)length);
            _pos += (int)length;
            return slice;
        }

        public byte[] Bytes(int max, string what)
        {
            var s = LengthDelimited();
            if (s.Length > max)
            {
                throw new GossipsubException("rpc.field_too_long", $"the {what} field is {s.Length} bytes, over the limit of {max}");
            }
            return s.ToArray();
        }

        public string String(int max, string what)
        {
            var s = LengthDelimited();
            if (s.Length > max)
            {
                throw new GossipsubException("rpc.field_too_long", $"the {what} field is {s.Length} bytes, over the limit of {max}");
            }
            try
            {
                return Strict.GetString(s);
            }
            catch (DecoderFallbackException)
            {
                throw new GossipsubException("rpc.bad_utf8", $"the {what} field is not valid UTF-8");
            }
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case WireVarint: Varint(); break;
                case Wire64: Advance(8); break;
                case WireLen: LengthDelimited(); break;
                case Wire32: Advance(4); break;
                default: throw new GossipsubException("rpc.wire_type", $"wire type {wire} is not supported (groups are obsolete)");
            }
        }

        private void Advance(int n)
        {
            if (_span.Length - _pos < n)
            {
                throw new GossipsubException("rpc.truncated", "the frame ends inside a fixed-size field");
            }
            _pos += n;
        }
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // ---------- encoding ----------

    /// <summary>Encodes an RPC frame (without the length prefix).</summary>
    public static byte[] Encode(Rpc rpc)
    {
        var w = new Writer();
        foreach (var s in rpc.Subscriptions)
        {
            var sub = new Writer();
            sub.Varint(1, s.Subscribe ? 1UL : 0UL);
            sub.String(2, s.Topic);
            w.Bytes(1, sub.ToArray());
        }
        foreach (var m in rpc.Messages)
        {
            w.Bytes(2, EncodeMessage(m, includeSignature: true));
        }
        if (rpc.Control is { IsEmpty: false } c)
        {
            w.Bytes(3, EncodeControl(c));
        }
        return w.ToArray();
    }

    /// <summary>
    /// Encodes a Message. Without the signature fields this is the payload a StrictSign signature covers
    /// (after the "libp2p-pubsub:" prefix); fields go in field-number order, as go and js emit them.
    /// </summary>
    public static byte[] EncodeMessage(PubsubMessage m, bool includeSignature)
    {
        var w = new Writer();
        w.OptionalBytes(1, m.From);
        w.OptionalBytes(2, m.Data);
        w.OptionalBytes(3, m.Seqno);
        w.String(4, m.Topic);
        if (includeSignature)
        {
            w.OptionalBytes(5, m.Signature);
            w.OptionalBytes(6, m.Key);
        }
        return w.ToArray();
    }

    private static byte[] EncodeControl(ControlMessage c)
    {
        var w = new Writer();
        foreach (var ih in c.IHave)
        {
            var x = new Writer();
            x.String(1, ih.Topic);
            foreach (var id in ih.MessageIds)
            {
                x.Bytes(2, id.Span);
            }
            w.Bytes(1, x.ToArray());
        }
        foreach (var iw in c.IWant)
        {
            var x = new Writer();
            foreach (var id in iw.MessageIds)
            {
                x.Bytes(1, id.Span);
            }
            w.Bytes(2, x.ToArray());
        }
        foreach (var g in c.Graft)
        {
            var x = new Writer();
            x.String(1, g.Topic);
            w.Bytes(3, x.ToArray());
        }
        foreach (var p in c.Prune)
        {
            var x = new Writer();
            x.String(1, p.Topic);
            foreach (var peer in p.Peers)
            {
                var y = new Writer();
                y.OptionalBytes(1, peer.PeerId);
                y.OptionalBytes(2, peer.SignedPeerRecord);
                x.Bytes(2, y.ToArray());
            }
            if (p.BackoffSeconds is { } b)
            {
                x.Varint(3, b);
            }
            w.Bytes(4, x.ToArray());
        }
        return w.ToArray();
    }

    private sealed class Writer
    {
        private readonly MemoryStream _buffer = new();

        public void Varint(int field, ulong value)
        {
            Raw(((ulong)field << 3) | WireVarint);
            Raw(value);
        }

        public void Bytes(int field, ReadOnlySpan<byte> value)
        {
            Raw(((ulong)field << 3) | WireLen);
            Raw((ulong)value.Length);
            _buffer.Write(value);
        }

        public void OptionalBytes(int field, byte[]? value)
        {
            if (value is not null)
            {
                Bytes(field, value);
            }
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public byte[] ToArray() => _buffer.ToArray();

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _buffer.WriteByte((byte)value);
        }
    }
}
