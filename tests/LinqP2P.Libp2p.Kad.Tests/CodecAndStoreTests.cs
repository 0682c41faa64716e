using FsCheck;
using FsCheck.Xunit;
using Google.Protobuf;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Kad.Providers;
using LinqP2P.TestKit;

namespace LinqP2P.Libp2p.Kad.Tests;

public class CodecAndStoreTests
{
    private static readonly PeerId[] Peers = Enumerable.Range(0, 4).Select(i => KeyPair.FromSeed(Enumerable.Repeat((byte)(i + 1), 32).ToArray()).PeerId).ToArray();

    [Property(MaxTest = 300)]
    public void Message_RoundTrips(byte type, byte[] key, byte peerMask, ushort port)
    {
        var t = (KadMessageType)(type % 6);
        var k = key.Take(KadMessageCodec.MaxKeyLength).ToArray();
        var address = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}");
        var closer = Peers.Where((_, i) => (peerMask & (1 << i)) != 0).Select(p => new KadPeer(p, [address])).ToList();
        var providers = Peers.Where((_, i) => (peerMask & (16 << i)) != 0).Select(p => new KadPeer(p, [])).ToList();
        var message = new KadMessage(t, k, closer, providers);
        var decoded = KadMessageCodec.Decode(KadMessageCodec.Encode(message), 64 * 1024);
        Assert.Equal(t, decoded.Type);
        Assert.Equal(k, decoded.Key);
        Assert.Equal(closer.Select(p => (p.Peer, p.Addresses.Single())), decoded.CloserPeers.Select(p => (p.Peer, p.Addresses.Single())));
        Assert.Equal(providers.Select(p => p.Peer), decoded.ProviderPeers.Select(p => p.Peer));
    }

    [Property(MaxTest = 1000)]
    public void Decode_OnRandomBytes_ReturnsOrThrowsProtocolError(byte[] bytes)
    {
        try
        {
            KadMessageCodec.Decode(bytes, 4096);
        }
        catch (Libp2pProtocolException)
        {
        }
    }

    [Fact]
    public void Decode_RejectsMessageLongerThanLimit_AndOversizedKey_AndUnknownType()
    {
        var big = KadMessageCodec.Encode(KadMessage.Request(KadMessageType.FindNode, new byte[200]));
        Assert.Equal("p2p.protocol.kad.too_large", Assert.Throws<Libp2pProtocolException>(() => KadMessageCodec.Decode(big, 100)).Code);
        var longKey = new Pb.Message { Type = Pb.Message.Types.MessageType.FindNode, Key = ByteString.CopyFrom(new byte[300]) }.ToByteArray();
        Assert.Equal("p2p.protocol.kad.key", Assert.Throws<Libp2pProtocolException>(() => KadMessageCodec.Decode(longKey, 4096)).Code);
        var unknown = new Pb.Message { Type = (Pb.Message.Types.MessageType)9 }.ToByteArray();
        Assert.Equal("p2p.protocol.kad.type", Assert.Throws<Libp2pProtocolException>(() => KadMessageCodec.Decode(unknown, 4096)).Code);
    }

    [Fact]
    public void Decode_DropsPeersWithMalformedIds_AndMalformedAddresses_KeepsTheRest()
    {
        var pb = new Pb.Message { Type = Pb.Message.Types.MessageType.FindNode };
        pb.CloserPeers.Add(new Pb.Message.Types.Peer { Id = ByteString.CopyFrom([1, 2, 3]) });
        var good = new Pb.Message.Types.Peer { Id = ByteString.CopyFrom(Peers[0].ToBytes()) };
        good.Addrs.Add(ByteString.CopyFrom([0xff, 0xff]));
        good.Addrs.Add(ByteString.CopyFrom(Multiaddr.Parse("/ip4/127.0.0.1/tcp/1").ToBytes()));
        pb.CloserPeers.Add(good);
        var decoded = KadMessageCodec.Decode(pb.ToByteArray(), 4096);
        var peer = Assert.Single(decoded.CloserPeers);
        Assert.Equal(Peers[0], peer.Peer);
        Assert.Equal("/ip4/127.0.0.1/tcp/1", Assert.Single(peer.Addresses).ToString());
    }

    [Fact]
    public void ProviderStore_ExpiresRecordsAfterTheirTtl()
    {
        var clock = new ManualClock();
        var store = new ProviderStore(TimeSpan.FromHours(48), 10, 5, clock);
        Assert.True(store.Add([1, 2], Peers[0], []));
        clock.Advance(TimeSpan.FromHours(47));
        Assert.Equal(Peers[0], Assert.Single(store.Get([1, 2])).Peer);
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Empty(store.Get([1, 2]));
        Assert.Equal(1, store.RemoveExpired());
        Assert.Equal(0, store.KeyCount);
    }

    [Fact]
    public void ProviderStore_CapsKeys_AndReplacesTheOldestProviderOfAFullKey()
    {
        var clock = new ManualClock();
        var store = new ProviderStore(TimeSpan.FromHours(1), 2, 2, clock);
        Assert.True(store.Add([1], Peers[0], []));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(store.Add([1], Peers[1], []));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(store.Add([1], Peers[2], []));
        Assert.Equal([Peers[2], Peers[1]], store.Get([1]).Select(p => p.Peer));
        Assert.True(store.Add([2], Peers[0], []));
        Assert.False(store.Add([3], Peers[0], []));
        clock.Advance(TimeSpan.FromHours(2));
        Assert.True(store.Add([3], Peers[0], []));
    }

    [Fact]
    public void RateLimiter_AllowsTheBurst_ThenRefillsAtTheRate()
    {
        var clock = new ManualClock();
        var limiter = new PeerRateLimiter(10, 5, clock);
        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => limiter.TryTake(Peers[0])));
        Assert.True(limiter.TryTake(Peers[1]));
        clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(2, Enumerable.Range(0, 20).Count(_ => limiter.TryTake(Peers[0])));
    }
}
