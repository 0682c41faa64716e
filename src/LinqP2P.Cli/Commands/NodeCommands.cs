using System.CommandLine;
using System.Text.Json;
using LinqP2P.Core;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
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
        var listen = ListenOption();
        var key = KeyOption();
        var command = new Command("node", "Run a libp2p node (identify, ping) until Ctrl-C.") { listen, key };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var addresses = parse.GetValue(listen)!.Select(Multiaddr.Parse).ToList();
                await using var host = await Libp2pNode.StartAsync(parse.GetValue(key), addresses, cancellationToken);
                host.Connected += (_, e) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} connected    {e.Connection.RemotePeer} {e.Connection.Direction.ToString().ToLowerInvariant()} {e.Connection.RemoteAddress}");
                host.Disconnected += (_, e) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} disconnected {e.Connection.RemotePeer}{(e.CloseReason is null ? "" : " (" + e.CloseReason.Message + ")")}");
                host.PeerIdentified += (_, e) => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} identified   {e.Peer} {e.AgentVersion} [{string.Join(' ', e.Protocols)}]");
                Console.WriteLine($"peer id {host.PeerId}");
                foreach (var a in host.ListenAddresses)
                {
                    Console.WriteLine($"listening on {a.WithPeerId(host.PeerId)}");
                }
                Console.Out.Flush();
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }
                Console.WriteLine("stopping");
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
