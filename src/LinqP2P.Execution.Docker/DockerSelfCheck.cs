using Docker.DotNet;
using LinqP2P.Core;
using LinqP2P.Execution;

namespace LinqP2P.Execution.Docker;

/// <summary>
/// The provider self-check behind <c>linq provider bench</c>: host resources, GPUs, the engine, and the
/// hardening options — read from the daemon and, given a probe image, verified inside a real container.
/// </summary>
internal static class DockerSelfCheck
{
    /// <summary>Hardening names as reported in <see cref="EngineReport.Hardening"/>.</summary>
    public static class Checks
    {
        public const string MemoryLimit = "memory-limit";
        public const string SwapLimit = "memory-swap-limit";
        public const string PidsLimit = "pids-limit";
        public const string CpuQuota = "cpu-quota";
        public const string Seccomp = "seccomp";
        public const string NonRootUser = "non-root-user";
        public const string NoCapabilities = "no-capabilities";
        public const string NoNewPrivileges = "no-new-privileges";
        public const string ReadOnlyRootfs = "read-only-rootfs";
        public const string NoNetwork = "no-network";
    }

    public static async Task<ProviderReport> RunAsync(DockerExecutor executor, IDockerClient client, string? probeImage, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var host = HostProbe.ReadHost(executor.Options.WorkRoot);
        var gpus = await executor.GpusAsync(cancellationToken);
        EngineReport? engine = null;
        try
        {
            await executor.PingAsync(cancellationToken);
            var version = await client.System.GetVersionAsync(cancellationToken);
            var info = await client.System.GetSystemInfoAsync(cancellationToken);
            var hardening = new Dictionary<string, bool>
            {
                [Checks.MemoryLimit] = info.MemoryLimit,
                [Checks.SwapLimit] = info.SwapLimit,
                [Checks.PidsLimit] = info.PidsLimit,
                [Checks.CpuQuota] = info.CPUCfsQuota || info.CgroupVersion == "2",
                [Checks.Seccomp] = info.SecurityOptions?.Any(o => o.Contains("seccomp", StringComparison.Ordinal)) ?? false,
            };
            if (probeImage is not null)
            {
                await ProbeAsync(executor, probeImage, hardening, problems, cancellationToken);
            }
            engine = new EngineReport("docker", version.Version, version.APIVersion, info.CgroupVersion ?? "?", hardening);
            problems.AddRange(hardening.Where(h => !h.Value).Select(h => $"hardening option '{h.Key}' is not available"));
        }
        catch (LinqException e)
        {
            problems.Add(e.Message);
        }
        return new ProviderReport(host, gpus, engine, problems);
    }

    /// <summary>Runs the probe under the full hardening and reads back what the process really got.</summary>
    private static async Task ProbeAsync(
        DockerExecutor executor, string image, Dictionary<string, bool> hardening, List<string> problems, CancellationToken cancellationToken)
    {
        const string script =
            "echo uid=$(id -u); grep -E '^(CapEff|NoNewPrivs):' /proc/self/status; " +
            "if touch /probe 2>/dev/null; then echo rootfs=rw; else echo rootfs=ro; fi; " +
            "echo ifaces=$(ls /sys/class/net | tr '\\n' ' ')";
        var request = new ExecutionRequest
        {
            JobId = "self-check",
            Image = ImageSource.Local(image),
            Command = ["/bin/sh", "-c", script],
            Limits = new ResourceLimits
            {
                MemoryBytes = 32 * ResourceLimits.MiB,
                PidsLimit = 32,
                NanoCpus = 500_000_000,
                ScratchBytes = ResourceLimits.MiB,
                MaxDuration = TimeSpan.FromSeconds(30),
            },
        };
        try
        {
            var result = await executor.ExecuteAsync(request, ExecutionLogSink.None, cancellationToken);
            Directory.Delete(result.OutputDirectory, recursive: true);
            var lines = result.LogTail.Split('\n', StringSplitOptions.TrimEntries);
            string Value(string prefix) => lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..].Trim() ?? "";
            hardening[Checks.NonRootUser] = Value("uid=") is { Length: > 0 } uid && uid != "0";
            hardening[Checks.NoCapabilities] = Value("CapEff:").Trim('0').Length == 0 && Value("CapEff:").Length > 0;
            hardening[Checks.NoNewPrivileges] = Value("NoNewPrivs:") == "1";
            hardening[Checks.ReadOnlyRootfs] = Value("rootfs=") == "ro";
            hardening[Checks.NoNetwork] = Value("ifaces=") == "lo";
            if (result.Outcome != ExecutionOutcome.Succeeded)
            {
                problems.Add($"the probe container ended {result.Outcome} (exit {result.ExitCode}): {result.LogTail}");
            }
        }
        catch (ImageMissingException e)
        {
            problems.Add($"the probe image is missing: {e.Message}");
        }
    }
}
