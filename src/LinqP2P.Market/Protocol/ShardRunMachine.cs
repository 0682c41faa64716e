namespace LinqP2P.Market.Protocol;

/// <summary>Where one provider's run of one shard stands, from the requester's side (SPEC.md §7.4).</summary>
public enum RunPhase
{
    Pending,
    Awarded,
    Locked,
    Running,
    Completed,
    Verified,
    Accepted,
    Released,
    Failed,
    Refunded,
    Disputed,
}

/// <summary>
/// The legal moves of a shard run (SPEC.md §7.4). Accepted, Released, Refunded and Disputed are final (the
/// escrow pays a shard at most once; a disputed shard leaves only through the court); Failed is final for
/// the run, and a re-award starts a new run.
/// </summary>
public static class ShardRunMachine
{
    private static readonly Dictionary<RunPhase, RunPhase[]> Moves = new()
    {
        [RunPhase.Pending] = [RunPhase.Awarded, RunPhase.Failed],
        [RunPhase.Awarded] = [RunPhase.Locked, RunPhase.Failed],
        [RunPhase.Locked] = [RunPhase.Running, RunPhase.Completed, RunPhase.Refunded],
        [RunPhase.Running] = [RunPhase.Completed, RunPhase.Refunded],
        [RunPhase.Completed] = [RunPhase.Verified, RunPhase.Disputed, RunPhase.Released, RunPhase.Failed],
        [RunPhase.Verified] = [RunPhase.Accepted, RunPhase.Released, RunPhase.Disputed],
        [RunPhase.Failed] = [RunPhase.Refunded],
        [RunPhase.Accepted] = [],
        [RunPhase.Released] = [],
        [RunPhase.Refunded] = [],
        [RunPhase.Disputed] = [],
    };

    public static bool CanMove(RunPhase from, RunPhase to) => Moves[from].Contains(to);

    public static IReadOnlyList<RunPhase> Next(RunPhase from) => Moves[from];

    /// <summary>Money has left the escrow for this run (to the provider or back to the requester), or the court holds it.</summary>
    public static bool IsFinal(RunPhase phase) => Moves[phase].Length == 0;

    /// <summary>The provider was (or will be) paid for this run.</summary>
    public static bool IsPaid(RunPhase phase) => phase is RunPhase.Accepted or RunPhase.Released;

    /// <summary>Moves a run, or throws when the move is not legal.</summary>
    public static RunPhase Move(RunPhase from, RunPhase to) =>
        CanMove(from, to) ? to : throw new InvalidOperationException($"a shard run cannot move from {from} to {to}");

    /// <summary>
    /// Which runs of one shard to accept and which to dispute, given their result hashes (SPEC.md §7.4):
    /// a strict majority hash is accepted and the others disputed; without a strict majority (e.g. two
    /// copies that disagree) every run is disputed and none accepted.
    /// </summary>
    public static (IReadOnlyList<int> Accept, IReadOnlyList<int> Dispute) Compare(IReadOnlyList<string> resultHashes)
    {
        ArgumentNullException.ThrowIfNull(resultHashes);
        var groups = resultHashes.Select((h, i) => (h, i)).GroupBy(x => x.h, StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(g => g.Count()).ToList();
        if (groups.Count == 0)
        {
            return ([], []);
        }
        if (groups[0].Count() * 2 > resultHashes.Count)
        {
            return (groups[0].Select(x => x.i).ToList(), groups.Skip(1).SelectMany(g => g.Select(x => x.i)).ToList());
        }
        return ([], Enumerable.Range(0, resultHashes.Count).ToList());
    }
}
