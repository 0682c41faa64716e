using FsCheck;
using FsCheck.Xunit;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Kad.Routing;

namespace LinqP2P.Libp2p.Kad.Tests;

public class KeyAndTableTests
{
    private static KadKey Key(byte[] seed) => KadKey.FromBytes(seed);

    [Property(MaxTest = 300)]
    public void Distance_IsSymmetric_AndZeroOnlyToItself(byte[] a, byte[] b)
    {
        var x = Key(a);
        var y = Key(b);
        Assert.Equal(x.Xor(y), y.Xor(x));
        Assert.Equal(256, x.CommonPrefixLength(x));
        Assert.Equal(a.AsSpan().SequenceEqual(b), x.CommonPrefixLength(y) == 256);
    }

    [Property(MaxTest = 300)]
    public void RandomWithPrefixLength_SharesExactlyThatManyBits(byte[] seed, byte cpl)
    {
        var self = Key(seed);
        var other = self.RandomWithPrefixLength(cpl);
        Assert.Equal(cpl, self.CommonPrefixLength(other));
    }

    [Property(MaxTest = 200)]
    public void CompareDistance_MatchesBigEndianXorOrder(byte[] t, byte[] a, byte[] b)
    {
        var target = Key(t);
        var x = Key(a);
        var y = Key(b);
        var expected = target.Xor(x).ToArray().AsSpan().SequenceCompareTo(target.Xor(y).ToArray());
        Assert.Equal(Math.Sign(expected), Math.Sign(target.CompareDistance(x, y)));
    }

    [Fact]
    public void Key_OfAPeer_IsSha256OfItsIdBytes()
    {
        var peer = KeyPair.Generate().PeerId;
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(peer.ToBytes()), KadKey.FromPeer(peer).ToArray());
    }

    [Fact]
    public void NearestPeers_AreTheClosestByXor_InOrder()
    {
        var table = new RoutingTable(KeyPair.Generate().PeerId, 20);
        var peers = Enumerable.Range(0, 120).Select(_ => KeyPair.Generate().PeerId).ToList();
        var added = peers.Where(p => table.TryAdd(p, out _) == RoutingTableAddResult.Added).ToList();
        var target = KadKey.FromBytes([1, 2, 3]);
        var expected = added.OrderBy(p => KadKey.FromPeer(p).Xor(target).ToArray(), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).Take(20);
        Assert.Equal(expected, table.NearestPeers(target, 20));
    }

    [Fact]
    public void FullBucket_NamesItsLeastRecentlySeenPeer_AndRefusesTheNewOne()
    {
        var self = KeyPair.Generate().PeerId;
        var table = new RoutingTable(self, 2);
        // Bucket 0 holds the peers whose key differs from ours in the first bit: half of all peers.
        var bucket0 = Enumerable.Range(0, 64).Select(_ => KeyPair.Generate().PeerId)
            .Where(p => table.BucketIndex(KadKey.FromPeer(p)) == 0).Take(3).ToList();
        Assert.Equal(RoutingTableAddResult.Added, table.TryAdd(bucket0[0], out _));
        Assert.Equal(RoutingTableAddResult.Added, table.TryAdd(bucket0[1], out _));
        Assert.True(table.MarkSeen(bucket0[0]));
        Assert.Equal(RoutingTableAddResult.BucketFull, table.TryAdd(bucket0[2], out var lrs));
        Assert.Equal(bucket0[1], lrs);
        Assert.False(table.Contains(bucket0[2]));
        Assert.Equal(RoutingTableAddResult.Self, table.TryAdd(self, out _));
    }
}
