using LinqP2P.Core;
using LinqP2P.Execution;

namespace LinqP2P.Execution.Docker;

/// <summary>Provider-side settings of the Docker executor. Each default is stated; <see cref="Validate"/> runs at construction.</summary>
public sealed record DockerExecutorOptions
{
    /// <summary>The daemon socket. Default <c>unix:///var/run/docker.sock</c>.</summary>
    public Uri Endpoint { get; init; } = new("unix:///var/run/docker.sock");

    /// <summary>
    /// Where per-run folders live: <c>runs/&lt;run&gt;</c> is bound at <c>/linq/out</c> and deleted after the
    /// run; <c>outputs/&lt;run&gt;</c> receives the collected outputs and belongs to the caller.
    /// Default <c>$TMPDIR/linq-exec</c>. Must be on a disk the daemon sees at the same path.
    /// </summary>
    public string WorkRoot { get; init; } = Path.Combine(Path.GetTempPath(), "linq-exec");

    /// <summary>The uid jobs run as. Default 65534 (nobody); 0 is refused.</summary>
    public int UserId { get; init; } = 65534;

    /// <summary>The gid jobs run as. Default 65534 (nogroup); 0 is refused.</summary>
    public int GroupId { get; init; } = 65534;

    /// <summary>
    /// The GPUs this provider sells. Null (default) asks <c>nvidia-smi</c> the first time a job wants a GPU;
    /// an empty list means none.
    /// </summary>
    public IReadOnlyList<GpuInfo>? Gpus { get; init; }

    /// <summary>The device-request driver for GPUs. Default <c>nvidia</c> (needs the NVIDIA container toolkit).</summary>
    public string GpuDriver { get; init; } = "nvidia";

    /// <summary>Longest log line passed to the sink; longer lines are split. Default 16 KiB.</summary>
    public int MaxLogLineBytes { get; init; } = 16 * 1024;

    /// <summary>How long to wait for the daemon to answer a ping before calling it unreachable. Default 5 s.</summary>
    public TimeSpan PingTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Sample <c>docker stats</c> while jobs run to report peak memory and CPU time. Default true.</summary>
    public bool SampleUsage { get; init; } = true;

    /// <summary>The <c>--user</c> value.</summary>
    public string User => $"{UserId}:{GroupId}";

    public void Validate()
    {
        var problems = new List<string>();
        if (UserId <= 0 || GroupId <= 0)
        {
            problems.Add("jobs may not run as root: set UserId and GroupId to a non-zero id (default 65534)");
        }
        if (string.IsNullOrWhiteSpace(WorkRoot) || !Path.IsPathFullyQualified(WorkRoot))
        {
            problems.Add("WorkRoot must be an absolute path");
        }
        if (MaxLogLineBytes < 80)
        {
            problems.Add("MaxLogLineBytes must be at least 80");
        }
        if (string.IsNullOrWhiteSpace(GpuDriver))
        {
            problems.Add("GpuDriver may not be empty");
        }
        if (problems.Count > 0)
        {
            throw new InvalidInputException("exec.options.invalid", "Docker executor options are invalid: " + string.Join("; ", problems) + ".");
        }
    }
}
