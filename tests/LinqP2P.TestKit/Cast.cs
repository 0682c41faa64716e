namespace LinqP2P.TestKit;

/// <summary>
/// Foundry's <c>cast</c>, the reference the Ethereum codecs are checked against. Calls fail loudly with
/// cast's own error text so a differential test says what cast disliked.
/// </summary>
public static class Cast
{
    // Each call is a process start; two cores are shared by many test runs, so keep a few in flight at most.
    private static readonly SemaphoreSlim Gate = new(4);

    /// <summary>Runs <c>cast ARGS</c> and returns its trimmed standard output; throws when cast exits non-zero.</summary>
    public static async Task<string> RunAsync(params string[] args)
    {
        var result = await TryRunAsync(args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"cast {string.Join(' ', args)} failed ({result.ExitCode}): {result.Stderr.Trim()}");
        }
        return result.StdoutTrimmed;
    }

    /// <summary>Runs <c>cast ARGS</c> and returns whatever happened, for tests that expect cast to refuse.</summary>
    public static async Task<ExternalProcess.Result> TryRunAsync(params string[] args)
    {
        await Gate.WaitAsync();
        try
        {
            return await ExternalProcess.RunAsync(RepoPaths.Tool("cast"), args, timeout: TimeSpan.FromMinutes(1));
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Runs one cast call per input, a few at a time, and returns the outputs in input order.</summary>
    public static async Task<string[]> RunManyAsync<T>(IReadOnlyList<T> inputs, Func<T, string[]> args) =>
        await Task.WhenAll(inputs.Select(i => RunAsync(args(i))));
}
