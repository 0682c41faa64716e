using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Gossipsub;

// The gossipsub RPC (pubsub/gossipsub/gossipsub-v1.1.md, rpc.proto). Plain objects: the codec in
// RpcCodec.cs turns them into protobuf and back with size limits. A null byte[] field is absent on the
// wire; an empty one is present with length zero, which matters because signatures cover the encoding.

/// <summary>One RPC frame: subscription changes, published messages and control messages.</summary>
public sealed class Rpc
{
    public List<SubscriptionChange> Subscriptions { get; } = [];

    public List<PubsubMessage> Messages { get; } = [];

    /// <summary>Null when the frame carries no control part.</summary>
    public ControlMessage? Control { get; set; }

    public bool IsEmpty => Subscriptions.Count == 0 && Messages.Count == 0 && (Control is null || Control.IsEmpty);
}

/// <summary>SubOpts: the sender joins (<see cref="Subscribe"/>) or leaves <see cref="Topic"/>.</summary>
public sealed record SubscriptionChange(bool Subscribe, string Topic);

/// <summary>A published message. <see cref="From"/> is the author's peer id bytes (a multihash).</summary>
public sealed class PubsubMessage
{
    public byte[]? From { get; set; }

    public byte[]? Data { get; set; }

    /// <summary>8 bytes, big-endian, unique per author.</summary>
    public byte[]? Seqno { get; set; }

    public string Topic { get; set; } = "";

    public byte[]? Signature { get; set; }

    /// <summary>The author's protobuf public key, present only when it cannot be inlined in the peer id.</summary>
    public byte[]? Key { get; set; }
}

/// <summary>The control part of an RPC.</summary>
public sealed class ControlMessage
{
    public List<ControlIHave> IHave { get; } = [];

    public List<ControlIWant> IWant { get; } = [];

    public List<ControlGraft> Graft { get; } = [];

    public List<ControlPrune> Prune { get; } = [];

    public bool IsEmpty => IHave.Count == 0 && IWant.Count == 0 && Graft.Count == 0 && Prune.Count == 0;
}

/// <summary>The sender has these messages of <see cref="Topic"/> in its cache.</summary>
public sealed record ControlIHave(string Topic, IReadOnlyList<MessageId> MessageIds);

/// <summary>The sender asks for these messages (answering an IHAVE).</summary>
public sealed record ControlIWant(IReadOnlyList<MessageId> MessageIds);

/// <summary>The sender added the receiver to its mesh for <see cref="Topic"/>.</summary>
public sealed record ControlGraft(string Topic);

/// <summary>
/// The sender removed the receiver from its mesh for <see cref="Topic"/>; <see cref="Peers"/> is peer
/// exchange (v1.1) and <see cref="BackoffSeconds"/> how long the receiver must wait before grafting again.
/// </summary>
public sealed record ControlPrune(string Topic, IReadOnlyList<PeerExchangeInfo> Peers, ulong? BackoffSeconds);

/// <summary>A peer suggested in a PRUNE: its id bytes and optionally a signed peer record envelope.</summary>
public sealed record PeerExchangeInfo(byte[]? PeerId, byte[]? SignedPeerRecord);
