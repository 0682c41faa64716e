using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LinqP2P.Market.Specs;
using LinqP2P.Node.Jobs;

namespace LinqP2P.Node.Tests;

/// <summary>
/// A unit-test stand-in for the engine's facades, so the API's routing, validation and error mapping can be
/// tested without a chain; only the HTTP layer is under test here, never the engines behind the facade.
/// </summary>
internal sealed class InMemoryJobs : IRequesterJobs
{
    private readonly List<JobStatus> _jobs = [];
    private readonly Channel<JobEvent> _live = Channel.CreateUnbounded<JobEvent>();

    public List<JobSpec> Submitted { get; } = [];

    public Task<JobId> SubmitAsync(JobSpec spec, SubmitOptions options, CancellationToken cancellationToken)
    {
        var id = JobId.New();
        Submitted.Add(spec);
        var now = DateTimeOffset.UtcNow;
        lock (_jobs)
        {
            _jobs.Insert(0, new JobStatus(id, spec.Name, JobState.Bidding, "bafkqaaa", spec.Shards.Count, spec.Redundancy, spec.PricePerShard.BaseUnits, 0,
                now, now + options.BidWindow, null, [], [], null, null));
        }
        _live.Writer.TryWrite(new JobEvent(id, JobEventKind.Submitted, now, "offer gossiped"));
        return Task.FromResult(id);
    }

    public IReadOnlyList<JobStatus> List()
    {
        lock (_jobs)
        {
            return _jobs.ToList();
        }
    }

    public JobStatus? Get(JobId id)
    {
        lock (_jobs)
        {
            return _jobs.FirstOrDefault(j => j.Id == id);
        }
    }

    public Task CancelAsync(JobId id, CancellationToken cancellationToken)
    {
        lock (_jobs)
        {
            var i = _jobs.FindIndex(j => j.Id == id);
            if (_jobs[i].State != JobState.Bidding)
            {
                throw new JobStateException($"job {id} is {_jobs[i].State}; only a job still bidding can be cancelled");
            }
            _jobs[i] = _jobs[i] with { State = JobState.Cancelled };
        }
        _live.Writer.TryWrite(new JobEvent(id, JobEventKind.Cancelled, DateTimeOffset.UtcNow, "cancelled by the requester"));
        return Task.CompletedTask;
    }

    public Task<string> GetResultAsync(JobId id, CancellationToken cancellationToken) =>
        throw new JobStateException($"job {id} has no result yet; wait for it to complete (`linq status`)");

    public Task<ShardLogs?> GetLogsAsync(JobId id, int shardIndex, CancellationToken cancellationToken) =>
        Task.FromResult<ShardLogs?>(shardIndex == 0 ? new ShardLogs("hello\n", "") : null);

    public async IAsyncEnumerable<JobEvent> Events(JobId? filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in _live.Reader.ReadAllAsync(cancellationToken))
        {
            if (filter is null || filter == e.JobId)
            {
                yield return e;
            }
        }
    }
}

internal sealed class InMemoryProviderMarket : IProviderMarket
{
    public ProviderPolicy Policy { get; private set; } = new();

    public void SetPolicy(ProviderPolicy policy) => Policy = policy;

    public ProviderStatus Status() => new(false, null, 0, Policy.MaxConcurrentShards, [], 0, 0, 0, 0, 0);
}
