using LinqP2P.Market.Protocol;
using LiteDB;

namespace LinqP2P.Node.Market;

#pragma warning disable CA2227, CA1002 // LiteDB maps documents through settable list properties

/// <summary>A bid the requester received (persisted with its job).</summary>
public sealed class BidDoc
{
    public string Provider { get; set; } = "";
    public ulong ProviderId { get; set; }
    public string PeerId { get; set; } = "";
    public string Price { get; set; } = "0";
    public int MaxShards { get; set; }
    public int SuccessRateBps { get; set; }
    public int Order { get; set; }
    public string Digest { get; set; } = "";
}

/// <summary>One provider's run of one shard, from the requester's side.</summary>
public sealed class RunDoc
{
    public int Shard { get; set; }
    public int Copy { get; set; }
    public RunPhase Phase { get; set; }
    public string Provider { get; set; } = "";
    public ulong ProviderId { get; set; }
    public string PeerId { get; set; } = "";
    public string Price { get; set; } = "0";
    public string BidDigest { get; set; } = "";
    public string? EscrowJobId { get; set; }
    public int EscrowShard { get; set; } = -1;
    public bool AwardSent { get; set; }
    public string? ResultCid { get; set; }
    public string? ResultHash { get; set; }
    public string? Error { get; set; }
}

/// <summary>A job this node requested: the whole requester state machine's state, one document.</summary>
public sealed class RequesterJobDoc
{
    [BsonId]
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string SpecCid { get; set; } = "";
    public string Image { get; set; } = "";
    public int ShardCount { get; set; }
    public int Redundancy { get; set; }
    public string MaxPrice { get; set; } = "0";
    public string State { get; set; } = "";
    public DateTime SubmittedAt { get; set; }
    public DateTime BidsCloseAt { get; set; }
    public long DeadlineSeconds { get; set; }
    public long DisputeWindowSeconds { get; set; }
    public bool AutoAccept { get; set; }
    public int MaxReawards { get; set; }
    public int Reawards { get; set; }
    public long? ChainDeadline { get; set; }
    public string OfferDigest { get; set; } = "";
    public string? ResultCid { get; set; }
    public string? Error { get; set; }
    public List<BidDoc> Bids { get; set; } = [];
    public List<RunDoc> Runs { get; set; } = [];
    public List<string> Transactions { get; set; } = [];

    /// <summary>Result CIDs announced by providers, keyed "provider/shard", before the chain shows the completion.</summary>
    public Dictionary<string, string> Announced { get; set; } = [];
}

/// <summary>An offer a provider saw (kept so an award can be matched to its spec and requester).</summary>
public sealed class SeenOfferDoc
{
    [BsonId]
    public string JobId { get; set; } = "";
    public string SpecCid { get; set; } = "";
    public string Image { get; set; } = "";
    public string Requester { get; set; } = "";
    public string RequesterPeerId { get; set; } = "";
    public int ShardCount { get; set; }
    public string Digest { get; set; } = "";
    public bool BidSent { get; set; }
    public DateTime SeenAt { get; set; }
}

/// <summary>One shard this provider was awarded, through its whole life until claimed.</summary>
public sealed class ProviderShardDoc
{
    [BsonId]
    public string Id { get; set; } = "";
    public string JobId { get; set; } = "";
    public string EscrowJobId { get; set; } = "";
    public int EscrowShard { get; set; }
    public int Shard { get; set; }
    public int ShardCount { get; set; }
    public string SpecCid { get; set; } = "";
    public string RequesterPeerId { get; set; } = "";
    public string Price { get; set; } = "0";
    public string State { get; set; } = "";
    public DateTime Since { get; set; }
    public string? ResultCid { get; set; }
    public long? CompletedAt { get; set; }
    public long DisputeWindow { get; set; }
    public string? Error { get; set; }
    public string? Paid { get; set; }
}

public sealed class EventDoc
{
    public int Id { get; set; }
    public string JobId { get; set; } = "";
    public string Kind { get; set; } = "";
    public DateTime At { get; set; }
    public string Message { get; set; } = "";
    public int? Shard { get; set; }
    public string? Tx { get; set; }
}

public sealed class SettingDoc
{
    [BsonId]
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
}

#pragma warning restore CA2227, CA1002

/// <summary>
/// The market's state in one LiteDB file per node (<c>market.db</c> in the data directory). Every
/// transition is written before the action that depends on it, so a node killed at any step resumes from
/// the file and the chain (SPEC.md §7.6).
/// </summary>
public sealed class MarketStore : IDisposable
{
    private readonly LiteDatabase _db;
    private readonly Lock _lock = new();

    public MarketStore(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        _db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct });
        _db.GetCollection<EventDoc>("events").EnsureIndex(e => e.JobId);
    }

    public ILiteCollection<RequesterJobDoc> Jobs => _db.GetCollection<RequesterJobDoc>("requester_jobs");

    public ILiteCollection<SeenOfferDoc> Offers => _db.GetCollection<SeenOfferDoc>("seen_offers");

    public ILiteCollection<ProviderShardDoc> ProviderShards => _db.GetCollection<ProviderShardDoc>("provider_shards");

    public ILiteCollection<EventDoc> Events => _db.GetCollection<EventDoc>("events");

    public ILiteCollection<SettingDoc> Settings => _db.GetCollection<SettingDoc>("settings");

    /// <summary>Runs a read-modify-write under the store's lock.</summary>
    public T Atomically<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_lock)
        {
            return action();
        }
    }

    public void Dispose() => _db.Dispose();
}
