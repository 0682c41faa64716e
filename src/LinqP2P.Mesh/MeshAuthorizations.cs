using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Mesh;

/// <summary>
/// Who runs which shard of which job, as the market engine awarded it: the only authority the mesh
/// accepts (SPEC.md §8.8). A mesh stream for job J from shard S is accepted only from the peer that
/// <see cref="Allow"/> named for (J, S); an outgoing link to shard T dials the peer named for (J, T).
/// Thread-safe.
/// </summary>
public sealed class MeshAuthorizations
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<int, PeerId>> _jobs = new(StringComparer.Ordinal);

    /// <summary>Raised after <see cref="Revoke"/> removed a job; the mesh service resets its open links.</summary>
    public event EventHandler<string>? Revoked;

    /// <summary>
    /// Records that <paramref name="peer"/> runs <paramref name="shards"/> of <paramref name="jobId"/>
    /// (our own peer id included, for the shards we run). Calls add up; naming a shard again moves it to
    /// the new peer (a re-award), which affects new links only.
    /// </summary>
    public void Allow(string jobId, PeerId peer, params IEnumerable<int> shards)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!MeshHeader.IsValidJobId(jobId))
        {
            throw new ArgumentException("the job id must be 1-128 characters of letters, digits, '.', '-', '_'", nameof(jobId));
        }
        var list = shards.ToList();
        foreach (var shard in list)
        {
            if (shard is < 0 or >= MeshHeader.MaxShards)
            {
                throw new ArgumentOutOfRangeException(nameof(shards), shard, $"shard indices are 0-{MeshHeader.MaxShards - 1}");
            }
        }
        lock (_lock)
        {
            if (!_jobs.TryGetValue(jobId, out var job))
            {
                _jobs[jobId] = job = [];
            }
            foreach (var shard in list)
            {
                job[shard] = peer;
            }
        }
    }

    /// <summary>
    /// Forgets the job: new links are refused and the mesh service resets the open ones. Call it when
    /// the job ends, is cancelled or is disputed. False when the job was not known.
    /// </summary>
    public bool Revoke(string jobId)
    {
        bool removed;
        lock (_lock)
        {
            removed = _jobs.Remove(jobId);
        }
        if (removed)
        {
            Revoked?.Invoke(this, jobId);
        }
        return removed;
    }

    /// <summary>The peer awarded <paramref name="shard"/> of the job, or null.</summary>
    public PeerId? PeerOf(string jobId, int shard)
    {
        lock (_lock)
        {
            return _jobs.TryGetValue(jobId, out var job) && job.TryGetValue(shard, out var peer) ? peer : null;
        }
    }

    /// <summary>True when <paramref name="peer"/> is the one awarded <paramref name="shard"/> of the job.</summary>
    public bool IsAllowed(string jobId, PeerId peer, int shard) => PeerOf(jobId, shard) == peer;

    /// <summary>True while the job has any award recorded.</summary>
    public bool Knows(string jobId)
    {
        lock (_lock)
        {
            return _jobs.ContainsKey(jobId);
        }
    }
}
