using System.Globalization;

namespace LinqP2P.Execution;

/// <summary>
/// What a job sees inside its sandbox, whatever the executor: fixed paths and the <c>LINQ_*</c>
/// environment. See SPEC.md §8.4.
/// </summary>
public static class ExecutionContract
{
    /// <summary>Parent of the read-only input folders.</summary>
    public const string InputRoot = "/linq/in";

    /// <summary>The only writable persistent folder; what is collected comes from here.</summary>
    public const string OutputRoot = "/linq/out";

    /// <summary>Size-limited, memory-backed, not executable scratch.</summary>
    public const string ScratchRoot = "/tmp";

    /// <summary>
    /// Read-only folder of the start gate: the job's command runs once <see cref="GateReadyFile"/> exists
    /// (only when the request has a start hook).
    /// </summary>
    public const string GateRoot = "/linq/gate";

    /// <summary>Created by the node when its start hook has finished.</summary>
    public const string GateReadyFile = GateRoot + "/ready";

    /// <summary>Prefix of the variables the executor sets; jobs may not set their own.</summary>
    public const string ReservedPrefix = "LINQ_";

    /// <summary>Prefix of the shard parameter variables.</summary>
    public const string ParameterPrefix = "LINQ_PARAM_";

    /// <summary>The full environment of the job, as NAME=value strings, job variables first.</summary>
    public static IReadOnlyList<string> BuildEnvironment(ExecutionRequest request)
    {
        var env = new List<string>();
        foreach (var (name, value) in request.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            env.Add($"{name}={value}");
        }
        env.Add($"HOME={ScratchRoot}");
        env.Add($"LINQ_JOB_ID={request.JobId}");
        env.Add($"LINQ_SHARD_INDEX={request.ShardIndex.ToString(CultureInfo.InvariantCulture)}");
        env.Add($"LINQ_SHARD_COUNT={request.ShardCount.ToString(CultureInfo.InvariantCulture)}");
        env.Add($"LINQ_INPUT_DIR={InputRoot}");
        env.Add($"LINQ_OUTPUT_DIR={OutputRoot}");
        env.Add($"LINQ_SCRATCH_DIR={ScratchRoot}");
        foreach (var (name, value) in request.ShardParameters.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            env.Add($"{ParameterName(name)}={value}");
        }
        if (request.StartHook is { } hook)
        {
            foreach (var (name, value) in hook.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                env.Add($"{name}={value}");
            }
        }
        return env;
    }

    /// <summary>The variables the executor itself sets (a start hook may not set them).</summary>
    public static readonly IReadOnlySet<string> ExecutorVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "LINQ_JOB_ID", "LINQ_SHARD_INDEX", "LINQ_SHARD_COUNT", "LINQ_INPUT_DIR", "LINQ_OUTPUT_DIR", "LINQ_SCRATCH_DIR",
    };

    /// <summary>The variable a shard parameter is exposed as: <c>LINQ_PARAM_</c> + the name upper-cased.</summary>
    public static string ParameterName(string parameter) => ParameterPrefix + parameter.ToUpperInvariant();
}
