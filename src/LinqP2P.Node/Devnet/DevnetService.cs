using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using LinqP2P.Contracts;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Rpc;

namespace LinqP2P.Node.Devnet;

/// <summary>The outcome of <c>linq devnet down</c>.</summary>
public sealed record DevnetDownResult(bool WasRunning, bool Stopped, int? Pid, string Message);

/// <summary>What <c>linq devnet status</c> reports.</summary>
public sealed record DevnetStatus(DevnetManifest? Manifest, bool Running, long? BlockNumber, IReadOnlyList<(DevnetWallet Wallet, BigInteger Stake)> Stakes);

/// <summary>
/// The one-command local chain (SPEC.md §4): starts anvil, deploys and wires the settlement contracts
/// as SPEC.md §2.1 lists, funds and stakes N node wallets derived from anvil's dev mnemonic, writes their
/// keystores and a manifest that nodes read, and stops exactly that anvil again.
/// </summary>
public static class DevnetService
{
    /// <summary>Node wallets are m/44'/60'/0'/0/1…N; index 0 is the deployer.</summary>
    public const int DeployerIndex = 0;

    public static async Task<DevnetManifest> UpAsync(DevnetOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var dir = Path.GetFullPath(options.Directory);
        Directory.CreateDirectory(dir);
        if (DevnetManifest.Load(dir) is { } existing)
        {
            if (AnvilProcess.IsAnvil(existing.AnvilPid, existing.AnvilPort))
            {
                throw new DevnetException("devnet.already_running",
                    $"A devnet is already running in {dir} (anvil pid {existing.AnvilPid} at {existing.RpcUrl}). Run `linq devnet down` first.");
            }
            File.Delete(DevnetManifest.PathIn(dir));
        }

        var port = options.Port == 0 ? AnvilProcess.FreePort() : options.Port;
        if (!AnvilProcess.IsPortFree(port))
        {
            throw new DevnetException("devnet.port_in_use", $"Port {port} on 127.0.0.1 is taken. Pass --port with a free port (or 0 for any).");
        }
        var anvil = FindAnvil(options.AnvilPath);
        var log = Path.Combine(dir, "anvil.log");
        var accounts = Math.Max(10, options.Nodes + 1);
        progress?.Report($"starting anvil on 127.0.0.1:{port} ({(options.Automine ? "automine" : $"{options.BlockTimeSeconds.ToString(CultureInfo.InvariantCulture)} s blocks")})");
        // Deployment runs on automine (one block per transaction, seconds instead of minutes); interval mining starts after.
        var pid = AnvilProcess.StartDetached(anvil,
        [
            "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture),
            "--chain-id", options.ChainId.ToString(CultureInfo.InvariantCulture),
            "--accounts", accounts.ToString(CultureInfo.InvariantCulture),
            "--mnemonic", HdWallet.AnvilMnemonic,
        ], log);
        try
        {
            var url = new Uri($"http://127.0.0.1:{port}");
            using var rpc = new EthRpc(new RpcOptions { Endpoint = url, ChainId = options.ChainId, MaxRetries = 2 });
            await WaitReadyAsync(rpc, pid, log, cancellationToken);

            var deployerKey = HdWallet.Derive(HdWallet.AnvilMnemonic, HdWallet.EthereumPath(DeployerIndex));
            var deployer = Sender(rpc, deployerKey);
            progress?.Report($"deploying the settlement contracts from {deployerKey.Address}");
            var contracts = await SettlementDeployer.DeployAsync(deployer, options.Contracts, progress, cancellationToken);

            var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var passwordFile = Path.Combine(dir, "keystore-password");
            await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            var keystores = Path.Combine(dir, "keystores");
            Directory.CreateDirectory(keystores);

            progress?.Report($"funding and staking {options.Nodes} node wallet(s)");
            var funding = options.NodeFundingLnq * SettlementParameters.Lnq;
            var stake = options.NodeStakeLnq * SettlementParameters.Lnq;
            var wallets = await Task.WhenAll(Enumerable.Range(1, options.Nodes).Select(async index =>
            {
                var path = HdWallet.EthereumPath(index);
                var key = HdWallet.Derive(HdWallet.AnvilMnemonic, path);
                await contracts.Token.TransferAsync(key.Address, funding, cancellationToken);
                var node = SettlementDeployer.Attach(rpc, AddressesOf(contracts), Sender(rpc, key));
                await node.Token.ApproveAsync(node.Registry.Address, stake, cancellationToken);
                var registered = await node.Registry.RegisterAsync(stake, new ProviderRegistry.Capabilities(
                    4, 8_192, "", 0, 100, "devnet", 0, System.Text.Encoding.UTF8.GetBytes($"devnet-node-{index}")), cancellationToken);
                var providerId = node.Registry.ProviderRegisteredEvents(registered).Single().ProviderId;
                var keystore = Path.Combine(keystores, $"node-{index}.json");
                DevnetKeystore.Write(key, password, keystore);
                progress?.Report($"node {index}: {key.Address} staked {options.NodeStakeLnq} LNQ as provider {providerId}");
                return new DevnetWallet(index, key.Address.ToString(), path, keystore, providerId.ToString(CultureInfo.InvariantCulture),
                    stake.ToString(CultureInfo.InvariantCulture), (funding - stake).ToString(CultureInfo.InvariantCulture));
            }));

            if (!options.Automine)
            {
                await rpc.Client.CallAsync("evm_setAutomine", [false], cancellationToken);
                await rpc.Client.CallAsync("evm_setIntervalMining", [options.BlockTimeSeconds], cancellationToken);
            }

            var manifest = new DevnetManifest
            {
                RpcUrl = url.ToString().TrimEnd('/'),
                ChainId = options.ChainId,
                AnvilPid = pid,
                AnvilPort = port,
                BlockTimeSeconds = options.Automine ? null : options.BlockTimeSeconds,
                StartedAt = DateTimeOffset.UtcNow,
                Deployer = deployerKey.Address.ToString(),
                Contracts = AddressesOf(contracts),
                Wallets = wallets.OrderBy(w => w.Index).ToArray(),
                KeystorePasswordFile = passwordFile,
                AnvilLog = log,
            };
            manifest.Save(dir);
            progress?.Report($"manifest written to {DevnetManifest.PathIn(dir)}");
            return manifest;
        }
        catch
        {
            // Never leave an orphan anvil behind a failed start.
            await AnvilProcess.KillAsync(pid, TimeSpan.FromSeconds(5), CancellationToken.None);
            throw;
        }
    }

    /// <summary>Stops the anvil the manifest in <paramref name="directory"/> names, if it is still that anvil. Safe to run twice.</summary>
    public static async Task<DevnetDownResult> DownAsync(string directory, CancellationToken cancellationToken = default)
    {
        var dir = Path.GetFullPath(directory);
        var manifest = DevnetManifest.Load(dir);
        if (manifest is null)
        {
            return new DevnetDownResult(false, false, null, $"No devnet is running from {dir} (no {DevnetManifest.FileName}); nothing to stop.");
        }
        var result = !AnvilProcess.IsAlive(manifest.AnvilPid)
            ? new DevnetDownResult(false, false, manifest.AnvilPid, $"anvil (pid {manifest.AnvilPid}) had already exited; cleaned up {dir}.")
            : !AnvilProcess.IsAnvil(manifest.AnvilPid, manifest.AnvilPort)
                ? new DevnetDownResult(false, false, manifest.AnvilPid,
                    $"pid {manifest.AnvilPid} is no longer anvil on port {manifest.AnvilPort} (the pid was reused); left it alone and cleaned up {dir}.")
                : await AnvilProcess.KillAsync(manifest.AnvilPid, TimeSpan.FromSeconds(10), cancellationToken)
                    ? new DevnetDownResult(true, true, manifest.AnvilPid, $"stopped anvil (pid {manifest.AnvilPid}) at {manifest.RpcUrl}.")
                    : throw new DevnetException("devnet.stop_failed", $"anvil (pid {manifest.AnvilPid}) did not exit; kill it by hand: kill -9 {manifest.AnvilPid}");
        File.Delete(DevnetManifest.PathIn(dir));
        File.Delete(manifest.KeystorePasswordFile);
        var keystores = Path.Combine(dir, "keystores");
        if (Directory.Exists(keystores))
        {
            Directory.Delete(keystores, recursive: true);
        }
        return result;
    }

    public static async Task<DevnetStatus> StatusAsync(string directory, CancellationToken cancellationToken = default)
    {
        var manifest = DevnetManifest.Load(Path.GetFullPath(directory));
        if (manifest is null || !AnvilProcess.IsAnvil(manifest.AnvilPid, manifest.AnvilPort))
        {
            return new DevnetStatus(manifest, false, null, []);
        }
        using var rpc = new EthRpc(new RpcOptions { Endpoint = new Uri(manifest.RpcUrl), ChainId = manifest.ChainId, MaxRetries = 1 });
        var head = await rpc.BlockNumberAsync(cancellationToken);
        var registry = new ProviderRegistry(Address.Parse(manifest.Contracts.Registry), rpc);
        var stakes = new List<(DevnetWallet, BigInteger)>();
        foreach (var wallet in manifest.Wallets)
        {
            var provider = await registry.ProviderAsync(BigInteger.Parse(wallet.ProviderId, CultureInfo.InvariantCulture), cancellationToken: cancellationToken);
            stakes.Add((wallet, provider.Stake));
        }
        return new DevnetStatus(manifest, true, head, stakes);
    }

    public static DevnetContracts AddressesOf(SettlementContracts c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Token.Address.ToString(), c.Timelock.Address.ToString(), c.Governor.Address.ToString(), c.Registry.Address.ToString(),
            c.RewardPool.Address.ToString(), c.Escrow.Address.ToString(), c.Court.Address.ToString());
    }

    private static TransactionSender Sender(EthRpc rpc, PrivateKey key) =>
        new(rpc, DevnetSigner.For(key), options: new TransactionSenderOptions { PollInterval = TimeSpan.FromMilliseconds(50) });

    private static async Task WaitReadyAsync(EthRpc rpc, int pid, string log, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (!AnvilProcess.IsAlive(pid))
            {
                throw new DevnetException("devnet.anvil_exited", $"anvil exited at start; see {log}:\n{TailOf(log)}");
            }
            try
            {
                await rpc.EnsureChainAsync(cancellationToken);
                return;
            }
            catch (RpcUnreachableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static string TailOf(string log) => File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(10)) : "";

    /// <summary>The anvil binary: the given path, else .tools/bin/anvil above the current folder or this binary, else PATH.</summary>
    public static string FindAnvil(string? given)
    {
        if (given is not null)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new DevnetException("devnet.no_anvil", $"anvil was not found at {given}.");
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                var candidate = Path.Combine(d.FullName, ".tools", "bin", "anvil");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, "anvil");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DevnetException("devnet.no_anvil", "anvil was not found (.tools/bin/anvil or PATH): run scripts/setup.sh, or pass --anvil.");
    }
}
