using LinqP2P.TestKit;

namespace LinqP2P.Synth.Jobs.Tests;

/// <summary>Builds linq/synth-worker with scripts/build-synth-image.sh once per test run (the script skips the work when the image is current).</summary>
public static class WorkerImage
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _reference;

    public static async Task<string> EnsureBuiltAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_reference is null)
            {
                var result = await ExternalProcess.RunAsync("bash", [Path.Combine(RepoPaths.Root, "scripts", "build-synth-image.sh")], timeout: TimeSpan.FromMinutes(6));
                if (result.ExitCode != 0)
                {
                    throw new InvalidOperationException($"scripts/build-synth-image.sh failed ({result.ExitCode}); is dockerd running?\n{result.Stdout}\n{result.Stderr}");
                }
                _reference = result.StdoutTrimmed.Split('\n')[^1].Trim();
            }
            return _reference;
        }
        finally
        {
            Gate.Release();
        }
    }
}
