using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace LinqP2P.Execution;

/// <summary>
/// What this machine offers to the market: the base of the litepaper's Table 1 requirements check
/// (<c>linq provider bench</c>). The engine part comes from the executor (for example the Docker self-check).
/// </summary>
public sealed record ProviderReport(
    HostResources Host,
    IReadOnlyList<GpuInfo> Gpus,
    EngineReport? Engine,
    IReadOnlyList<string> Problems)
{
    /// <summary>True when the engine is reachable and every hardening option works.</summary>
    public bool CanRunJobs => Engine is not null && Engine.Hardening.Values.All(v => v) && Problems.Count == 0;
}

public sealed record HostResources(
    int LogicalCores,
    long MemoryTotalBytes,
    long MemoryAvailableBytes,
    string WorkPath,
    long DiskFreeBytes,
    string OperatingSystem,
    string Architecture);

/// <summary>One GPU as <c>nvidia-smi</c> lists it.</summary>
public sealed record GpuInfo(int Index, string Uuid, string Name, long MemoryBytes, string DriverVersion);

/// <summary>The container engine and which hardening options it was seen to support.</summary>
public sealed record EngineReport(
    string Name,
    string Version,
    string ApiVersion,
    string CgroupVersion,
    IReadOnlyDictionary<string, bool> Hardening);

/// <summary>Reads host facts (cores, memory, disk, GPUs) without any engine.</summary>
public static class HostProbe
{
    public static HostResources ReadHost(string workPath)
    {
        var (total, available) = ReadMemInfo();
        long diskFree = -1;
        try
        {
            Directory.CreateDirectory(workPath);
            diskFree = new DriveInfo(Path.GetFullPath(workPath)).AvailableFreeSpace;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return new HostResources(
            Environment.ProcessorCount,
            total,
            available,
            workPath,
            diskFree,
            System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString());
    }

    /// <summary>GPUs from <c>nvidia-smi</c>; empty when it is not installed or lists none.</summary>
    public static async Task<IReadOnlyList<GpuInfo>> ListGpusAsync(CancellationToken cancellationToken)
    {
        var exe = FindOnPath("nvidia-smi");
        if (exe is null)
        {
            return [];
        }
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--query-gpu=index,uuid,name,memory.total,driver_version");
        psi.ArgumentList.Add("--format=csv,noheader,nounits");
        try
        {
            using var process = Process.Start(psi);
            if (process is null)
            {
                return [];
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode == 0 ? ParseNvidiaSmi(output) : [];
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return [];
        }
    }

    /// <summary>Parses <c>nvidia-smi --query-gpu=index,uuid,name,memory.total,driver_version --format=csv,noheader,nounits</c>.</summary>
    public static IReadOnlyList<GpuInfo> ParseNvidiaSmi(string csv)
    {
        var gpus = new List<GpuInfo>();
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(',', StringSplitOptions.TrimEntries);
            if (f.Length >= 5 && int.TryParse(f[0], CultureInfo.InvariantCulture, out var index))
            {
                long.TryParse(f[3], CultureInfo.InvariantCulture, out var mib);
                gpus.Add(new GpuInfo(index, f[1], f[2], mib * ResourceLimits.MiB, f[4]));
            }
        }
        return gpus;
    }

    private static (long Total, long Available) ReadMemInfo()
    {
        long total = -1, available = -1;
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length >= 2 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var kib))
                {
                    if (parts[0] == "MemTotal:")
                    {
                        total = kib * 1024;
                    }
                    else if (parts[0] == "MemAvailable:")
                    {
                        available = kib * 1024;
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        return (total, available);
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}

/// <summary>Result of <see cref="SelfBenchmark.RunAsync"/>: single-core hashing speed and memory copy bandwidth.</summary>
public sealed record BenchmarkResult(double Sha256MegabytesPerSecondPerCore, double MemoryCopyGigabytesPerSecond, TimeSpan Elapsed);

/// <summary>
/// A short CPU and memory self-benchmark (well under a second by default) so providers can be compared;
/// not a substitute for running the job.
/// </summary>
public static class SelfBenchmark
{
    public static Task<BenchmarkResult> RunAsync(TimeSpan budget, CancellationToken cancellationToken) =>
        Task.Run(() => Run(budget, cancellationToken), cancellationToken);

    private static BenchmarkResult Run(TimeSpan budget, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var half = budget / 2;

        var block = new byte[1 << 20];
        Random.Shared.NextBytes(block);
        Span<byte> hash = stackalloc byte[32];
        long hashed = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < half)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SHA256.HashData(block, hash);
            hashed += block.Length;
        }
        var cpu = hashed / 1e6 / sw.Elapsed.TotalSeconds;

        var from = new byte[32 << 20];
        var to = new byte[32 << 20];
        long copied = 0;
        sw.Restart();
        while (sw.Elapsed < half)
        {
            cancellationToken.ThrowIfCancellationRequested();
            from.AsSpan().CopyTo(to);
            copied += from.Length;
        }
        var memory = copied / 1e9 / sw.Elapsed.TotalSeconds;
        return new BenchmarkResult(cpu, memory, total.Elapsed);
    }
}
