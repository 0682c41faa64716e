using System.Reflection;
using LinqP2P.Core;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Rpc;
using LinqP2P.Execution.Docker;
using LinqP2P.Ipfs;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Gossipsub;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Node.Config;
using LinqP2P.Node.Devnet;
using Microsoft.Extensions.Logging;

namespace LinqP2P.Node.Hosting;

/// <summary>The chain a node settles on: read from the devnet manifest.</summary>
public sealed record ChainInfo(long ChainId, string RpcUrl, DevnetContracts Contracts);

/// <summary>A node could not start: a missing manifest, an unreachable chain, a port in use.</summary>
public sealed class NodeStartException(string code, string message, Exception? inner = null) : LinqException(code, message, retryable: false, inner);

/// <summary>
/// The parts of one running node, started in dependency order and disposed in reverse: the libp2p host and
/// gossipsub, the chain client with the unlocked wallet, the blockstore and, for providers, the Docker executor.
/// The market engine is built on these by <see cref="NodeHost"/>.
/// </summary>
public sealed class NodeRuntime : IAsyncDisposable
{
    private NodeRuntime(NodeOptions options, Libp2pHost host, GossipsubService gossip, EthRpc rpc, PrivateKey wallet, ChainInfo chain, IpfsRepo repo, DockerExecutor? executor)
    {
        Options = options;
        Host = host;
        Gossip = gossip;
        Rpc = rpc;
        Wallet = wallet;
        Chain = chain;
        Repo = repo;
        Executor = executor;
        Sender = new TransactionSender(rpc, new LocalKeySigner(wallet));
        Contracts = SettlementDeployer.Attach(rpc, chain.Contracts, Sender);
    }

    public NodeOptions Options { get; }

    public Libp2pHost Host { get; }

    public GossipsubService Gossip { get; }

    public EthRpc Rpc { get; }

    /// <summary>The unlocked wallet key. Never logged, never sent anywhere but into signatures.</summary>
    public PrivateKey Wallet { get; }

    public TransactionSender Sender { get; }

    public SettlementContracts Contracts { get; }

    public ChainInfo Chain { get; }

    public IpfsRepo Repo { get; }

    /// <summary>The executor; null on a node that only buys (<see cref="NodeRole.Client"/>).</summary>
    public DockerExecutor? Executor { get; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public static string Version =>
        typeof(NodeRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Reads the devnet manifest named by <see cref="NodeOptions.Devnet"/> (a file or its folder).</summary>
    public static ChainInfo ReadChain(NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.Devnet;
        var dir = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
        DevnetManifest? manifest;
        try
        {
            manifest = DevnetManifest.Load(dir);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new NodeStartException("node.bad_manifest", $"{DevnetManifest.PathIn(dir)} is not a devnet manifest ({e.Message}); run `linq devnet up` again.", e);
        }
        return manifest is null
            ? throw new NodeStartException("node.no_chain", $"no devnet manifest at {DevnetManifest.PathIn(dir)}: run `scripts/testnet.sh up` (or `linq devnet up`), or point --devnet at one.")
            : new ChainInfo(manifest.ChainId, manifest.RpcUrl, manifest.Contracts);
    }

    public static async Task<NodeRuntime> StartAsync(NodeOptions options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var log = loggers.CreateLogger<NodeRuntime>();
        Directory.CreateDirectory(options.DataDir);
        var wallet = WalletStore.Unlock(options.WalletKeystorePath, WalletStore.Passphrase(options.PassphraseFile));
        var chain = ReadChain(options);
        var rpc = new EthRpc(new RpcOptions { Endpoint = new Uri(chain.RpcUrl), ChainId = chain.ChainId, MaxRetries = 2 });
        var disposables = new Stack<IAsyncDisposable>();
        try
        {
            try
            {
                await rpc.EnsureChainAsync(cancellationToken);
            }
            catch (LinqException e)
            {
                throw new NodeStartException("node.chain_unreachable", $"the chain at {chain.RpcUrl} does not answer as chain {chain.ChainId} ({e.Message}); is the devnet up (`scripts/testnet.sh status`)?", e);
            }

            var identity = await KeyPair.LoadOrCreateAsync(options.IdentityKeyPath, cancellationToken);
            var host = new Libp2pHost(identity, new HostOptions { PeerStorePath = Path.Combine(options.DataDir, "peerstore.db") });
            disposables.Push(host);
            foreach (var address in options.Listen)
            {
                await host.ListenAsync(Multiaddr.Parse(address), cancellationToken);
            }
            var gossip = new GossipsubService(host);
            disposables.Push(gossip);
            await gossip.StartAsync(cancellationToken);

            var repo = IpfsRepo.Open(new IpfsRepoOptions { Path = options.BlocksPath, QuotaBytes = options.StorageQuotaBytes });
            DockerExecutor? executor = null;
            if (options.IsProvider)
            {
                executor = new DockerExecutor(new DockerExecutorOptions { Endpoint = new Uri(options.DockerEndpoint), WorkRoot = options.ExecutionWorkPath });
            }
            var runtime = new NodeRuntime(options, host, gossip, rpc, wallet, chain, repo, executor);
            NodeLog.Started(log, host.PeerId.ToString(), options.Role.ToString().ToLowerInvariant(), wallet.Address.ToString(), chain.ChainId);
            return runtime;
        }
        catch
        {
            while (disposables.TryPop(out var d))
            {
                await d.DisposeAsync();
            }
            rpc.Dispose();
            throw;
        }
    }

    /// <summary>Dials every bootstrap peer in the background, retrying each until it answers or the node stops.</summary>
    public async Task BootstrapAsync(ILogger log, CancellationToken cancellationToken)
    {
        await Task.WhenAll(Options.Bootstrap.Select(async text =>
        {
            var address = Multiaddr.Parse(text);
            var delay = TimeSpan.FromMilliseconds(250);
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await Host.DialAsync(address, cancellationToken);
                    NodeLog.Bootstrapped(log, text);
                    return;
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception e) when (e is LinqException or IOException or System.Net.Sockets.SocketException)
                {
                    NodeLog.BootstrapFailed(log, text, e.Message);
                    await Task.Delay(delay, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5_000));
                }
            }
        }));
    }

    public async ValueTask DisposeAsync()
    {
        await Gossip.DisposeAsync();
        await Host.DisposeAsync();
        Executor?.Dispose();
        Rpc.Dispose();
    }
}

internal static partial class NodeLog
{
    [LoggerMessage(1, LogLevel.Information, "node started: peer {PeerId}, role {Role}, wallet {Wallet}, chain {ChainId}")]
    public static partial void Started(ILogger log, string peerId, string role, string wallet, long chainId);

    [LoggerMessage(2, LogLevel.Information, "connected to bootstrap peer {Address}")]
    public static partial void Bootstrapped(ILogger log, string address);

    [LoggerMessage(3, LogLevel.Debug, "bootstrap peer {Address} did not answer: {Reason}")]
    public static partial void BootstrapFailed(ILogger log, string address, string reason);

    [LoggerMessage(4, LogLevel.Information, "management API listening on {Url}")]
    public static partial void ApiListening(ILogger log, string url);

    [LoggerMessage(5, LogLevel.Information, "stopping")]
    public static partial void Stopping(ILogger log);

    [LoggerMessage(6, LogLevel.Warning, "request failed with {Code}: {Message}")]
    public static partial void RequestFailed(ILogger log, string code, string message);
}
