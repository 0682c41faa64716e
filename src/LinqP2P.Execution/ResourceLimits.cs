namespace LinqP2P.Execution;

/// <summary>
/// What one shard may use. Every limit is enforced by the executor (the kernel for CPU, memory, pids and
/// scratch; the executor for duration, outputs and logs). Defaults are conservative; the market sets
/// the real values from the job spec. See SPEC.md §8.3.
/// </summary>
public sealed record ResourceLimits
{
    public const long MiB = 1024 * 1024;

    /// <summary>CPU in billionths of a core (Docker NanoCPUs). Default 1 core.</summary>
    public long NanoCpus { get; init; } = 1_000_000_000;

    /// <summary>Memory limit in bytes; swap is not allowed on top of it. Default 512 MiB, minimum 6 MiB (Docker's floor).</summary>
    public long MemoryBytes { get; init; } = 512 * MiB;

    /// <summary>Maximum processes and threads in the container. Default 256.</summary>
    public long PidsLimit { get; init; } = 256;

    /// <summary>Size of the tmpfs scratch at <c>/tmp</c> (counts toward memory). Default 64 MiB.</summary>
    public long ScratchBytes { get; init; } = 64 * MiB;

    /// <summary>Number of GPUs; 0 (default) means none. Mutually exclusive with <see cref="GpuIds"/>.</summary>
    public int GpuCount { get; init; }

    /// <summary>Specific GPU ids or UUIDs (as <c>nvidia-smi</c> lists them); empty means none.</summary>
    public IReadOnlyList<string> GpuIds { get; init; } = [];

    /// <summary>Wall-clock limit from start to exit; the container is killed after it. Default 1 hour.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Total bytes of outputs collected; files beyond it are skipped and reported. Default 1 GiB.</summary>
    public long MaxOutputBytes { get; init; } = 1024 * MiB;

    /// <summary>Number of output entries (files and folders) collected. Default 10,000.</summary>
    public int MaxOutputFiles { get; init; } = 10_000;

    /// <summary>Bytes of log kept in <see cref="ExecutionResult.LogTail"/> (the last ones). Default 64 KiB.</summary>
    public int LogTailBytes { get; init; } = 64 * 1024;

    /// <summary>Bytes of log passed to the log sink; the rest is counted and dropped. Default 16 MiB.</summary>
    public long MaxStreamedLogBytes { get; init; } = 16 * MiB;

    /// <summary>True when the shard asks for any GPU.</summary>
    public bool WantsGpu => GpuCount > 0 || GpuIds.Count > 0;
}
