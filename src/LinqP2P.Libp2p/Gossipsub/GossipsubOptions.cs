namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>Whether published messages carry and require author, seqno and signature (gossipsub v1.1 §Signature policy).</summary>
public enum SignaturePolicy
{
    /// <summary>Sign every message and reject unsigned ones. The libp2p default, and what js and go use.</summary>
    StrictSign,

    /// <summary>Send no from/seqno/signature/key and reject messages that carry any; ids must come from content.</summary>
    StrictNoSign,
}

/// <summary>
/// Router parameters (SPEC.md §5 Gossipsub). Defaults are the spec's and go-libp2p-pubsub's; each is stated
/// on its property. <see cref="Validate"/> runs when a router is built.
/// </summary>
public sealed class GossipsubOptions
{
    /// <summary>Target mesh degree D. Default 6.</summary>
    public int D { get; init; } = 6;

    /// <summary>Lower bound Dlo: below it the heartbeat grafts. Default 4.</summary>
    public int DLow { get; init; } = 4;

    /// <summary>Upper bound Dhi: above it the heartbeat prunes down to D. Default 12.</summary>
    public int DHigh { get; init; } = 12;

    /// <summary>Least number of peers to emit IHAVE gossip to per topic. Default 6.</summary>
    public int DLazy { get; init; } = 6;

    /// <summary>Peers kept by score when pruning an oversubscribed mesh. Default 4.</summary>
    public int DScore { get; init; } = 4;

    /// <summary>Outbound peers the mesh keeps (a defence against eclipse by inbound connections). Default 2.</summary>
    public int DOut { get; init; } = 2;

    /// <summary>Fraction of eligible peers gossip is emitted to when larger than DLazy. Default 0.25.</summary>
    public double GossipFactor { get; init; } = 0.25;

    /// <summary>Heartbeat period. Default 1 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long fanout state of a topic we publish to without subscribing lives. Default 60 s.</summary>
    public TimeSpan FanoutTtl { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Heartbeat windows kept in the message cache (mcache_len). Default 5.</summary>
    public int MessageCacheLength { get; init; } = 5;

    /// <summary>Windows of the message cache advertised in IHAVE (mcache_gossip). Default 3.</summary>
    public int MessageCacheGossip { get; init; } = 3;

    /// <summary>How long a message id is remembered to drop duplicates. Default 120 s.</summary>
    public TimeSpan SeenTtl { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Backoff sent with a PRUNE and honoured after receiving one. Default 60 s.</summary>
    public TimeSpan PruneBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Backoff sent in the PRUNEs of an unsubscribe. Default 10 s.</summary>
    public TimeSpan UnsubscribeBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Extra heartbeats waited after a backoff expires before grafting again (clock skew). Default 1.</summary>
    public int BackoffSlackHeartbeats { get; init; } = 1;

    /// <summary>A GRAFT this soon after our PRUNE's backoff started is flooding and costs an extra penalty. Default 10 s.</summary>
    public TimeSpan GraftFloodThreshold { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether PRUNEs carry peer exchange. Default true.</summary>
    public bool DoPeerExchange { get; init; } = true;

    /// <summary>How many peers a PRUNE suggests. Default 16.</summary>
    public int PrunePeers { get; init; } = 16;

    /// <summary>Publish own messages to every subscribed peer above the publish threshold, not just the mesh. Default true.</summary>
    public bool FloodPublish { get; init; } = true;

    /// <summary>Heartbeats between opportunistic grafts. Default 60.</summary>
    public int OpportunisticGraftTicks { get; init; } = 60;

    /// <summary>Peers grafted in one opportunistic graft. Default 2.</summary>
    public int OpportunisticGraftPeers { get; init; } = 2;

    /// <summary>Most message ids we ask one peer for per heartbeat, and most ids we put in one IHAVE. Default 5,000.</summary>
    public int MaxIHaveLength { get; init; } = 5_000;

    /// <summary>Most IHAVE messages we accept from one peer per heartbeat. Default 10.</summary>
    public int MaxIHaveMessages { get; init; } = 10;

    /// <summary>How long a peer has to answer our IWANT before it is a broken promise. Default 3 s.</summary>
    public TimeSpan IWantFollowupTime { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Most times we answer the same message to one peer's IWANTs (spam bound). Default 3.</summary>
    public int GossipRetransmission { get; init; } = 3;

    /// <summary>Signing policy. Default <see cref="SignaturePolicy.StrictSign"/>.</summary>
    public SignaturePolicy SignaturePolicy { get; init; } = SignaturePolicy.StrictSign;

    /// <summary>Computes message ids. Default from ‖ seqno (the go and js default).</summary>
    public Func<PubsubMessage, MessageId> MessageIdFunction { get; init; } = MessageId.FromAuthorAndSeqno;

    /// <summary>Frame decoding limits.</summary>
    public RpcLimits Limits { get; init; } = RpcLimits.Default;

    /// <summary>Largest message payload we publish or accept. Default 1 MiB minus framing room (1,000,000 bytes).</summary>
    public int MaxMessageSize { get; init; } = 1_000_000;

    /// <summary>Most topics one remote peer may be subscribed to; further subscriptions are ignored. Default 1,000.</summary>
    public int MaxTopicsPerPeer { get; init; } = 1_000;

    /// <summary>Most RPC frames queued for one peer before new ones are dropped (the adapter enforces it). Default 1,024.</summary>
    public int MaxQueuedRpcsPerPeer { get; init; } = 1_024;

    /// <summary>Most peers the router tracks; connections beyond it are ignored. Default 10,000.</summary>
    public int MaxPeers { get; init; } = 10_000;

    /// <summary>Peer scoring; null turns scoring off (every score reads 0).</summary>
    public PeerScoreParams? ScoreParams { get; init; } = new();

    /// <summary>Score thresholds, used when <see cref="ScoreParams"/> is set.</summary>
    public PeerScoreThresholds ScoreThresholds { get; init; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent parameter.</summary>
    public void Validate()
    {
        Require(DLow <= D && D <= DHigh && DLow >= 1, "D_low <= D <= D_high and D_low >= 1");
        Require(DScore >= 0 && DScore <= DHigh, "0 <= D_score <= D_high");
        Require(DOut >= 0 && DOut < DLow && DOut <= D / 2, "0 <= D_out < D_low and D_out <= D/2");
        Require(DLazy >= 0, "D_lazy >= 0");
        Require(MessageCacheGossip >= 1 && MessageCacheGossip <= MessageCacheLength, "1 <= mcache_gossip <= mcache_len");
        Require(HeartbeatInterval > TimeSpan.Zero, "heartbeat interval > 0");
        Require(GossipFactor is >= 0 and <= 1, "0 <= gossip factor <= 1");
        Require(MaxMessageSize > 0 && MaxMessageSize < Limits.MaxRpcSize, "0 < max message size < max RPC size");
        ScoreParams?.Validate();
        if (ScoreParams is not null)
        {
            ScoreThresholds.Validate();
        }
    }

    private static void Require(bool ok, string what)
    {
        if (!ok)
        {
            throw new ArgumentException("gossipsub options must satisfy " + what);
        }
    }
}
