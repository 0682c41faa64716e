namespace LinqP2P.TestKit;

/// <summary>
/// The local images the execution tests run. No registry is reachable, so they are built from Debian's
/// busybox-static by scripts/build-test-images.sh, which skips the work when the image is current.
/// </summary>
public static class DockerTestImages
{
    /// <summary>A ~2 MB image: /bin/busybox plus applet links (sh, cat, dd, head, nc, ip, ...), /etc/passwd with nobody.</summary>
    public const string Busybox = "linq-test/busybox:1";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _built;

    /// <summary>Builds the test images once per test process.</summary>
    public static async Task EnsureBuiltAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_built)
            {
                return;
            }
            var script = Path.Combine(RepoPaths.Root, "scripts", "build-test-images.sh");
            var result = await ExternalProcess.RunAsync("bash", [script], timeout: TimeSpan.FromMinutes(2));
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"scripts/build-test-images.sh failed ({result.ExitCode}); is dockerd running (scripts/setup.sh)?\n{result.Stdout}\n{result.Stderr}");
            }
            _built = true;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Runs the docker CLI (for set-up steps such as save/tag that the code under test does not do).</summary>
    public static Task<ExternalProcess.Result> DockerCliAsync(params string[] args) =>
        ExternalProcess.RunAsync("docker", args, timeout: TimeSpan.FromMinutes(1));
}
