using System.Globalization;
using System.Numerics;
using LinqP2P.Core;
using LinqP2P.Market.Protocol;
using LinqP2P.Market.Specs;

namespace LinqP2P.Node.Jobs;

/// <summary>
/// A market job's identity (SPEC.md §7.3): 32 bytes chosen by the requester, written <c>0x</c> + 64 hex
/// digits. The same bytes are the escrow lock's <c>specHash</c>, which ties on-chain locks to the job.
/// </summary>
public readonly record struct JobId
{
    public const int Length = 32;
    private readonly byte[]? _bytes;

    public JobId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new InvalidJobIdException($"a job id has {Length} bytes, not {bytes.Length}");
        }
        _bytes = bytes.ToArray();
    }

    public ReadOnlySpan<byte> Span => _bytes ?? new byte[Length];

    public byte[] ToArray() => Span.ToArray();

    /// <summary>A fresh random id.</summary>
    public static JobId New() => new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(Length));

    public static JobId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (hex.Length != Length * 2 || !hex.All(Uri.IsHexDigit))
        {
            throw new InvalidJobIdException($"'{text}' is not a job id: expected 0x and 64 hex digits");
        }
        return new JobId(Convert.FromHexString(hex));
    }

    public static bool TryParse(string? text, out JobId id)
    {
        try
        {
            id = Parse(text ?? "");
            return true;
        }
        catch (InvalidJobIdException)
        {
            id = default;
            return false;
        }
    }

    public bool Equals(JobId other) => Span.SequenceEqual(other.Span);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Span);
        return h.ToHashCode();
    }

    public override string ToString() => "0x" + Convert.ToHexStringLower(Span);
}

/// <summary>A job id in text form was malformed.</summary>
public sealed class InvalidJobIdException(string message) : LinqException("jobs.invalid_id", message, retryable: false);

/// <summary>A job the caller named does not exist on this node.</summary>
public sealed class JobNotFoundException(JobId id) : LinqException("jobs.not_found", $"no job {id} on this node; list jobs with `linq jobs`", retryable: false);

/// <summary>The job is not in a state that allows the request (e.g. cancel after award, result before completion).</summary>
public sealed class JobStateException(string message) : LinqException("jobs.state", message, retryable: true);

/// <summary>How a requester wants a job traded; every default is stated.</summary>
public sealed record SubmitOptions
{
    /// <summary>How long providers may bid. Default 10 seconds.</summary>
    public TimeSpan BidWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long after the lock every shard must be completed on chain. Default: null = the spec's
    /// duration plus 5 minutes for transfers.
    /// </summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>The escrow dispute window; must lie in the contract's bounds. Default 1 hour (the devnet minimum).</summary>
    public TimeSpan DisputeWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Accept each shard as soon as its result checks out (else it releases after the window). Default true.</summary>
    public bool AutoAccept { get; init; } = true;

    /// <summary>How many times a shard whose provider failed may be awarded anew. Default 2.</summary>
    public int MaxReawards { get; init; } = 2;
}

/// <summary>Where a job stands, from the requester's side.</summary>
public enum JobState
{
    /// <summary>The offer is gossiped; bids are being collected.</summary>
    Bidding,

    /// <summary>Providers are chosen; the escrow lock is being sent.</summary>
    Awarding,

    /// <summary>Locked on chain and awarded; shards are running.</summary>
    Running,

    /// <summary>Every shard has a result; the requester is fetching and checking them.</summary>
    Verifying,

    /// <summary>Every shard is accepted or released and the outputs are joined.</summary>
    Completed,

    /// <summary>At least one shard's results disagreed; a dispute is open.</summary>
    Disputed,

    /// <summary>The job could not be completed (no bids, deadline passed without result); locked funds refunded.</summary>
    Failed,

    /// <summary>The requester withdrew the offer before an award.</summary>
    Cancelled,
}

/// <summary>One provider's run of a shard, with its chain references.</summary>
public sealed record ShardRunStatus(
    int ShardIndex,
    int Copy,
    RunPhase State,
    string? ProviderAddress,
    string? ProviderPeerId,
    ulong? ProviderId,
    BigInteger? Price,
    string? EscrowJobId,
    string? ResultCid,
    string? Error);

/// <summary>A job as the requester sees it (REST <c>GET /jobs/{id}</c>).</summary>
public sealed record JobStatus(
    JobId Id,
    string Name,
    JobState State,
    string SpecCid,
    int ShardCount,
    int Redundancy,
    BigInteger MaxPricePerShard,
    BigInteger TotalLocked,
    DateTimeOffset SubmittedAt,
    DateTimeOffset BidsCloseAt,
    DateTimeOffset? Deadline,
    IReadOnlyList<ShardRunStatus> Shards,
    IReadOnlyList<string> Transactions,
    string? ResultCid,
    string? Error);

/// <summary>Kinds of job events, for the SSE stream.</summary>
public enum JobEventKind
{
    Submitted,
    BidReceived,
    Awarded,
    Locked,
    ShardStarted,
    ShardCompleted,
    ShardFailed,
    Accepted,
    Released,
    Refunded,
    Disputed,
    Cancelled,
    Completed,
    Failed,
}

/// <summary>Something that happened to a job, with a sentence a person can read.</summary>
public sealed record JobEvent(JobId JobId, JobEventKind Kind, DateTimeOffset At, string Message, int? ShardIndex = null, string? TxHash = null)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{At:u} {JobId} {Kind}{(ShardIndex is { } i ? $" shard {i}" : "")}: {Message}");
}

/// <summary>The requester's side of the market (SPEC.md §7.4): submit, watch, cancel and collect jobs.</summary>
public interface IRequesterJobs
{
    /// <summary>Stores the spec, gossips the offer and starts the job's state machine; returns at once.</summary>
    Task<JobId> SubmitAsync(JobSpec spec, SubmitOptions options, CancellationToken cancellationToken);

    /// <summary>Every job this node submitted, newest first.</summary>
    IReadOnlyList<JobStatus> List();

    JobStatus? Get(JobId id);

    /// <summary>Withdraws a job still bidding (gossips JobCancelled). Throws <see cref="JobStateException"/> once it is locked.</summary>
    Task CancelAsync(JobId id, CancellationToken cancellationToken);

    /// <summary>
    /// The CID of the joined output directory (<c>shard-0000/…</c>, one folder per shard), once the job
    /// completed; throws <see cref="JobStateException"/> before.
    /// </summary>
    Task<string> GetResultAsync(JobId id, CancellationToken cancellationToken);

    /// <summary>
    /// A shard's container output (stdout and stderr, from the <c>_logs/</c> folder of its output), or
    /// null while the shard has no result.
    /// </summary>
    Task<ShardLogs?> GetLogsAsync(JobId id, int shardIndex, CancellationToken cancellationToken);

    /// <summary>Past events of the job(s) and then live ones until cancelled; <paramref name="filter"/> null = every job.</summary>
    IAsyncEnumerable<JobEvent> Events(JobId? filter, CancellationToken cancellationToken);
}

public sealed record ShardLogs(string Stdout, string Stderr);

/// <summary>A daily window in which the provider accepts work (UTC).</summary>
public sealed record AvailabilityWindow(IReadOnlyList<DayOfWeek> Days, TimeOnly From, TimeOnly To)
{
    public bool Contains(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        var t = TimeOnly.FromDateTime(utc);
        return (Days.Count == 0 || Days.Contains(utc.DayOfWeek)) && (From <= To ? t >= From && t < To : t >= From || t < To);
    }
}

/// <summary>What a provider accepts (SPEC.md §7.5). Defaults accept small CPU jobs all day.</summary>
public sealed record ProviderPolicy
{
    /// <summary>The least price per shard, in LNQ base units, it bids; its bids ask exactly this (capped by the offer). Default 1 LNQ.</summary>
    public BigInteger MinPricePerShard { get; init; } = TokenAmount.OneToken;

    /// <summary>Most CPU cores per shard. Default 2.</summary>
    public double MaxCpuPerShard { get; init; } = 2;

    /// <summary>Most memory per shard. Default 2 GiB.</summary>
    public long MaxMemoryBytesPerShard { get; init; } = 2L << 30;

    /// <summary>Most GPUs per shard. Default 0.</summary>
    public int MaxGpuPerShard { get; init; }

    /// <summary>Most scratch disk per shard. Default 10 GiB.</summary>
    public long MaxDiskBytesPerShard { get; init; } = 10L << 30;

    /// <summary>Most shards running at once. Default 2.</summary>
    public int MaxConcurrentShards { get; init; } = 2;

    /// <summary>When it bids; empty = always.</summary>
    public IReadOnlyList<AvailabilityWindow> Availability { get; init; } = [];

    /// <summary>
    /// Images it runs: exact references, <c>prefix*</c> patterns, or <c>ipfs://CID</c>; <c>*</c> = any
    /// (default: <c>ipfs://*</c> and <c>*</c>).
    /// </summary>
    public IReadOnlyList<string> AllowedImages { get; init; } = ["*"];

    /// <summary>Whether an image reference is allowed by <see cref="AllowedImages"/>.</summary>
    public bool AllowsImage(string image) =>
        AllowedImages.Any(p => p == "*" || p == image || (p.EndsWith('*') && image.StartsWith(p[..^1], StringComparison.Ordinal)));

    public bool IsAvailable(DateTimeOffset at) => Availability.Count == 0 || Availability.Any(w => w.Contains(at));
}

/// <summary>A shard this provider is running or finished recently.</summary>
public sealed record ProviderShardStatus(JobId JobId, string EscrowJobId, int ShardIndex, string State, DateTimeOffset Since, string? ResultCid, string? Error);

/// <summary>The provider's side at a glance (REST <c>GET /provider</c>).</summary>
public sealed record ProviderStatus(
    bool Registered,
    ulong? ProviderId,
    int RunningShards,
    int MaxConcurrentShards,
    IReadOnlyList<ProviderShardStatus> Shards,
    BigInteger EarnedClaimed,
    BigInteger EarnedPending,
    int BidsSent,
    int ShardsCompleted,
    int ShardsFailed);

/// <summary>The provider's side of the market (SPEC.md §7.5).</summary>
public interface IProviderMarket
{
    ProviderPolicy Policy { get; }

    /// <summary>Replaces the policy (persisted); applies to the next offer, running shards are kept.</summary>
    void SetPolicy(ProviderPolicy policy);

    ProviderStatus Status();
}
