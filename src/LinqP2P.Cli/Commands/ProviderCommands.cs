using System.CommandLine;
using System.Text.Json;
using LinqP2P.Cli.Client;
using Spectre.Console;

namespace LinqP2P.Cli.Commands;

/// <summary><c>linq provider register | policy | bench | status</c>: the provider's side, through the node's API.</summary>
internal static class ProviderCommands
{
    public static Command Create()
    {
        var provider = new Command("provider", "Sell compute: register on chain, set the bidding policy, benchmark, show status.");
        provider.Subcommands.Add(Register());
        provider.Subcommands.Add(Policy());
        provider.Subcommands.Add(Bench());
        provider.Subcommands.Add(Status());
        return provider;
    }

    private static Command Register()
    {
        var c = new ClientOptions();
        var stake = new Option<string>("--stake") { Description = "LNQ to stake, e.g. 10000 (or '10000 LNQ', 'N wei').", Required = true };
        var region = new Option<string>("--region") { Description = "Region label in the capability metadata.", DefaultValueFactory = _ => "local" };
        var command = new Command("register", "Run the self-benchmark and requirements check, then register this node's wallet in the ProviderRegistry (capabilities + libp2p peer id).") { stake, region };
        c.AddTo(command);
        command.SetAction(async (parse, ct) => await ClientOptions.RunAsync(async () =>
        {
            var amount = parse.GetValue(stake)!;
            // Checked here too, so a typo is reported before the node runs a benchmark.
            LinqP2P.Node.Api.ManagementApi.ParseLnq(amount, "--stake");
            using var client = c.Connect(parse);
            var json = parse.GetValue(c.Json);
            var answer = json || Console.IsOutputRedirected
                ? await client.PostAsync("/v1/provider/register", new { stake = amount, region = parse.GetValue(region) }, ct)
                : await AnsiConsole.Status().StartAsync("benchmarking, checking the requirements, registering on chain…",
                    _ => client.PostAsync("/v1/provider/register", new { stake = amount, region = parse.GetValue(region) }, ct));
            if (json)
            {
                ClientOptions.PrintJson(answer);
                return 0;
            }
            PrintBench(answer.GetProperty("bench"));
            var r = answer.GetProperty("registration");
            Console.WriteLine(r.GetProperty("alreadyRegistered").GetBoolean()
                ? $"already registered as provider {r.GetProperty("providerId").GetString()}; capabilities updated (peer id {r.GetProperty("peerId").GetString()})"
                : $"registered as provider {r.GetProperty("providerId").GetString()} with stake {r.GetProperty("stake").GetString()} wei (peer id {r.GetProperty("peerId").GetString()})");
            return 0;
        }));
        return command;
    }

    private static Command Policy()
    {
        var c = new ClientOptions();
        var set = new Option<string[]>("--set")
        {
            Description = "Change a field, k=v (repeatable): minPricePerShard=2, maxCpuPerShard=1.5, maxMemoryPerShard=2GiB, maxGpuPerShard=0, maxDiskPerShard=10GiB, maxConcurrentShards=2, allowedImages=linq-test/*,ipfs://*",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("policy", "Show the bidding policy, or change fields of it with --set k=v.") { set };
        c.AddTo(command);
        command.SetAction(async (parse, ct) => await ClientOptions.RunAsync(async () =>
        {
            var changes = new Dictionary<string, string>();
            foreach (var pair in parse.GetValue(set) ?? [])
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new NodeApiException("cli.bad_set", $"--set '{pair}' is not k=v; e.g. --set maxConcurrentShards=2");
                }
                changes[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
            }
            using var client = c.Connect(parse);
            var answer = changes.Count == 0 ? await client.GetAsync("/v1/provider/policy", ct) : await client.PutAsync("/v1/provider/policy", changes, ct);
            if (parse.GetValue(c.Json))
            {
                ClientOptions.PrintJson(answer);
                return 0;
            }
            var table = new Table().AddColumns("field", "value");
            foreach (var p in answer.EnumerateObject())
            {
                table.AddRow(p.Name, ClientOptions.Esc(p.Value.ValueKind == JsonValueKind.Array ? string.Join(", ", p.Value.EnumerateArray().Select(x => x.ToString())) : p.Value.ToString()));
            }
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    private static Command Bench()
    {
        var c = new ClientOptions();
        var command = new Command("bench", "Run the self-benchmark and the system-requirements check (Docker hardening verified in a probe container).");
        c.AddTo(command);
        command.SetAction(async (parse, ct) => await ClientOptions.RunAsync(async () =>
        {
            using var client = c.Connect(parse);
            var answer = await client.PostAsync("/v1/provider/bench", null, ct);
            if (parse.GetValue(c.Json))
            {
                ClientOptions.PrintJson(answer);
                return 0;
            }
            PrintBench(answer);
            return answer.GetProperty("canRunJobs").GetBoolean() ? 0 : 1;
        }));
        return command;
    }

    private static void PrintBench(JsonElement b)
    {
        var report = b.GetProperty("report");
        var host = report.GetProperty("host");
        var bench = b.GetProperty("benchmark");
        Console.WriteLine($"host: {host.GetProperty("logicalCores")} cores, {host.GetProperty("memoryTotalBytes").GetInt64() / (1 << 20)} MiB memory, {host.GetProperty("diskFreeBytes").GetInt64() / 1_000_000} MB free, {host.GetProperty("operatingSystem").GetString()}");
        Console.WriteLine($"benchmark: sha256 {bench.GetProperty("sha256MegabytesPerSecondPerCore").GetDouble():0} MB/s per core, memory copy {bench.GetProperty("memoryCopyGigabytesPerSecond").GetDouble():0.0} GB/s");
        if (report.TryGetProperty("engine", out var engine) && engine.ValueKind == JsonValueKind.Object)
        {
            Console.WriteLine($"engine: {engine.GetProperty("name").GetString()} {engine.GetProperty("version").GetString()} (API {engine.GetProperty("apiVersion").GetString()}, cgroup v{engine.GetProperty("cgroupVersion").GetString()})");
            foreach (var h in engine.GetProperty("hardening").EnumerateObject())
            {
                Console.WriteLine($"  {(h.Value.GetBoolean() ? "ok  " : "FAIL")} {h.Name}");
            }
        }
        foreach (var p in b.GetProperty("problems").EnumerateArray())
        {
            Console.WriteLine($"problem: {p.GetString()}");
        }
        Console.WriteLine(b.GetProperty("canRunJobs").GetBoolean() ? "this machine meets the provider requirements" : "this machine does NOT meet the provider requirements");
    }

    private static Command Status()
    {
        var c = new ClientOptions();
        var command = new Command("status", "Show the provider's registration, running shards, bids and earnings.");
        c.AddTo(command);
        command.SetAction(async (parse, ct) => await ClientOptions.RunAsync(async () =>
        {
            using var client = c.Connect(parse);
            var answer = await client.GetAsync("/v1/provider", ct);
            if (parse.GetValue(c.Json))
            {
                ClientOptions.PrintJson(answer);
                return 0;
            }
            Console.WriteLine(answer.GetProperty("registered").GetBoolean() ? $"registered as provider {answer.GetProperty("providerId")}" : "not registered (run `linq provider register --stake 10000`)");
            Console.WriteLine($"shards running {answer.GetProperty("runningShards")}/{answer.GetProperty("maxConcurrentShards")}, completed {answer.GetProperty("shardsCompleted")}, failed {answer.GetProperty("shardsFailed")}, bids sent {answer.GetProperty("bidsSent")}");
            Console.WriteLine($"earned {answer.GetProperty("earnedClaimed").GetString()} claimed, {answer.GetProperty("earnedPending").GetString()} pending");
            return 0;
        }));
        return command;
    }
}
