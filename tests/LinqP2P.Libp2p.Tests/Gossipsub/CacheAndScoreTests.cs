using LinqP2P.Libp2p.Gossipsub;

namespace LinqP2P.Libp2p.Tests.Gossipsub;

public class CacheAndScoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void SeenCache_ForgetsIdsAfterTheirTtl()
    {
        var seen = new SeenCache(TimeSpan.FromSeconds(10));
        Assert.True(seen.Add(new MessageId([1]), T0));
        Assert.False(seen.Add(new MessageId([1]), T0.AddSeconds(1)));
        seen.Add(new MessageId([2]), T0.AddSeconds(5));
        seen.Prune(T0.AddSeconds(11));
        Assert.False(seen.Contains(new MessageId([1])));
        Assert.True(seen.Contains(new MessageId([2])));
    }

    [Fact]
    public void SeenCache_IsBoundedByItsCapacity()
    {
        var seen = new SeenCache(TimeSpan.FromHours(1), capacity: 100);
        for (var i = 0; i < 1000; i++)
        {
            seen.Add(new MessageId(BitConverter.GetBytes(i)), T0);
        }
        Assert.Equal(100, seen.Count);
        Assert.True(seen.Contains(new MessageId(BitConverter.GetBytes(999))));
    }

    [Fact]
    public void MessageCache_AdvertisesOnlyTheGossipWindowsButServesTheWholeHistory()
    {
        var cache = new MessageCache(length: 5, gossip: 3);
        for (var i = 0; i < 6; i++)
        {
            cache.Put(new MessageId([(byte)i]), new PubsubMessage { Topic = "t", Data = [(byte)i] });
            cache.Shift();
        }
        // Five windows are kept, the newest (just opened) empty: ids 2..5 are cached, 0 and 1 are gone,
        // and gossip covers the newest three windows: the empty one, 5 and 4.
        Assert.False(cache.TryGet(new MessageId([1]), out _));
        Assert.True(cache.TryGet(new MessageId([2]), out _));
        Assert.Equal([new MessageId([5]), new MessageId([4])], cache.GossipIds("t"));
        Assert.Empty(cache.GossipIds("other"));
    }

    [Fact]
    public void MessageCache_StopsAnsweringAPeerThatAsksTooOften()
    {
        var cache = new MessageCache(5, 3);
        var id = new MessageId([1]);
        cache.Put(id, new PubsubMessage { Topic = "t" });
        var peer = TestIdentities.Create(1).PeerId;
        Assert.True(cache.TryGetForPeer(id, peer, 2, out _));
        Assert.True(cache.TryGetForPeer(id, peer, 2, out _));
        Assert.False(cache.TryGetForPeer(id, peer, 2, out _));
        Assert.True(cache.TryGetForPeer(id, TestIdentities.Create(2).PeerId, 2, out _));
    }

    [Fact]
    public void Score_GrowsWithTimeInMeshAndFirstDeliveries()
    {
        var score = new PeerScore(new PeerScoreParams(), TimeSpan.FromMinutes(2));
        var peer = TestIdentities.Create(1).PeerId;
        score.AddPeer(peer, "10.0.0.1");
        score.Graft(peer, "t", T0);
        Assert.Equal(0, score.Score(peer, T0));
        // P1: 100 s in mesh × 0.01.
        Assert.Equal(1, score.Score(peer, T0.AddSeconds(100)), 6);
        var id = new MessageId([1]);
        score.ValidateMessage(peer, id, T0.AddSeconds(100));
        score.DeliverMessage(peer, id, "t", T0.AddSeconds(100));
        // P2: one first delivery × 1.
        Assert.Equal(2, score.Score(peer, T0.AddSeconds(100)), 6);
    }

    [Fact]
    public void Score_MeshDeliveryDeficitIsPenalisedAfterActivation()
    {
        var p = new PeerScoreParams
        {
            DefaultTopic = new TopicScoreParams { TimeInMeshWeight = 0, MeshMessageDeliveriesWeight = -1, MeshMessageDeliveriesThreshold = 4, MeshFailurePenaltyWeight = -1 },
        };
        var score = new PeerScore(p, TimeSpan.FromMinutes(2));
        var peer = TestIdentities.Create(1).PeerId;
        score.AddPeer(peer, null);
        score.Graft(peer, "t", T0);
        Assert.Equal(0, score.Score(peer, T0.AddSeconds(4)));
        // Activated after 5 s with no deliveries: deficit 4, squared.
        Assert.Equal(-16, score.Score(peer, T0.AddSeconds(6)));
        // Pruned while in deficit: the sticky P3b penalty remains.
        score.Prune(peer, "t", T0.AddSeconds(6));
        Assert.Equal(-16, score.Score(peer, T0.AddSeconds(6)));
    }

    [Fact]
    public void Score_PenalisesColocatedPeersBeyondTheThreshold()
    {
        var score = new PeerScore(new PeerScoreParams { IPColocationFactorThreshold = 2 }, TimeSpan.FromMinutes(2));
        var peers = Enumerable.Range(1, 4).Select(i => TestIdentities.Create(i).PeerId).ToList();
        foreach (var p in peers)
        {
            score.AddPeer(p, "10.0.0.9");
        }
        // 4 peers on one IP, threshold 2: surplus 2, squared, × -10.
        Assert.Equal(-40, score.Score(peers[0], T0));
        var whitelisted = new PeerScore(new PeerScoreParams { IPColocationFactorThreshold = 2, IPColocationFactorWhitelist = { "10.0.0.9" } }, TimeSpan.FromMinutes(2));
        foreach (var p in peers)
        {
            whitelisted.AddPeer(p, "10.0.0.9");
        }
        Assert.Equal(0, whitelisted.Score(peers[0], T0));
    }

    [Fact]
    public void Score_AddsTheApplicationSpecificScoreAndBehaviourPenalty()
    {
        var good = TestIdentities.Create(1).PeerId;
        var score = new PeerScore(new PeerScoreParams { AppSpecificScore = p => p.Equals(good) ? 5 : 0 }, TimeSpan.FromMinutes(2));
        var bad = TestIdentities.Create(2).PeerId;
        score.AddPeer(good, null);
        score.AddPeer(bad, null);
        score.AddPenalty(bad, 3);
        Assert.Equal(5, score.Score(good, T0));
        Assert.Equal(-90, score.Score(bad, T0));
    }

    [Fact]
    public void Score_OfANegativePeerIsRetainedAcrossReconnects()
    {
        var score = new PeerScore(new PeerScoreParams(), TimeSpan.FromMinutes(2));
        var peer = TestIdentities.Create(1).PeerId;
        score.AddPeer(peer, null);
        score.AddPenalty(peer, 2);
        score.RemovePeer(peer, T0);
        score.AddPeer(peer, null);
        Assert.Equal(-40, score.Score(peer, T0));
    }

    [Fact]
    public void Options_RejectInconsistentDegrees()
    {
        Assert.Throws<ArgumentException>(() => new GossipsubOptions { D = 3, DLow = 4 }.Validate());
        Assert.Throws<ArgumentException>(() => new GossipsubOptions { DOut = 4 }.Validate());
        Assert.Throws<ArgumentException>(() => new GossipsubOptions { ScoreThresholds = new PeerScoreThresholds { GossipThreshold = 1 } }.Validate());
        new GossipsubOptions().Validate();
    }
}

public class MessageIdTests
{
    [Fact]
    public void FromAuthorAndSeqno_ConcatenatesPeerIdBytesAndSeqno()
    {
        var author = TestIdentities.Create(1);
        var m = GossipsubNetworkTests.SignedMessage(author, "t", "x", seqno: 5);
        Assert.Equal(author.PeerId.ToBytes().Concat(m.Seqno!).ToArray(), MessageId.FromAuthorAndSeqno(m).ToArray());
    }

    [Fact]
    public void FromPublicKeyAndSeqno_MatchesTheJsDefaultForEd25519Authors()
    {
        var author = TestIdentities.Create(1);
        var m = GossipsubNetworkTests.SignedMessage(author, "t", "x", seqno: 5);
        // An Ed25519 peer id is the identity multihash (0x00, 36) of the key protobuf: js drops those two bytes.
        var expected = author.PeerId.ToBytes()[2..].Concat(m.Seqno!).ToArray();
        Assert.Equal(expected, MessageId.FromPublicKeyAndSeqno(m).ToArray());
    }
}
