using LinqP2P.Core;
using LinqP2P.Multiformats;
using MessagePack;

namespace LinqP2P.Market.Messages;

/// <summary>A market message was malformed, oversized or inconsistent; the sender is at fault.</summary>
public sealed class InvalidMarketMessageException : LinqException
{
    public InvalidMarketMessageException(string code, string message, Exception? inner = null)
        : base("market." + code, message, retryable: false, inner) { }
}

/// <summary>
/// MessagePack encoding of market messages with the limits of SPEC.md §7.2. Decoding treats every byte as
/// hostile: sizes are checked before parsing, MessagePack runs with its untrusted-data settings, and each
/// body is checked for shape (lengths, ranges, CIDs) before anyone acts on it.
/// </summary>
public static class MarketCodec
{
    public const byte Version = 1;
    public const int MaxEnvelopeBytes = 64 * 1024;
    public const int MaxBodyBytes = 48 * 1024;
    public const int SignatureLength = 65;
    public const int AddressLength = 20;
    public const int JobIdLength = 32;
    public const int MaxShardCount = 10_000;
    public const int MaxRedundancy = 5;
    public const int MaxTextLength = 512;

    private static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(8));

    public static byte[] EncodeEnvelope(MarketEnvelope envelope) => MessagePackSerializer.Serialize(envelope, Options);

    public static byte[] EncodeBody<T>(T body) => MessagePackSerializer.Serialize(body, Options);

    /// <summary>Decodes and shape-checks an envelope (not its signature, time window or body).</summary>
    public static MarketEnvelope DecodeEnvelope(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.Length > MaxEnvelopeBytes)
        {
            throw new InvalidMarketMessageException("too_large", $"a market message of {bytes.Length} bytes exceeds {MaxEnvelopeBytes}");
        }
        var envelope = Deserialize<MarketEnvelope>(bytes, "envelope");
        var h = envelope.Header ?? throw new InvalidMarketMessageException("malformed", "the envelope has no header");
        Require(h.Version == Version, "version", $"message version {h.Version} is not supported (this node speaks {Version})");
        Require(Enum.IsDefined(h.Kind), "kind", $"message kind {(byte)h.Kind} is unknown");
        Require(h.Sender is { Length: AddressLength }, "sender", "the sender must be a 20-byte address");
        Require(envelope.Body is { Length: > 0 and <= MaxBodyBytes }, "body", $"the body must have 1 to {MaxBodyBytes} bytes");
        Require(envelope.Signature is { Length: SignatureLength }, "signature", "the signature must have 65 bytes (r, s, v)");
        Require(h.ExpiresAt > h.IssuedAt, "window", "a message must expire after it was issued");
        return envelope;
    }

    /// <summary>Decodes the body an envelope's header names, and checks its shape.</summary>
    public static object DecodeBody(MarketEnvelope envelope) => envelope.Header.Kind switch
    {
        MarketMessageKind.JobOffer => Check(Deserialize<JobOffer>(envelope.Body, "job offer")),
        MarketMessageKind.Bid => Check(Deserialize<Bid>(envelope.Body, "bid")),
        MarketMessageKind.Award => Check(Deserialize<Award>(envelope.Body, "award")),
        MarketMessageKind.ShardCompleted => Check(Deserialize<ShardCompleted>(envelope.Body, "shard completion")),
        MarketMessageKind.JobCancelled => Check(Deserialize<JobCancelled>(envelope.Body, "job cancellation")),
        _ => throw new InvalidMarketMessageException("kind", $"message kind {(byte)envelope.Header.Kind} is unknown"),
    };

    private static JobOffer Check(JobOffer o)
    {
        JobId(o.JobId);
        CidText(o.SpecCid, "spec CID");
        Text(o.Image, "image");
        PeerIdText(o.RequesterPeerId);
        Require(o.ShardCount is >= 1 and <= MaxShardCount, "shards", $"a job has 1 to {MaxShardCount} shards");
        Require(o.Redundancy is >= 1 and <= MaxRedundancy, "redundancy", $"redundancy is 1 to {MaxRedundancy}");
        Amount(o.MaxPricePerShard);
        Require(o.Resources is not null, "resources", "a job offer names its resources");
        Require(o.Resources!.CpuMilli > 0 && o.Resources.MemoryBytes > 0, "resources", "a job needs some CPU and memory");
        if (o.Resources.GpuModel is not null)
        {
            Text(o.Resources.GpuModel, "GPU model");
        }
        Require(o.Deadline > o.BidsCloseAt, "deadline", "the deadline must come after bidding closes");
        return o;
    }

    private static Bid Check(Bid b)
    {
        JobId(b.JobId);
        PeerIdText(b.ProviderPeerId);
        Amount(b.PricePerShard);
        Require(b.MaxShards is >= 1 and <= MaxShardCount, "shards", $"a bid covers 1 to {MaxShardCount} shards");
        Require(b.OfferDigest is { Length: 32 }, "offer", "a bid names the 32-byte digest of the offer it answers");
        return b;
    }

    private static Award Check(Award a)
    {
        JobId(a.JobId);
        Require(a.Provider is { Length: AddressLength }, "provider", "the provider must be a 20-byte address");
        PeerIdText(a.ProviderPeerId);
        Amount(a.PricePerShard);
        Require(a.BidDigest is { Length: 32 }, "bid", "an award names the 32-byte digest of the bid it accepts");
        Require(a.ShardIndices is { Length: >= 1 and <= MaxShardCount }, "shards", $"an award gives 1 to {MaxShardCount} shards");
        Require(a.ShardIndices!.All(i => i < MaxShardCount) && a.ShardIndices.Distinct().Count() == a.ShardIndices.Length, "shards", "shard indices must be distinct and in range");
        Amount(a.EscrowJobId);
        Require(a.EscrowShardIndices is not null && a.EscrowShardIndices.Length == a.ShardIndices.Length, "escrow", "an award names one escrow shard per shard");
        Require(a.EscrowShardIndices!.All(i => i < MaxShardCount * MaxRedundancy) && a.EscrowShardIndices!.Distinct().Count() == a.EscrowShardIndices!.Length, "escrow", "escrow shard indices must be distinct and in range");
        return a;
    }

    private static ShardCompleted Check(ShardCompleted s)
    {
        JobId(s.JobId);
        Require(s.ShardIndex < MaxShardCount, "shards", "shard index out of range");
        CidText(s.ResultCid, "result CID");
        return s;
    }

    private static JobCancelled Check(JobCancelled c)
    {
        JobId(c.JobId);
        Text(c.Reason, "reason");
        return c;
    }

    private static T Deserialize<T>(ReadOnlyMemory<byte> bytes, string what)
    {
        try
        {
            var value = MessagePackSerializer.Deserialize<T>(bytes, Options, out var read);
            Require(read == bytes.Length, "trailing", $"bytes follow the {what}");
            return value ?? throw new InvalidMarketMessageException("malformed", $"the {what} is nil");
        }
        catch (MessagePackSerializationException e)
        {
            throw new InvalidMarketMessageException("malformed", $"the {what} is not valid MessagePack of the expected shape: {e.Message}", e);
        }
    }

    private static void JobId(byte[]? id) => Require(id is { Length: JobIdLength }, "job_id", "a job id has 32 bytes");

    private static void Amount(byte[]? amount) =>
        Require(amount is { Length: >= 1 and <= 32 } && amount.Any(b => b != 0), "price", "a price is a positive uint256 of at most 32 big-endian bytes");

    private static void Text(string? s, string what) =>
        Require(s is { Length: >= 1 and <= MaxTextLength }, "text", $"the {what} must have 1 to {MaxTextLength} characters");

    private static void CidText(string? s, string what)
    {
        Text(s, what);
        Require(Cid.TryParse(s, out _), "cid", $"the {what} '{s}' is not a valid CID");
    }

    private static void PeerIdText(string? s)
    {
        Text(s, "peer id");
        try
        {
            // A peer id is a base58btc multihash (identity for Ed25519 keys, sha2-256 for larger ones).
            Multihash.Decode(Base58Btc.Decode(s));
        }
        catch (MultiformatException e)
        {
            throw new InvalidMarketMessageException("peer_id", $"'{s}' is not a peer id: {e.Message}", e);
        }
    }

    private static void Require(bool condition, string code, string message)
    {
        if (!condition)
        {
            throw new InvalidMarketMessageException(code, message);
        }
    }
}
