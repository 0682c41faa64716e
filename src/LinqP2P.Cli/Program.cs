using System.CommandLine;
using LinqP2P.Cli.Commands;

var root = new RootCommand("linq: one binary for every LinqP2P participant (provider, requester, devnet).");
root.Subcommands.Add(VersionCommand.Create());
root.Subcommands.Add(DevnetCommands.Create());
foreach (var c in NodeCommands.Create()) { root.Subcommands.Add(c); }
root.Subcommands.Add(IpfsCommands.Create());
root.Subcommands.Add(SynthCommands.Create());
foreach (var c in JobCommands.Create()) { root.Subcommands.Add(c); }
root.Subcommands.Add(ProviderCommands.Create());
root.Subcommands.Add(WalletCommands.Create());
// Each command group lives in Commands/ and is added here, one line each.

return await root.Parse(args).InvokeAsync();
