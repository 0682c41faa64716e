using System.Net;
using System.Net.Sockets;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Kad.Bootstrap;
using LinqP2P.Libp2p.Kad.Routing;
using LinqP2P.Multiformats;

namespace LinqP2P.Libp2p.Kad.Tests;

public sealed class ModeAndLivenessTests
{
    [Fact]
    public async Task ClientMode_QueriesTheDht_ButIsNeverAddedToServerTables()
    {
        await using var server = await KadNode.StartAsync();
        await using var other = await KadNode.StartAsync();
        await using var client = await KadNode.StartAsync(new KadOptions { Mode = KadMode.Client });
        await other.ConnectAsync(server);
        await client.Host.DialAsync(server.Address, CancellationToken.None);
        await KadNode.WaitUntil(() => client.Dht.RoutingTable.Contains(server.Id), "the client to add the server");
        Assert.DoesNotContain(KadDht.DefaultProtocolId, client.Host.Protocols);
        var found = await client.Dht.FindPeerAsync(other.Id, CancellationToken.None);
        Assert.NotNull(found);
        await Task.Delay(300);
        Assert.False(server.Dht.RoutingTable.Contains(client.Id));
        var cid = Cid.V1(Multicodec.Raw, Multihash.Sha256("from a client"u8));
        Assert.Equal(2, await client.Dht.ProvideAsync(cid, CancellationToken.None));
        await KadNode.WaitUntil(() => other.Dht.Providers.Get(KadDht.MultihashBytes(cid)).Count == 1, "the provider record on the other server");
    }

    [Fact]
    public async Task FullBucket_ReplacesADeadPeer_ButKeepsALiveOne()
    {
        await using var self = await KadNode.StartAsync(new KadOptions { BucketSize = 1, RequestTimeout = TimeSpan.FromSeconds(2) });
        // Three more peers whose keys all fall into bucket 0 of `self` (first bit differs).
        var keys = new List<KeyPair>();
        while (keys.Count < 3)
        {
            var k = KeyPair.Generate();
            if (self.Dht.RoutingTable.BucketIndex(KadKey.FromPeer(k.PeerId)) == 0)
            {
                keys.Add(k);
            }
        }
        var alive = await KadNode.StartAsync(key: keys[0]);
        await using var second = await KadNode.StartAsync(key: keys[1]);
        await using var third = await KadNode.StartAsync(key: keys[2]);
        await self.Host.DialAsync(alive.Address, CancellationToken.None);
        await KadNode.WaitUntil(() => self.Dht.RoutingTable.Contains(alive.Id), "the first peer in the table");
        await self.Host.DialAsync(second.Address, CancellationToken.None);
        // The live first peer answers the liveness ping: the newcomer stays out.
        await KadNode.WaitUntil(() => self.Host.PeerStore.Get(second.Id)?.Protocols.Count > 0, "identify of the second peer");
        await Task.Delay(300);
        Assert.True(self.Dht.RoutingTable.Contains(alive.Id));
        Assert.False(self.Dht.RoutingTable.Contains(second.Id));
        await alive.DisposeAsync();
        await self.Host.DialAsync(third.Address, CancellationToken.None);
        await KadNode.WaitUntil(() => self.Dht.RoutingTable.Contains(third.Id), "the dead peer to be replaced");
        Assert.False(self.Dht.RoutingTable.Contains(alive.Id));
    }

    [Fact]
    public async Task Refresh_DropsStaleEntriesThatNoLongerAnswer()
    {
        var clock = new TestKit.ManualClock(DateTimeOffset.UtcNow);
        await using var self = await KadNode.StartAsync(new KadOptions { Time = clock, RequestTimeout = TimeSpan.FromSeconds(2) });
        await using var live = await KadNode.StartAsync();
        var dead = await KadNode.StartAsync();
        await self.ConnectAsync(live);
        await self.ConnectAsync(dead);
        await dead.DisposeAsync();
        clock.Advance(TimeSpan.FromMinutes(11));
        await self.Dht.RefreshAsync(CancellationToken.None);
        Assert.True(self.Dht.RoutingTable.Contains(live.Id));
        Assert.False(self.Dht.RoutingTable.Contains(dead.Id));
    }

    [Fact]
    public async Task Bootstrap_DialsWithBackoffUntilThePeerComesUp_ThenReconnectsAfterADrop()
    {
        // Reserve a port, and start the bootstrap peer on it only after the first dials failed.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var bootKey = KeyPair.Generate();
        var bootAddress = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}/p2p/{bootKey.PeerId}");
        var options = new HostOptions { Limits = new ConnectionLimits { ReconnectInitialBackoff = TimeSpan.FromMilliseconds(100), ReconnectMaxBackoff = TimeSpan.FromMilliseconds(400) } };
        await using var host = new Libp2pHost(KeyPair.Generate(), options);
        await using var dht = new KadDht(host);
        await dht.StartAsync(CancellationToken.None);
        await using var bootstrap = new BootstrapService(host, [bootAddress], dht);
        var bootstrapped = new TaskCompletionSource();
        bootstrap.DhtBootstrapped += (_, _) => bootstrapped.TrySetResult();
        await bootstrap.StartAsync(CancellationToken.None);
        await Task.Delay(600);
        Assert.Equal(0, bootstrap.ConnectedCount);

        await using var boot = new Libp2pHost(bootKey);
        await boot.ListenAsync(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}"), CancellationToken.None);
        await using var bootDht = new KadDht(boot);
        await bootDht.StartAsync(CancellationToken.None);
        await KadNode.WaitUntil(() => bootstrap.ConnectedCount == 1, "the bootstrap connection");
        await bootstrapped.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(dht.RoutingTable.Contains(bootKey.PeerId));

        foreach (var c in boot.Connections.ToList())
        {
            await c.CloseAsync();
        }
        await KadNode.WaitUntil(() => host.Connections.Any(c => c.RemotePeer == bootKey.PeerId && !c.IsClosed) && boot.Connections.Count > 0, "the reconnect");
    }

    [Fact]
    public async Task Bootstrap_RejectsAnAddressWithoutPeerId()
    {
        await using var host = new Libp2pHost(KeyPair.Generate());
        var e = Assert.Throws<Libp2pFormatException>(() => new BootstrapService(host, [Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001")]));
        Assert.Contains("/p2p/", e.Message);
    }
}
