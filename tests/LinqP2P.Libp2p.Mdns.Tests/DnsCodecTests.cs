using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Libp2p.Mdns.Dns;

namespace LinqP2P.Libp2p.Mdns.Tests;

public class DnsCodecTests
{
    private static string Label(int seed, int length) =>
        new(Enumerable.Range(0, Math.Clamp(length, 1, 63)).Select(i => "abcdefghijklmnopqrstuvwxyz0123456789-_"[(seed + (i * 7)) % 38]).ToArray());

    [Property(MaxTest = 300)]
    public void Message_RoundTrips(PositiveInt seed, byte labelLength, byte textLength, bool response, ushort id)
    {
        var instance = Label(seed.Get, labelLength % 64) + "._p2p._udp.local";
        var text = Encoding.UTF8.GetBytes("dnsaddr=" + new string('x', textLength % 240));
        var message = new DnsMessage(id, response,
            [new DnsQuestion("_p2p._udp.local", DnsType.Ptr)],
            [DnsRecord.Ptr("_p2p._udp.local", instance, 120)],
            [DnsRecord.Txt(instance, [text, [], [1, 2, 3]], 120), new DnsRecord(instance, DnsType.A, 1, 5, [127, 0, 0, 1])]);
        var decoded = DnsCodec.Decode(DnsCodec.Encode(message));
        Assert.Equal(id, decoded.Id);
        Assert.Equal(response, decoded.IsResponse);
        Assert.Equal(message.Questions, decoded.Questions);
        Assert.Equal(instance, decoded.Answers.Single().Target);
        Assert.Equal([text, [], new byte[] { 1, 2, 3 }], decoded.Additionals[0].Texts!);
        Assert.Equal([127, 0, 0, 1], decoded.Additionals[1].Data);
    }

    [Property(MaxTest = 2000)]
    public void Decode_OnRandomBytes_ReturnsOrThrowsProtocolError(byte[] bytes)
    {
        try
        {
            DnsCodec.Decode(bytes);
        }
        catch (Libp2pProtocolException)
        {
        }
    }

    [Property(MaxTest = 500)]
    public void Decode_OnMutatedValidPackets_ReturnsOrThrowsProtocolError(NonEmptyArray<byte> noise, PositiveInt at)
    {
        var packet = DnsCodec.Encode(new DnsMessage(1, true, [], [DnsRecord.Ptr("_p2p._udp.local", "abc._p2p._udp.local", 120)],
            [DnsRecord.Txt("abc._p2p._udp.local", ["dnsaddr=/ip4/127.0.0.1/tcp/1"u8.ToArray()], 120)]));
        for (var i = 0; i < noise.Get.Length; i++)
        {
            packet[(at.Get + i) % packet.Length] = noise.Get[i];
        }
        try
        {
            DnsCodec.Decode(packet);
        }
        catch (Libp2pProtocolException)
        {
        }
    }

    [Fact]
    public void Decode_FollowsBackwardCompressionPointers()
    {
        // Header (1 question, 1 answer), question "_p2p._udp.local" at 12, answer name = pointer to 12.
        var packet = new List<byte> { 0, 0, 0x84, 0, 0, 1, 0, 1, 0, 0, 0, 0 };
        packet.AddRange(NameBytes("_p2p._udp.local"));
        packet.AddRange(new byte[] { 0, 12, 0, 1 });
        packet.AddRange(new byte[] { 0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 120 });
        // PTR data: "abc" + pointer to 12.
        packet.AddRange(new byte[] { 0, 6, 3, (byte)'a', (byte)'b', (byte)'c', 0xc0, 12 });
        var decoded = DnsCodec.Decode(packet.ToArray());
        Assert.Equal("_p2p._udp.local", decoded.Answers[0].Name);
        Assert.Equal("abc._p2p._udp.local", decoded.Answers[0].Target);
    }

    [Fact]
    public void Decode_RejectsPointerLoops_ForwardPointers_AndHugeCounts()
    {
        var loop = new byte[] { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 12, 0, 1 };
        Assert.Equal("p2p.protocol.mdns.pointer", Assert.Throws<Libp2pProtocolException>(() => DnsCodec.Decode(loop)).Code);
        var forward = new byte[] { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 16, 0, 12, 0, 1, 0 };
        Assert.Equal("p2p.protocol.mdns.pointer", Assert.Throws<Libp2pProtocolException>(() => DnsCodec.Decode(forward)).Code);
        var counts = new byte[] { 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0 };
        Assert.Equal("p2p.protocol.mdns.count", Assert.Throws<Libp2pProtocolException>(() => DnsCodec.Decode(counts)).Code);
        Assert.Equal("p2p.protocol.mdns.too_large", Assert.Throws<Libp2pProtocolException>(() => DnsCodec.Decode(new byte[9001])).Code);
        Assert.Equal("p2p.protocol.mdns.truncated", Assert.Throws<Libp2pProtocolException>(() => DnsCodec.Decode(new byte[5])).Code);
    }

    [Fact]
    public void Decode_RejectsNamesLongerThan255Bytes()
    {
        var packet = new List<byte> { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
        for (var i = 0; i < 5; i++)
        {
            packet.Add(63);
            packet.AddRange(Enumerable.Repeat((byte)'a', 63));
        }
        packet.AddRange(new byte[] { 0, 0, 12, 0, 1 });
        Assert.Equal("p2p.protocol.mdns.name", Assert.Throws<Libp2pProtocolException>(() => DnsCodec.Decode(packet.ToArray())).Code);
    }

    private static IEnumerable<byte> NameBytes(string name)
    {
        foreach (var label in name.Split('.'))
        {
            yield return (byte)label.Length;
            foreach (var c in label)
            {
                yield return (byte)c;
            }
        }
        yield return 0;
    }
}
