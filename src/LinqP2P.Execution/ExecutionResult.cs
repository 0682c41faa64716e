namespace LinqP2P.Execution;

/// <summary>How a run ended. Faults before the container started are exceptions, not outcomes.</summary>
public enum ExecutionOutcome
{
    /// <summary>Exited with code 0.</summary>
    Succeeded,

    /// <summary>Exited with a non-zero code.</summary>
    Failed,

    /// <summary>Killed after <see cref="ResourceLimits.MaxDuration"/>.</summary>
    TimedOut,

    /// <summary>The kernel OOM killer killed a process of the job (memory limit reached).</summary>
    OutOfMemory,

    /// <summary>The caller cancelled the run; the container was killed.</summary>
    Cancelled,
}

/// <summary>What a run produced. See SPEC.md §8.5.</summary>
public sealed record ExecutionResult
{
    public required string JobId { get; init; }

    public required int ShardIndex { get; init; }

    public required ExecutionOutcome Outcome { get; init; }

    /// <summary>The main process' exit code; null when it was never observed (cancelled before exit).</summary>
    public long? ExitCode { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset FinishedAt { get; init; }

    public TimeSpan Duration => FinishedAt - StartedAt;

    /// <summary>
    /// A folder owned by the caller holding the collected outputs, laid out as under <c>/linq/out</c>.
    /// The caller deletes it when done.
    /// </summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The collected regular files, relative to <see cref="OutputDirectory"/>, with '/' separators.</summary>
    public required IReadOnlyList<CollectedOutput> Outputs { get; init; }

    /// <summary>Paths the job produced that were not collected, and why (symlink, over the size cap, ...).</summary>
    public required IReadOnlyList<SkippedOutput> SkippedOutputs { get; init; }

    /// <summary>The last <see cref="ResourceLimits.LogTailBytes"/> bytes of stdout and stderr, interleaved as they arrived.</summary>
    public required string LogTail { get; init; }

    /// <summary>Total log bytes the job wrote (including those dropped from the tail and the sink).</summary>
    public long LogBytes { get; init; }

    /// <summary>Usage sampled while the job ran, when the executor could observe it.</summary>
    public ResourceUsage? Usage { get; init; }
}

public sealed record CollectedOutput(string Path, long Bytes);

public sealed record SkippedOutput(string Path, string Reason);

/// <summary>Peak and total figures sampled during the run.</summary>
public sealed record ResourceUsage(long PeakMemoryBytes, TimeSpan CpuTime, long PeakPids);
