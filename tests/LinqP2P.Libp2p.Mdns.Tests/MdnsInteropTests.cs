using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.TestKit;

namespace LinqP2P.Libp2p.Mdns.Tests;

/// <summary>C# mDNS against js-libp2p @libp2p/mdns 12.0.32, both confined to multicast on loopback.</summary>
public sealed class MdnsInteropTests
{
    [Fact]
    public async Task CSharpAndJs_DiscoverEachOther()
    {
        var port = MdnsServiceTests.FreeUdpPort();
        await using var js = await JsPeer.StartAsync("mdns-peer.mjs", ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var jsId = PeerId.Parse(js.Ready.GetProperty("peerId").GetString()!);
        await using var host = new Libp2pHost(KeyPair.Generate());
        await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        await using var mdns = new MdnsService(host, new MdnsOptions { Port = port, QueryInterval = TimeSpan.FromMilliseconds(500) });
        var found = new TaskCompletionSource<PeerDiscoveredEventArgs>();
        mdns.PeerDiscovered += (_, e) =>
        {
            if (e.Peer == jsId)
            {
                found.TrySetResult(e);
            }
        };
        await mdns.StartAsync(CancellationToken.None);
        var e = await found.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains(Multiaddr.Parse(js.Ready.GetProperty("addrs")[0].GetString()!).WithoutPeerId(), e.Addresses);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var line = await js.WaitForEventAsync("discovered", deadline - DateTime.UtcNow);
            if (line.GetProperty("peerId").GetString() == host.PeerId.ToString())
            {
                Assert.Contains(host.ListenAddresses[0].ToString(), line.GetProperty("addrs").EnumerateArray().Select(a => a.GetString()));
                break;
            }
        }
        // Discovery led to a working connection (C# dials what it found).
        while (!host.Connections.Any(c => c.RemotePeer == jsId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Contains(host.Connections, c => c.RemotePeer == jsId);
    }
}
