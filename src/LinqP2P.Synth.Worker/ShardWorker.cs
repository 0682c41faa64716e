using System.Globalization;
using LinqP2P.Synth.Service;

namespace LinqP2P.Synth.Worker;

/// <summary>
/// Reads the shard from the job environment (SPEC.md §9.9) and runs it:
/// <c>LINQ_SHARD_INDEX</c>, <c>LINQ_SHARD_COUNT</c>, <c>SYNTH_SPEC</c> (the <see cref="SynthShardSpec"/> JSON),
/// the optional shard parameters <c>LINQ_PARAM_FIRST_ROW</c> / <c>LINQ_PARAM_ROWS</c> (checked against the
/// worker's own plan), the input folder <c>LINQ_INPUT_DIR</c> (default /linq/in) and the output folder
/// <c>LINQ_OUTPUT_DIR</c> (default /linq/out).
/// </summary>
public static class ShardWorker
{
    public static async Task<ShardStats> RunAsync(IReadOnlyDictionary<string, string> env, TextWriter log, CancellationToken cancellationToken)
    {
        var index = ShardWork.EnvInt(env, "LINQ_SHARD_INDEX");
        var count = ShardWork.EnvInt(env, "LINQ_SHARD_COUNT");
        if (!env.TryGetValue("SYNTH_SPEC", out var json) || json.Length == 0)
        {
            throw new SynthInputException("synth.worker.env", "SYNTH_SPEC is not set: submit synthetic data jobs with `linq synth ...`, which writes it.", field: "SYNTH_SPEC");
        }
        var spec = SynthShardSpec.FromJson(json);
        var input = ShardWork.ReadInput(spec, env.GetValueOrDefault("LINQ_INPUT_DIR") is { Length: > 0 } i ? i : "/linq/in");
        var output = env.GetValueOrDefault("LINQ_OUTPUT_DIR") is { Length: > 0 } o ? o : "/linq/out";
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"linq-synth-worker: job {env.GetValueOrDefault("LINQ_JOB_ID", "-")} shard {index}/{count} {spec.Kind} seed {spec.Seed}"));
        if (count is < 1 or > 100_000 || index < 0 || index >= count)
        {
            throw new SynthInputException("synth.shards.invalid", $"LINQ_SHARD_INDEX {index} is outside 0..{count - 1} or LINQ_SHARD_COUNT {count} is outside 1..100000.", field: "LINQ_SHARD_INDEX");
        }
        var (firstRow, rows) = ShardWork.Plan(spec, input, count)[index];
        Check(env, "LINQ_PARAM_FIRST_ROW", firstRow);
        Check(env, "LINQ_PARAM_ROWS", rows);
        var stats = await ShardWork.RunAsync(spec, input, index, count, output, cancellationToken: cancellationToken);
        await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"linq-synth-worker: wrote rows {stats.FirstRow}..{stats.FirstRow + stats.Rows} ({stats.Bytes} bytes) sha256 {stats.Sha256}"));
        return stats;
    }

    /// <summary>The requester wrote the plan it expects; a different plan means a different worker version.</summary>
    private static void Check(IReadOnlyDictionary<string, string> env, string name, long actual)
    {
        if (env.TryGetValue(name, out var text) && text.Length > 0
            && (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var expected) || expected != actual))
        {
            throw new SynthGenerationException("synth.worker.plan",
                $"{name} is {text} but this worker's shard plan gives {actual}: the request was planned for another worker version; resubmit with this image's version.");
        }
    }
}
