using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>Protocol ids a peer may speak (SPEC.md §5 Gossipsub); the adapter tells the router which one was negotiated.</summary>
public enum GossipsubProtocol
{
    /// <summary>/meshsub/1.0.0: no peer exchange, no backoff field in PRUNE.</summary>
    MeshsubV10,

    /// <summary>/meshsub/1.1.0.</summary>
    MeshsubV11,
}

/// <summary>The protocol id strings, newest first (the order we offer them in).</summary>
public static class GossipsubProtocolIds
{
    public const string MeshsubV11 = "/meshsub/1.1.0";
    public const string MeshsubV10 = "/meshsub/1.0.0";

    public static IReadOnlyList<string> All { get; } = [MeshsubV11, MeshsubV10];

    public static GossipsubProtocol? Parse(string id) => id switch
    {
        MeshsubV11 => GossipsubProtocol.MeshsubV11,
        MeshsubV10 => GossipsubProtocol.MeshsubV10,
        _ => null,
    };
}

/// <summary>A topic validator's verdict (gossipsub v1.1 §Extended validators).</summary>
public enum ValidationResult
{
    /// <summary>Deliver to the application and forward.</summary>
    Accept,

    /// <summary>Invalid: drop, do not forward, and penalise the peers that sent it (P4).</summary>
    Reject,

    /// <summary>Not useful but not malicious: drop without penalty.</summary>
    Ignore,
}

/// <summary>A message as the application sees it.</summary>
/// <param name="Id">The message id.</param>
/// <param name="Topic">The topic it was published to.</param>
/// <param name="Data">The payload.</param>
/// <param name="Author">The signing author (null under StrictNoSign).</param>
/// <param name="Seqno">The author's sequence number bytes (null under StrictNoSign).</param>
/// <param name="ReceivedFrom">The peer that forwarded it to us.</param>
public sealed record GossipsubMessage(MessageId Id, string Topic, byte[] Data, PeerId? Author, byte[]? Seqno, PeerId ReceivedFrom);

/// <summary>What a router asks its host to do. Drained with <see cref="GossipsubRouter.TakeOutputs"/>.</summary>
public abstract record GossipsubOutput;

/// <summary>Write <paramref name="Rpc"/> to <paramref name="Peer"/>'s gossipsub stream.</summary>
public sealed record SendRpc(PeerId Peer, Rpc Rpc) : GossipsubOutput;

/// <summary>A validated message for the application.</summary>
public sealed record DeliverMessage(GossipsubMessage Message) : GossipsubOutput;

/// <summary>A peer's score moved by at least 1 or crossed a threshold since the last heartbeat.</summary>
public sealed record PeerScoreChanged(PeerId Peer, double OldScore, double NewScore) : GossipsubOutput;

/// <summary>Peer exchange from a well-scored peer suggested connecting to <paramref name="Peer"/>.</summary>
public sealed record PeerExchangeSuggested(PeerId Peer, byte[]? SignedPeerRecord, string Topic) : GossipsubOutput;

/// <summary>The outcome of a local publish.</summary>
/// <param name="Id">The message id.</param>
/// <param name="PeersSentTo">How many peers it was sent to (0 means nobody will see it unless peers arrive and ask via gossip).</param>
public sealed record PublishResult(MessageId Id, int PeersSentTo);
