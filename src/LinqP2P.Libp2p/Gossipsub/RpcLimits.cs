namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>
/// Bounds the decoder enforces on every inbound frame, so that one peer cannot make us allocate or
/// iterate without limit. A frame over any bound is rejected whole (SPEC.md §5 Gossipsub, limits).
/// </summary>
public sealed record RpcLimits
{
    /// <summary>Largest RPC frame in bytes. Default 1 MiB (go-libp2p-pubsub's default).</summary>
    public int MaxRpcSize { get; init; } = 1 << 20;

    /// <summary>Most subscription changes in one frame. Default 1,000.</summary>
    public int MaxSubscriptions { get; init; } = 1_000;

    /// <summary>Most published messages in one frame. Default 1,000.</summary>
    public int MaxMessages { get; init; } = 1_000;

    /// <summary>Most message ids across all IHAVE entries of a frame (the spec's MaxIHaveLength). Default 5,000.</summary>
    public int MaxIHaveIds { get; init; } = 5_000;

    /// <summary>Most message ids across all IWANT entries of a frame. Default 5,000.</summary>
    public int MaxIWantIds { get; init; } = 5_000;

    /// <summary>Most GRAFT plus PRUNE entries in one frame. Default 1,000.</summary>
    public int MaxGraftPrune { get; init; } = 1_000;

    /// <summary>Most peers in one PRUNE's peer exchange list. Default 64.</summary>
    public int MaxPeerExchange { get; init; } = 64;

    /// <summary>Longest topic name in UTF-8 bytes. Default 1,024.</summary>
    public int MaxTopicLength { get; init; } = 1_024;

    /// <summary>Longest message id in bytes. Default 512.</summary>
    public int MaxMessageIdLength { get; init; } = 512;

    /// <summary>Longest peer id, seqno, signature or key field. Default 4,096 (RSA keys are the largest).</summary>
    public int MaxIdentityFieldLength { get; init; } = 4_096;

    public static RpcLimits Default { get; } = new();
}
