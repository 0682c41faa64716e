using System.CommandLine;
using System.Text.Json;
using LinqP2P.Core;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Node.Config;
using LinqP2P.Node.Hosting;
using LinqP2P.Node.Libp2p;

namespace LinqP2P.Cli.Commands;

/// <summary>`linq node` runs a libp2p node until Ctrl-C; `linq id` prints its identity. Both read the same key file.</summary>
internal static class NodeCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return CreateNode();
        yield return CreateId();
    }

    private static Option<string[]> ListenOption() => new("--listen")
    {
        Description = "Multiaddr to listen on (repeatable), e.g. /ip4/127.0.0.1/tcp/4001; port 0 picks a free port.",
        DefaultValueFactory = _ => [Libp2pNode.DefaultListen],
        AllowMultipleArgumentsPerToken = true,
    };

    private static Option<string?> KeyOption() => new("--key")
    {
        Description = "Identity key file (created with mode 0600 if missing). Default ~/.linq/identity.key.",
    };

    private static Command CreateNode()
    {
        var listen = new Option<string[]>("--listen")
        {
            Description = "Multiaddr to listen on (repeatable), e.g. /ip4/127.0.0.1/tcp/4001; port 0 picks a free port. Default from config, else /ip4/127.0.0.1/tcp/4001.",
            AllowMultipleArgumentsPerToken = true,
        };
        var key = KeyOption();
        var dataDir = new Option<string?>("--data-dir") { Description = "Data directory: wallet, identity key, state, blocks, API token, config.yaml. Default $LINQ_DATA_DIR or ~/.linq." };
        var role = new Option<string?>("--role") { Description = "provider | client | both (default both)." };
        role.AcceptOnlyFromAmong("provider", "client", "both");
        var bootstrap = new Option<string[]>("--bootstrap") { Description = "Peer to dial at start, /ip4/…/tcp/…/p2p/<peer id> (repeatable).", AllowMultipleArgumentsPerToken = true };
        var apiPort = new Option<string?>("--api-port") { Description = "Management API port on 127.0.0.1 (0 = any free). Default 5080." };
        var devnet = new Option<string?>("--devnet") { Description = "Devnet manifest (devnet.json or its folder). Default testnet/run/devnet.json." };
        var wallet = new Option<string?>("--wallet") { Description = "Wallet keystore v3 file. Default <data-dir>/wallet.json." };
        var passphraseFile = new Option<string?>("--passphrase-file") { Description = "File holding the wallet passphrase (LINQ_PASSPHRASE wins over it)." };
        var docker = new Option<string?>("--docker") { Description = "Docker Engine endpoint. Default unix:///var/run/docker.sock." };
        var logLevel = new Option<string?>("--log-level") { Description = "trace | debug | information | warning | error." };
        var quota = new Option<string?>("--storage-quota") { Description = "Blockstore quota, e.g. 10GiB." };
        var command = new Command("node", "Run a LinqP2P node: libp2p + gossipsub, chain client and wallet, blockstore, executor, market engine and the management API on 127.0.0.1. Stops cleanly on Ctrl-C / SIGTERM.")
        {
            listen, key, dataDir, role, bootstrap, apiPort, devnet, wallet, passphraseFile, docker, logLevel, quota,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var flags = new Dictionary<string, IReadOnlyList<string>>();
                void Flag(NodeSetting setting, string? value)
                {
                    if (value is not null)
                    {
                        flags[setting.Key] = [value];
                    }
                }
                if (parse.GetValue(listen) is { Length: > 0 } l)
                {
                    flags[NodeSettings.Listen.Key] = l;
                }
                if (parse.GetValue(bootstrap) is { Length: > 0 } b)
                {
                    flags[NodeSettings.Bootstrap.Key] = b;
                }
                Flag(NodeSettings.Role, parse.GetValue(role));
                Flag(NodeSettings.ApiPort, parse.GetValue(apiPort));
                Flag(NodeSettings.Devnet, parse.GetValue(devnet));
                Flag(NodeSettings.WalletKeystore, parse.GetValue(wallet));
                Flag(NodeSettings.PassphraseFile, parse.GetValue(passphraseFile));
                Flag(NodeSettings.DockerEndpoint, parse.GetValue(docker));
                Flag(NodeSettings.LogLevel, parse.GetValue(logLevel));
                Flag(NodeSettings.StorageQuota, parse.GetValue(quota));
                var options = NodeConfigLoader.Load(parse.GetValue(dataDir), flags);
                if (parse.GetValue(key) is { } keyPath)
                {
                    options = options with { IdentityKey = Path.GetFullPath(keyPath) };
                }
                // SIGTERM (docker stop, systemd, testnet.sh down) stops the node like Ctrl-C does.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
                {
                    ctx.Cancel = true;
                    stop.Cancel();
                });
                await NodeHost.RunAsync(options, null, stop.Token);
                return 0;
            }
            catch (LinqException e)
            {
                Console.Error.WriteLine($"error {e.Code}: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static Command CreateId()
    {
        var listen = ListenOption();
        var key = KeyOption();
        var json = new Option<bool>("--json") { Description = "Print JSON: {\"peerId\", \"cid\", \"addrs\"}." };
        var command = new Command("id", "Print this node's peer id and the multiaddrs `linq node` listens on.") { listen, key, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                using var identity = await Libp2pNode.LoadIdentityAsync(parse.GetValue(key), cancellationToken);
                var addrs = parse.GetValue(listen)!.Select(a => Multiaddr.Parse(a).WithPeerId(identity.PeerId).ToString()).ToList();
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["peerId"] = identity.PeerId.ToString(),
                        ["cid"] = identity.PeerId.ToCidString(),
                        ["addrs"] = addrs,
                    }));
                }
                else
                {
                    Console.WriteLine(identity.PeerId);
                    foreach (var a in addrs)
                    {
                        Console.WriteLine(a);
                    }
                }
                return 0;
            }
            catch (LinqException e)
            {
                Console.Error.WriteLine($"error {e.Code}: {e.Message}");
                return 1;
            }
        });
        return command;
    }

}
