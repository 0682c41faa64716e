using System.CommandLine;
using System.Globalization;
using LinqP2P.Core;
using LinqP2P.Node.Devnet;
using Spectre.Console;

namespace LinqP2P.Cli.Commands;

/// <summary><c>linq devnet up | down | status</c>: the one-command local chain (SPEC.md §4).</summary>
internal static class DevnetCommands
{
    public static Command Create()
    {
        var devnet = new Command("devnet", "Run a local chain (anvil) with the settlement contracts deployed and node wallets staked.");
        devnet.Subcommands.Add(Up());
        devnet.Subcommands.Add(Down());
        devnet.Subcommands.Add(Status());
        return devnet;
    }

    private static Option<string> DirOption() => new("--dir")
    {
        Description = "Folder of the manifest, keystores and anvil log.",
        DefaultValueFactory = _ => Path.Combine("testnet", "run"),
    };

    private static Command Up()
    {
        var nodes = new Option<int>("--nodes") { Description = "Node wallets to fund and stake.", DefaultValueFactory = _ => 3 };
        var blockTime = new Option<double>("--block-time") { Description = "Seconds between blocks.", DefaultValueFactory = _ => 1 };
        var automine = new Option<bool>("--automine") { Description = "Mine a block per transaction instead of on an interval." };
        var port = new Option<int>("--port") { Description = "anvil's port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 8545 };
        var anvil = new Option<string?>("--anvil") { Description = "Path of the anvil binary (default: .tools/bin/anvil, then PATH)." };
        var dir = DirOption();
        var command = new Command("up", "Start anvil, deploy and wire the contracts, fund and stake node wallets, write the manifest.")
        {
            nodes, blockTime, automine, port, anvil, dir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new DevnetOptions
            {
                Nodes = parse.GetValue(nodes),
                BlockTimeSeconds = parse.GetValue(blockTime),
                Automine = parse.GetValue(automine),
                Port = parse.GetValue(port),
                AnvilPath = parse.GetValue(anvil),
                Directory = parse.GetValue(dir)!,
            };
            return await RunAsync(async () =>
            {
                var manifest = await DevnetService.UpAsync(options, new SyncProgress(line => AnsiConsole.MarkupLine($"[grey]•[/] {Markup.Escape(line)}")), cancellationToken);
                PrintManifest(manifest);
                AnsiConsole.MarkupLine($"Devnet is up. Stop it with [bold]linq devnet down{(options.Directory == Path.Combine("testnet", "run") ? "" : " --dir " + Markup.Escape(options.Directory))}[/].");
            });
        });
        return command;
    }

    private static Command Down()
    {
        var dir = DirOption();
        var command = new Command("down", "Stop the anvil that `linq devnet up` started (by the pid in its manifest). Safe to run twice.") { dir };
        command.SetAction(async (parse, cancellationToken) => await RunAsync(async () =>
        {
            var result = await DevnetService.DownAsync(parse.GetValue(dir)!, cancellationToken);
            Console.WriteLine(result.Message);
        }));
        return command;
    }

    private static Command Status()
    {
        var dir = DirOption();
        var command = new Command("status", "Show whether the devnet runs, its head block, contracts and node stakes.") { dir };
        command.SetAction(async (parse, cancellationToken) => await RunAsync(async () =>
        {
            var status = await DevnetService.StatusAsync(parse.GetValue(dir)!, cancellationToken);
            if (status.Manifest is null)
            {
                Console.WriteLine("No devnet: run `linq devnet up`.");
                return;
            }
            if (!status.Running)
            {
                Console.WriteLine($"The devnet in the manifest is not running (anvil pid {status.Manifest.AnvilPid} is gone): run `linq devnet down`, then `linq devnet up`.");
                return;
            }
            PrintManifest(status.Manifest);
            Console.WriteLine($"head block {status.BlockNumber}");
            foreach (var (wallet, stake) in status.Stakes)
            {
                Console.WriteLine($"node {wallet.Index} {wallet.Address} provider {wallet.ProviderId} stake {FormatLnq(stake)} LNQ");
            }
        }));
        return command;
    }

    private static void PrintManifest(DevnetManifest m)
    {
        var table = new Table().AddColumn("").AddColumn("");
        table.HideHeaders();
        table.AddRow("RPC", m.RpcUrl);
        table.AddRow("chain id", m.ChainId.ToString(CultureInfo.InvariantCulture));
        table.AddRow("anvil pid", m.AnvilPid.ToString(CultureInfo.InvariantCulture));
        table.AddRow("LnqToken", m.Contracts.Token);
        table.AddRow("LinqTimelock", m.Contracts.Timelock);
        table.AddRow("LinqGovernor", m.Contracts.Governor);
        table.AddRow("ProviderRegistry", m.Contracts.Registry);
        table.AddRow("RewardPool", m.Contracts.RewardPool);
        table.AddRow("JobEscrow", m.Contracts.Escrow);
        table.AddRow("DisputeCourt", m.Contracts.Court);
        foreach (var w in m.Wallets)
        {
            table.AddRow($"node {w.Index}", $"{w.Address} (provider {w.ProviderId}, keystore {Markup.Escape(w.Keystore)})");
        }
        AnsiConsole.Write(table);
    }

    private static string FormatLnq(System.Numerics.BigInteger wei) =>
        (wei / SettlementParameters.Lnq).ToString(CultureInfo.InvariantCulture);

    private static async Task<int> RunAsync(Func<Task> action)
    {
        try
        {
            await action();
            return 0;
        }
        catch (LinqException ex)
        {
            await Console.Error.WriteLineAsync($"error [{ex.Code}]: {ex.Message}");
            return 1;
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
    }

    // Progress<T> posts to the thread pool and can print after the command returned; this one reports inline.
    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
