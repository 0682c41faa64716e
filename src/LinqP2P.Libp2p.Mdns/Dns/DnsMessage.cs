using System.Buffers.Binary;
using System.Text;

namespace LinqP2P.Libp2p.Mdns.Dns;

/// <summary>DNS record types this codec gives meaning to; others are kept as raw data.</summary>
public enum DnsType : ushort
{
    A = 1,
    Ptr = 12,
    Txt = 16,
    Aaaa = 28,
    Srv = 33,
    Any = 255,
}

/// <summary>A question: name, type, class (the top bit of class is mDNS's unicast-response flag).</summary>
public sealed record DnsQuestion(string Name, DnsType Type, ushort Class = 1);

/// <summary>
/// A resource record. <see cref="Data"/> is the raw RDATA except for PTR (the decoded target name in
/// <see cref="Target"/>) and TXT (the character strings in <see cref="Texts"/>).
/// </summary>
public sealed record DnsRecord(string Name, DnsType Type, ushort Class, uint Ttl, byte[] Data, string? Target = null, IReadOnlyList<byte[]>? Texts = null)
{
    public static DnsRecord Ptr(string name, string target, uint ttl) => new(name, DnsType.Ptr, 1, ttl, [], target);

    public static DnsRecord Txt(string name, IReadOnlyList<byte[]> texts, uint ttl) => new(name, DnsType.Txt, 1, ttl, [], null, texts);
}

/// <summary>A DNS message (RFC 1035 §4) as used by mDNS (RFC 6762).</summary>
public sealed record DnsMessage(
    ushort Id,
    bool IsResponse,
    IReadOnlyList<DnsQuestion> Questions,
    IReadOnlyList<DnsRecord> Answers,
    IReadOnlyList<DnsRecord> Additionals,
    ushort Flags = 0);

/// <summary>
/// Strict DNS message codec: every length is checked against the packet, names are bounded (255 bytes,
/// 63-byte labels), compression pointers must point backwards (so they cannot loop), and the counts of
/// each section are capped. Malformed input is a <see cref="Libp2pProtocolException"/> (codes
/// <c>p2p.protocol.mdns.*</c>). Encoding never compresses names (allowed by RFC 1035).
/// </summary>
public static class DnsCodec
{
    /// <summary>Largest packet accepted or written (RFC 6762 §17: 9000 bytes minus headers).</summary>
    public const int MaxPacketLength = 9000;

    /// <summary>Most entries read per section.</summary>
    public const int MaxEntriesPerSection = 64;

    public const int MaxNameLength = 255;
    public const int MaxLabelLength = 63;

    public static byte[] Encode(DnsMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Questions.Count > MaxEntriesPerSection || message.Answers.Count > MaxEntriesPerSection || message.Additionals.Count > MaxEntriesPerSection)
        {
            throw new ArgumentException("too many entries in a DNS section");
        }
        using var ms = new MemoryStream();
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, message.Id);
        var flags = (ushort)(message.Flags | (message.IsResponse ? 0x8400 : 0)); // QR + AA for responses
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)message.Questions.Count);
        BinaryPrimitives.WriteUInt16BigEndian(header[6..], (ushort)message.Answers.Count);
        BinaryPrimitives.WriteUInt16BigEndian(header[8..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(header[10..], (ushort)message.Additionals.Count);
        ms.Write(header);
        foreach (var q in message.Questions)
        {
            WriteName(ms, q.Name);
            WriteUInt16(ms, (ushort)q.Type);
            WriteUInt16(ms, q.Class);
        }
        foreach (var r in message.Answers.Concat(message.Additionals))
        {
            WriteName(ms, r.Name);
            WriteUInt16(ms, (ushort)r.Type);
            WriteUInt16(ms, r.Class);
            WriteUInt16(ms, (ushort)(r.Ttl >> 16));
            WriteUInt16(ms, (ushort)r.Ttl);
            var data = RecordData(r);
            if (data.Length > ushort.MaxValue)
            {
                throw new ArgumentException("DNS record data longer than 65535 bytes");
            }
            WriteUInt16(ms, (ushort)data.Length);
            ms.Write(data);
        }
        if (ms.Length > MaxPacketLength)
        {
            throw new ArgumentException($"the DNS message is {ms.Length} bytes, more than {MaxPacketLength}");
        }
        return ms.ToArray();
    }

    public static DnsMessage Decode(ReadOnlySpan<byte> packet)
    {
        if (packet.Length > MaxPacketLength)
        {
            throw Error("too_large", $"a DNS packet of {packet.Length} bytes exceeds {MaxPacketLength}");
        }
        if (packet.Length < 12)
        {
            throw Error("truncated", "a DNS packet is at least 12 bytes");
        }
        var id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        var counts = new int[4];
        for (var i = 0; i < 4; i++)
        {
            counts[i] = BinaryPrimitives.ReadUInt16BigEndian(packet[(4 + (2 * i))..]);
            if (counts[i] > MaxEntriesPerSection)
            {
                throw Error("count", $"a DNS section with {counts[i]} entries exceeds {MaxEntriesPerSection}");
            }
        }
        var offset = 12;
        var questions = new List<DnsQuestion>(counts[0]);
        for (var i = 0; i < counts[0]; i++)
        {
            var name = ReadName(packet, ref offset);
            var type = ReadUInt16(packet, ref offset);
            var cls = ReadUInt16(packet, ref offset);
            questions.Add(new DnsQuestion(name, (DnsType)type, cls));
        }
        var answers = ReadRecords(packet, ref offset, counts[1]);
        ReadRecords(packet, ref offset, counts[2]); // authority: not used by mDNS discovery
        var additionals = ReadRecords(packet, ref offset, counts[3]);
        return new DnsMessage(id, (flags & 0x8000) != 0, questions, answers, additionals, (ushort)(flags & 0x7fff & ~0x0400));
    }

    private static List<DnsRecord> ReadRecords(ReadOnlySpan<byte> packet, ref int offset, int count)
    {
        var records = new List<DnsRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var name = ReadName(packet, ref offset);
            var type = (DnsType)ReadUInt16(packet, ref offset);
            var cls = ReadUInt16(packet, ref offset);
            var ttl = ReadUInt32(packet, ref offset);
            var length = ReadUInt16(packet, ref offset);
            if (offset + length > packet.Length)
            {
                throw Error("truncated", $"record data of {length} bytes runs past the end of the packet");
            }
            var dataStart = offset;
            var data = packet.Slice(offset, length);
            offset += length;
            switch (type)
            {
                case DnsType.Ptr:
                    {
                        var at = dataStart;
                        var target = ReadName(packet, ref at);
                        if (at != dataStart + length)
                        {
                            throw Error("ptr", "a PTR record's data is not exactly one name");
                        }
                        records.Add(new DnsRecord(name, type, cls, ttl, [], target));
                        break;
                    }
                case DnsType.Txt:
                    records.Add(new DnsRecord(name, type, cls, ttl, [], null, ReadTexts(data)));
                    break;
                default:
                    records.Add(new DnsRecord(name, type, cls, ttl, data.ToArray()));
                    break;
            }
        }
        return records;
    }

    private static List<byte[]> ReadTexts(ReadOnlySpan<byte> data)
    {
        var texts = new List<byte[]>();
        var i = 0;
        while (i < data.Length)
        {
            var n = data[i++];
            if (i + n > data.Length)
            {
                throw Error("txt", "a TXT character string runs past its record");
            }
            texts.Add(data.Slice(i, n).ToArray());
            i += n;
        }
        return texts;
    }

    /// <summary>Reads a possibly compressed name. Pointers must point strictly before the label that uses them.</summary>
    internal static string ReadName(ReadOnlySpan<byte> packet, ref int offset)
    {
        var sb = new StringBuilder();
        var position = offset;
        var jumped = false;
        var totalLength = 0;
        var limit = position; // a pointer must go below every position read so far
        for (var steps = 0; ; steps++)
        {
            if (steps > MaxNameLength)
            {
                throw Error("name", "a DNS name has too many labels");
            }
            if (position >= packet.Length)
            {
                throw Error("truncated", "a DNS name runs past the end of the packet");
            }
            var b = packet[position];
            if ((b & 0xc0) == 0xc0)
            {
                if (position + 1 >= packet.Length)
                {
                    throw Error("truncated", "a DNS name pointer runs past the end of the packet");
                }
                var target = ((b & 0x3f) << 8) | packet[position + 1];
                if (target >= limit)
                {
                    throw Error("pointer", "a DNS name pointer does not point backwards");
                }
                if (!jumped)
                {
                    offset = position + 2;
                    jumped = true;
                }
                position = target;
                limit = target;
                continue;
            }
            if ((b & 0xc0) != 0)
            {
                throw Error("label", "a DNS label uses a reserved length encoding");
            }
            if (b == 0)
            {
                if (!jumped)
                {
                    offset = position + 1;
                }
                return sb.ToString();
            }
            if (position + 1 + b > packet.Length)
            {
                throw Error("truncated", "a DNS label runs past the end of the packet");
            }
            totalLength += b + 1;
            if (totalLength > MaxNameLength)
            {
                throw Error("name", $"a DNS name is longer than {MaxNameLength} bytes");
            }
            var label = packet.Slice(position + 1, b);
            if (label.Contains((byte)'.'))
            {
                throw Error("label", "a DNS label contains a dot");
            }
            if (sb.Length > 0)
            {
                sb.Append('.');
            }
            sb.Append(Encoding.UTF8.GetString(label));
            position += 1 + b;
        }
    }

    private static void WriteName(MemoryStream ms, string name)
    {
        var total = 0;
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.None))
        {
            var bytes = Encoding.UTF8.GetBytes(label);
            if (bytes.Length is 0 or > MaxLabelLength)
            {
                throw new ArgumentException($"DNS label '{label}' must be 1..63 bytes", nameof(name));
            }
            total += bytes.Length + 1;
            if (total > MaxNameLength)
            {
                throw new ArgumentException($"DNS name longer than {MaxNameLength} bytes", nameof(name));
            }
            ms.WriteByte((byte)bytes.Length);
            ms.Write(bytes);
        }
        ms.WriteByte(0);
    }

    private static byte[] RecordData(DnsRecord r)
    {
        using var ms = new MemoryStream();
        if (r.Type == DnsType.Ptr && r.Target is not null)
        {
            WriteName(ms, r.Target);
        }
        else if (r.Type == DnsType.Txt && r.Texts is not null)
        {
            foreach (var t in r.Texts)
            {
                if (t.Length > 255)
                {
                    throw new ArgumentException("a TXT character string is at most 255 bytes");
                }
                ms.WriteByte((byte)t.Length);
                ms.Write(t);
            }
        }
        else
        {
            ms.Write(r.Data);
        }
        return ms.ToArray();
    }

    private static void WriteUInt16(MemoryStream ms, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        ms.Write(b);
    }

    private static ushort ReadUInt16(ReadOnlySpan<byte> packet, ref int offset)
    {
        if (offset + 2 > packet.Length)
        {
            throw Error("truncated", "the DNS packet ends inside a field");
        }
        var v = BinaryPrimitives.ReadUInt16BigEndian(packet[offset..]);
        offset += 2;
        return v;
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> packet, ref int offset)
    {
        if (offset + 4 > packet.Length)
        {
            throw Error("truncated", "the DNS packet ends inside a field");
        }
        var v = BinaryPrimitives.ReadUInt32BigEndian(packet[offset..]);
        offset += 4;
        return v;
    }

    private static Libp2pProtocolException Error(string code, string message) => new("mdns." + code, message);
}
