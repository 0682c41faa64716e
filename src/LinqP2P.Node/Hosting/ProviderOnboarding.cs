using System.Globalization;
using System.Numerics;
using LinqP2P.Contracts;
using LinqP2P.Core;
using LinqP2P.Execution;

namespace LinqP2P.Node.Hosting;

/// <summary>The self-benchmark and the system-requirements check, as <c>linq provider bench</c> shows them.</summary>
public sealed record ProviderBenchReport(ProviderReport Report, BenchmarkResult Benchmark, bool CanRunJobs, IReadOnlyList<string> Problems);

/// <summary>What <c>linq provider register</c> did on chain.</summary>
public sealed record ProviderRegistration(string ProviderId, string Owner, string Stake, string PeerId, bool AlreadyRegistered, IReadOnlyList<string> Transactions);

/// <summary>Registration refused: the machine fails the requirements, or the stake is not payable.</summary>
public sealed class ProviderOnboardingException(string code, string message) : LinqException(code, message, retryable: false);

/// <summary>
/// Provider onboarding: runs the self-benchmark and the requirements check (the Docker self-check with a
/// probe container when a probe image is at hand), then registers the wallet in the ProviderRegistry with its
/// capabilities and this node's libp2p peer id, or updates them when it is registered already.
/// </summary>
public sealed class ProviderOnboarding(NodeRuntime runtime)
{
    /// <summary>A local image with a POSIX shell used to verify the hardening inside a real container.</summary>
    public const string DefaultProbeImage = "linq-test/busybox:1";

    /// <summary>The least a provider must offer (the litepaper's minimum): 1 core, 1 GiB memory, 5 GB free disk.</summary>
    public static readonly (int Cores, long MemoryBytes, long DiskBytes) Minimum = (1, 1L << 30, 5_000_000_000);

    public async Task<ProviderBenchReport> BenchAsync(string? probeImage, CancellationToken cancellationToken)
    {
        var executor = runtime.Executor ?? throw new ProviderOnboardingException("provider.not_provider",
            "this node runs as a client; start it with --role provider (or both) to sell compute.");
        var image = probeImage ?? DefaultProbeImage;
        var report = await executor.CheckProviderAsync(await executor.HasImageAsync(image, cancellationToken) ? image : null, cancellationToken);
        var bench = await SelfBenchmark.RunAsync(TimeSpan.FromMilliseconds(600), cancellationToken);
        var problems = report.Problems.ToList();
        if (report.Host.LogicalCores < Minimum.Cores)
        {
            problems.Add($"{report.Host.LogicalCores} cores; at least {Minimum.Cores} is needed");
        }
        if (report.Host.MemoryTotalBytes is > 0 && report.Host.MemoryTotalBytes < Minimum.MemoryBytes)
        {
            problems.Add($"{report.Host.MemoryTotalBytes / (1 << 20)} MiB memory; at least {Minimum.MemoryBytes / (1 << 20)} MiB is needed");
        }
        if (report.Host.DiskFreeBytes is >= 0 && report.Host.DiskFreeBytes < Minimum.DiskBytes)
        {
            problems.Add($"{report.Host.DiskFreeBytes / 1_000_000} MB free under {report.Host.WorkPath}; at least {Minimum.DiskBytes / 1_000_000} MB is needed");
        }
        return new ProviderBenchReport(report, bench, report.CanRunJobs && problems.Count == report.Problems.Count, problems);
    }

    public async Task<(ProviderBenchReport Bench, ProviderRegistration Registration)> RegisterAsync(BigInteger stake, string region, CancellationToken cancellationToken)
    {
        if (stake <= 0)
        {
            throw new ProviderOnboardingException("provider.bad_stake", "the stake must be more than 0 LNQ; e.g. --stake 10000");
        }
        var bench = await BenchAsync(null, cancellationToken);
        if (!bench.CanRunJobs)
        {
            throw new ProviderOnboardingException("provider.requirements",
                "this machine does not meet the provider requirements, so it was not registered: " + string.Join("; ", bench.Problems)
                + ". Fix these (see `linq provider bench`) and register again.");
        }
        var c = runtime.Contracts;
        var owner = runtime.Wallet.Address;
        var host = bench.Report.Host;
        var gpu = bench.Report.Gpus.FirstOrDefault();
        var caps = new ProviderRegistry.Capabilities(
            Math.Min(host.LogicalCores, ushort.MaxValue),
            Math.Max(0, host.MemoryTotalBytes / (1 << 20)),
            gpu?.Name ?? "",
            gpu is null ? 0 : gpu.MemoryBytes / (1 << 20),
            Math.Max(0, host.DiskFreeBytes / (1L << 30)),
            region,
            0,
            runtime.Host.PeerId.ToBytes());
        var transactions = new List<string>();
        var existing = await c.Registry.ProviderIdOfAsync(owner, cancellationToken: cancellationToken);
        if (existing != 0)
        {
            var update = await c.Registry.UpdateCapabilitiesAsync(caps, cancellationToken);
            transactions.Add(update.TransactionHash);
            var provider = await c.Registry.ProviderAsync(existing, cancellationToken: cancellationToken);
            return (bench, new ProviderRegistration(existing.ToString(CultureInfo.InvariantCulture), owner.ToString(), provider.Stake.ToString(CultureInfo.InvariantCulture),
                runtime.Host.PeerId.ToString(), true, transactions));
        }
        var balance = await c.Token.BalanceOfAsync(owner, cancellationToken: cancellationToken);
        if (balance < stake)
        {
            throw new ProviderOnboardingException("provider.insufficient_balance",
                $"the wallet {owner} holds {balance} wei LNQ, less than the stake {stake}; fund it first (on a devnet the manifest's wallets are funded).");
        }
        transactions.Add((await c.Token.ApproveAsync(c.Registry.Address, stake, cancellationToken)).TransactionHash);
        var receipt = await c.Registry.RegisterAsync(stake, caps, cancellationToken);
        transactions.Add(receipt.TransactionHash);
        var id = c.Registry.ProviderRegisteredEvents(receipt).Single().ProviderId;
        return (bench, new ProviderRegistration(id.ToString(CultureInfo.InvariantCulture), owner.ToString(), stake.ToString(CultureInfo.InvariantCulture),
            runtime.Host.PeerId.ToString(), false, transactions));
    }
}
