using MessagePack;

namespace LinqP2P.Market.Messages;

/// <summary>The kinds of market message gossiped on <c>/linq/market/1</c> topics (SPEC.md §7.2).</summary>
public enum MarketMessageKind : byte
{
    JobOffer = 1,
    Bid = 2,
    Award = 3,
    ShardCompleted = 4,
    JobCancelled = 5,
}

/// <summary>
/// What every market message carries besides its body: who sent it, a per-sender nonce for replay
/// protection, and the window in which it is valid. Times are unix seconds.
/// </summary>
[MessagePackObject]
public sealed record MessageHeader(
    [property: Key(0)] byte Version,
    [property: Key(1)] MarketMessageKind Kind,
    [property: Key(2)] ulong ChainId,
    [property: Key(3)] byte[] Sender,
    [property: Key(4)] ulong Nonce,
    [property: Key(5)] long IssuedAt,
    [property: Key(6)] long ExpiresAt);

/// <summary>
/// The unit on the wire: a header, the MessagePack body of the kind it names, and the sender's EIP-712
/// signature over (kind, keccak(body), sender, nonce, issuedAt, expiresAt, chainId).
/// </summary>
[MessagePackObject]
public sealed record MarketEnvelope(
    [property: Key(0)] MessageHeader Header,
    [property: Key(1)] byte[] Body,
    [property: Key(2)] byte[] Signature);

/// <summary>Resources a job needs per shard, as offered to providers.</summary>
[MessagePackObject]
public sealed record ResourceSummary(
    [property: Key(0)] uint CpuMilli,
    [property: Key(1)] ulong MemoryBytes,
    [property: Key(2)] ulong DiskBytes,
    [property: Key(3)] uint GpuCount,
    [property: Key(4)] string? GpuModel);

/// <summary>A requester asks for bids on a job whose full spec is stored under <see cref="SpecCid"/>.</summary>
[MessagePackObject]
public sealed record JobOffer(
    [property: Key(0)] byte[] JobId,
    [property: Key(1)] string SpecCid,
    [property: Key(2)] string Image,
    [property: Key(3)] uint ShardCount,
    [property: Key(4)] uint Redundancy,
    [property: Key(5)] byte[] MaxPricePerShard,
    [property: Key(6)] ResourceSummary Resources,
    [property: Key(7)] long BidsCloseAt,
    [property: Key(8)] long Deadline,
    [property: Key(9)] string RequesterPeerId);

/// <summary>A provider offers to run up to <see cref="MaxShards"/> shards of a job at a price per shard.</summary>
[MessagePackObject]
public sealed record Bid(
    [property: Key(0)] byte[] JobId,
    [property: Key(1)] ulong ProviderId,
    [property: Key(2)] string ProviderPeerId,
    [property: Key(3)] byte[] PricePerShard,
    [property: Key(4)] uint MaxShards,
    [property: Key(5)] byte[] OfferDigest);

/// <summary>
/// The requester gives shards to a provider after locking their payment: shard <c>ShardIndices[k]</c> of
/// the job is escrow shard <c>EscrowShardIndices[k]</c> of escrow job <see cref="EscrowJobId"/>.
/// </summary>
[MessagePackObject]
public sealed record Award(
    [property: Key(0)] byte[] JobId,
    [property: Key(1)] byte[] Provider,
    [property: Key(2)] string ProviderPeerId,
    [property: Key(3)] uint[] ShardIndices,
    [property: Key(4)] byte[] PricePerShard,
    [property: Key(5)] byte[] BidDigest,
    [property: Key(6)] byte[] EscrowJobId,
    [property: Key(7)] uint[] EscrowShardIndices);

/// <summary>A provider announces a finished shard; the same result hash goes on chain.</summary>
[MessagePackObject]
public sealed record ShardCompleted(
    [property: Key(0)] byte[] JobId,
    [property: Key(1)] uint ShardIndex,
    [property: Key(2)] string ResultCid);

/// <summary>The requester withdraws an offer that has not been awarded yet.</summary>
[MessagePackObject]
public sealed record JobCancelled(
    [property: Key(0)] byte[] JobId,
    [property: Key(1)] string Reason);
