using System.Net;
using System.Net.Sockets;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Mdns.Dns;
using LinqP2P.TestKit;

namespace LinqP2P.Libp2p.Mdns.Tests;

/// <summary>
/// mDNS over real IPv4 multicast on the loopback interface only (IP_MULTICAST_IF 127.0.0.1, group joined
/// on lo), each test on its own port so parallel runs do not hear each other.
/// </summary>
public sealed class MdnsServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    internal static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static async Task<Libp2pHost> HostAsync()
    {
        var host = new Libp2pHost(KeyPair.Generate());
        await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        return host;
    }

    [Fact]
    public async Task TwoNodes_DiscoverEachOther_AndConnect()
    {
        var options = new MdnsOptions { Port = FreeUdpPort(), QueryInterval = TimeSpan.FromMilliseconds(300) };
        await using var a = await HostAsync();
        await using var b = await HostAsync();
        await using var mdnsA = new MdnsService(a, options);
        await using var mdnsB = new MdnsService(b, options);
        var found = new TaskCompletionSource<PeerDiscoveredEventArgs>();
        mdnsA.PeerDiscovered += (_, e) => found.TrySetResult(e);
        await mdnsA.StartAsync(CancellationToken.None);
        await mdnsB.StartAsync(CancellationToken.None);
        var e = await found.Task.WaitAsync(Wait);
        Assert.Equal(b.PeerId, e.Peer);
        Assert.Equal(b.ListenAddresses, e.Addresses);
        var deadline = DateTime.UtcNow + Wait;
        while (!a.Connections.Any(c => c.RemotePeer == b.PeerId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Contains(a.Connections, c => c.RemotePeer == b.PeerId);
    }

    [Fact]
    public async Task MalformedPackets_AreCountedAndDropped_AndTheServiceKeepsAnswering()
    {
        var options = new MdnsOptions { Port = FreeUdpPort(), QueryInterval = TimeSpan.FromHours(1), DialDiscovered = false };
        await using var a = await HostAsync();
        await using var mdns = new MdnsService(a, options);
        await mdns.StartAsync(CancellationToken.None);
        await using var probe = new MulticastUdpTransport(options);
        await probe.SendAsync(new byte[] { 1, 2, 3 }, CancellationToken.None);
        await probe.SendAsync(new byte[] { 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 12, 0, 1 }, CancellationToken.None);
        var query = DnsCodec.Encode(new DnsMessage(0, false, [new DnsQuestion("_p2p._udp.local", DnsType.Ptr)], [], []));
        await probe.SendAsync(query, CancellationToken.None);
        var buffer = new byte[DnsCodec.MaxPacketLength];
        using var cts = new CancellationTokenSource(Wait);
        DnsMessage? answer = null;
        while (answer is null)
        {
            var n = await probe.ReceiveAsync(buffer, cts.Token);
            // The probe hears its own packets too (multicast loopback), the malformed ones included.
            try
            {
                var m = DnsCodec.Decode(buffer.AsSpan(0, n));
                answer = m.IsResponse ? m : null;
            }
            catch (Libp2pProtocolException)
            {
            }
        }
        Assert.Equal(mdns.PeerName + "._p2p._udp.local", answer.Answers.Single().Target);
        var txt = answer.Additionals.Single();
        Assert.Equal("dnsaddr=" + a.ListenAddresses[0].WithPeerId(a.PeerId), System.Text.Encoding.UTF8.GetString(txt.Texts!.Single()));
        Assert.Equal(2, mdns.MalformedPackets);
    }

    [Fact]
    public async Task Handle_IgnoresOurOwnAnswer_AndAnswersWithForeignPeerIds()
    {
        await using var a = await HostAsync();
        await using var mdns = new MdnsService(a, new MdnsOptions { DialDiscovered = false });
        var discovered = new List<PeerId>();
        mdns.PeerDiscovered += (_, e) => discovered.Add(e.Peer);
        mdns.Handle(DnsCodec.Encode(mdns.BuildResponse()));
        var other = KeyPair.Generate().PeerId;
        var third = KeyPair.Generate().PeerId;
        var foreign = new DnsMessage(0, true, [], [DnsRecord.Ptr("_p2p._udp.local", "x._p2p._udp.local", 120)],
            [DnsRecord.Txt("x._p2p._udp.local", [System.Text.Encoding.UTF8.GetBytes($"dnsaddr=/ip4/127.0.0.1/tcp/9/p2p/{other}")], 120),
             DnsRecord.Txt("x._p2p._udp.local", [System.Text.Encoding.UTF8.GetBytes($"dnsaddr=/ip4/127.0.0.1/tcp/8/p2p/{third}")], 120),
             DnsRecord.Txt("x._p2p._udp.local", ["dnsaddr=/garbage"u8.ToArray()], 120)]);
        mdns.Handle(DnsCodec.Encode(foreign));
        Assert.Equal([other], discovered);
        Assert.Equal("/ip4/127.0.0.1/tcp/9", Assert.Single(a.PeerStore.Get(other)!.Addresses).ToString());
    }
}
