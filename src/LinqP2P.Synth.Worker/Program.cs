using System.Collections;
using LinqP2P.Core;
using LinqP2P.Synth;
using LinqP2P.Synth.Worker;

// The synthetic data worker: one shard of one job per container run (SPEC.md §9.9).
var env = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
try
{
    await ShardWorker.RunAsync(env, Console.Out, CancellationToken.None);
    return 0;
}
catch (LinqException e)
{
    await Console.Error.WriteLineAsync($"error [{e.Code}]: {e.Message}");
    return e is SynthInputException ? 2 : 1;
}
catch (IOException e)
{
    await Console.Error.WriteLineAsync($"error [synth.worker.io]: {e.Message}: check that LINQ_OUTPUT_DIR is writable and has room.");
    return 1;
}
catch (UnauthorizedAccessException e)
{
    await Console.Error.WriteLineAsync($"error [synth.worker.io]: {e.Message}: the output folder must be writable by the job's user.");
    return 1;
}
