using System.CommandLine;
using System.Formats.Tar;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LinqP2P.Cli.Client;
using LinqP2P.Market.Specs;
using LinqP2P.Node.Jobs;
using Spectre.Console;

namespace LinqP2P.Cli.Commands;

/// <summary>
/// The requester's commands, each a client of the node's API: <c>linq submit | status | fetch | logs | cancel | jobs</c>.
/// </summary>
internal static class JobCommands
{
    private static readonly string[] Finished = ["completed", "failed", "cancelled", "disputed"];

    public static IEnumerable<Command> Create()
    {
        yield return Submit();
        yield return Status();
        yield return Fetch();
        yield return Logs();
        yield return Cancel();
        yield return Jobs();
    }

    private static Argument<string> JobArgument() => new("JOB") { Description = "The job id (0x + 64 hex digits) as `linq submit` printed it." };

    /// <summary>Validates a job id argument before any request, so a typo gets a clear error and no round trip.</summary>
    private static string CheckedJob(ParseResult parse, Argument<string> job)
    {
        var text = parse.GetValue(job)!;
        return JobId.Parse(text).ToString();
    }

    private static Command Submit()
    {
        var c = new ClientOptions();
        var resource = new Option<string>("--resource", "-r") { Description = "The job spec (resource.yaml).", Required = true };
        var duration = new Option<string?>("--duration") { Description = "Override the spec's duration, e.g. 2h, 30m, 1h30m." };
        var image = new Option<string?>("--image") { Description = "Override the spec's image (name:tag, name@sha256:… or ipfs://CID)." };
        var bidWindow = new Option<double?>("--bid-window") { Description = "Seconds providers may bid (1..600; default 10)." };
        var wait = new Option<bool>("--wait") { Description = "Wait until the job finishes, showing its progress." };
        var command = new Command("submit", "Submit a job to the market through the local node; prints the job id.") { resource, duration, image, bidWindow, wait };
        c.AddTo(command);
        command.SetAction(async (parse, ct) => await ClientOptions.RunAsync(async () =>
        {
            var path = parse.GetValue(resource)!;
            // Validate locally first: every problem with its line and column, before the node is asked.
            JobSpecParser.ParseFile(path);
            TimeSpan? d = null;
            if (parse.GetValue(duration) is { } dt)
            {
                d = Quantities.TryParseDuration(dt, out var parsed)
                    ? parsed
                    : throw new InvalidJobSpecException("command line", [new JobSpecError(0, 0, "--duration", $"'{dt}' is not a duration; e.g. 90s, 30m, 2h, 1h30m")]);
            }
            JobSpecParser.WithOverrides(JobSpecParser.ParseFile(path), parse.GetValue(image), d);
            if (parse.GetValue(bidWindow) is { } bw && bw is < 1 or > 600)
            {
                throw new InvalidJobSpecException("command line", [new JobSpecError(0, 0, "--bid-window", "must be between 1 and 600 seconds")]);
            }
            using var client = c.Connect(parse);
            var body = new Dictionary<string, object?> { ["spec"] = await File.ReadAllTextAsync(path, ct) };
            if (parse.GetValue(image) is { } i)
            {
                body["image"] = i;
            }
            if (parse.GetValue(duration) is { } du)
            {
                body["duration"] = du;
            }
            if (parse.GetValue(bidWindow) is { } b)
            {
                body["bidWindowSeconds"] = b;
            }
            var answer = await client.PostAsync("/v1/jobs", body, ct);
            var jobId = answer.GetProperty("jobId").GetString()!;
            var json = parse.GetValue(c.Json);
            if (!parse.GetValue(wait))
            {
                Console.WriteLine(json ? JsonSerializer.Serialize(new { jobId }) : jobId);
                return 0;
            }
            if (!json)
            {
                Console.WriteLine(jobId);
            }
            var final = await WaitAsync(client, jobId, showProgress: !json, ct);
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { jobId, state = final.GetProperty("state").GetString(), job = final }));
            }
            else
            {
                PrintJob(final);
            }
            return final.GetProperty("state").GetString() == "completed" ? 0 : 1;
        }));
        return command;
    }

    /// <summary>Follows the job's SSE stream, showing each event under a spinner, until the job is finished.</summary>
    internal static async Task<JsonElement> WaitAsync(NodeApiClient client, string jobId, bool showProgress, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var latest = "submitted";
        var follow = Task.Run(async () =>
        {
            try
            {
                using var response = await client.OpenAsync($"/v1/jobs/{jobId}/events", "text/event-stream", stop.Token);
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token), Encoding.UTF8);
                while (await reader.ReadLineAsync(stop.Token) is { } line)
                {
                    if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        using var doc = JsonDocument.Parse(line[6..]);
                        var e = doc.RootElement;
                        var text = $"{e.GetProperty("kind").GetString()}{(e.TryGetProperty("shard", out var s) && s.ValueKind == JsonValueKind.Number ? " shard " + s.GetInt32().ToString(CultureInfo.InvariantCulture) : "")}: {e.GetProperty("message").GetString()}";
                        latest = text;
                        if (showProgress)
                        {
                            AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/] {ClientOptions.Esc(text)}");
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e) when (e is IOException or HttpRequestException or NodeApiException or JsonException)
            {
                // The events are only a display; the status poll below decides when the job is done.
            }
        }, CancellationToken.None);

        JsonElement job = default;
        async Task PollAsync()
        {
            while (true)
            {
                job = await client.GetAsync($"/v1/jobs/{jobId}", ct);
                if (Finished.Contains(job.GetProperty("state").GetString()))
                {
                    return;
                }
                await Task.Delay(500, ct);
            }
        }
        if (showProgress && !Console.IsOutputRedirected)
        {
            await AnsiConsole.Status().Spinner(Spinner.Known.Dots).StartAsync("waiting for the market…", async ctx =>
            {
                var poll = PollAsync();
                while (!poll.IsCompleted)
                {
                    var state = job.ValueKind == JsonValueKind.Object ? job.GetProperty("state").GetString() : "submitted";
                    ctx.Status($"{state} — {ClientOptions.Esc(latest)}");
                    await Task.WhenAny(poll, Task.Delay(250, ct));
                }
                await poll;
            });
        }
        else
        {
            await PollAsync();
        }
        await stop.CancelAsync();
        await follow;
        return job;
    }

    private static void PrintJob(JsonElement j)
    {
        string S(string name) => j.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : "-";
        AnsiConsole.MarkupLine($"job [bold]{ClientOptions.Esc(S("jobId"))}[/] ({ClientOptions.Esc(S("name"))}): [bold]{ClientOptions.Esc(S("state"))}[/]");
        AnsiConsole.MarkupLine($"  shards {S("shardCount")} × redundancy {S("redundancy")}, max {ClientOptions.Esc(S("maxPricePerShard"))} wei per shard, locked {ClientOptions.Esc(S("totalLocked"))} wei");
        if (S("resultCid") != "-")
        {
            AnsiConsole.MarkupLine($"  result [green]{ClientOptions.Esc(S("resultCid"))}[/] (fetch it with `linq fetch {ClientOptions.Esc(S("jobId"))}`)");
        }
        if (S("error") != "-")
        {
            AnsiConsole.MarkupLine($"  [red]error[/] {ClientOptions.Esc(S("error"))}");
        }
        if (j.TryGetProperty("shards", out var shards) && shards.GetArrayLength() > 0)
        {
            var table = new Table().AddColumns("shard", "copy", "state", "provider", "price (wei)", "result");
            foreach (var s in shards.EnumerateArray())
            {
                string F(string n) => s.TryGetProperty(n, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : "";
                table.AddRow(F("shard"), F("copy"), F("state"), ClientOptions.Esc(F("providerPeerId")), F("price"), ClientOptions.Esc(F("resultCid")));
            }
            AnsiConsole.Write(table);
        }
    }

    private static Command Status()
    {
        var c = new ClientOptions();
        var job = JobArgument();
        var command = new Command("status", "Show a job's state, shard by shard.") { job };
        c.AddTo(command);
        command.SetAction(async (parse, ct) => await ClientOptions.RunAsync(async () =>
        {
            var id = CheckedJob(parse, job);
            using var client = c.Connect(parse);
            var answer = await client.GetAsync($"/v1/jobs/{id}", ct);
            if (parse.GetValue(c.Json))
            {
                ClientOptions.PrintJson(answer);
            }
            else
            {
                PrintJob(answer);
            }
            return 0;
        }));
        return command;
    }

    private static Command Fetch()
    {
        var c = new ClientOptions();
        var job = JobArgument();
        var output = new Option<string?>("--output", "-o") { Description = "Folder to write the result into (default ./<job id>)." };
        var car = new Option<bool>("--car") { Description = "Write the output DAG as one CAR file (<output>.car) instead of extracting files." };
        var cidOnly = new Option<bool>("--cid") { Description = "Only print the result's CID." };
        var command = new Command("fetch", "Download a completed job's output (files, a CAR, or just its CID).") { job, output, car, cidOnly };
        c.AddTo(command);
        command.SetAction(async (parse, ct) => await ClientOptions.RunAsync(async () =>
        {
            var id = CheckedJob(parse, job);
            using var client = c.Connect(parse);
            var answer = await client.GetAsync($"/v1/jobs/{id}/result?format=cid", ct);
            var cid = answer.GetProperty("cid").GetString()!;
            var json = parse.GetValue(c.Json);
            if (parse.GetValue(cidOnly))
            {
                Console.WriteLine(json ? JsonSerializer.Serialize(new { jobId = id, cid }) : cid);
                return 0;
            }
            var target = Path.GetFullPath(parse.GetValue(output) ?? id);
            if (parse.GetValue(car))
            {
                var file = target.EndsWith(".car", StringComparison.Ordinal) ? target : target + ".car";
                using var response = await client.OpenAsync($"/v1/jobs/{id}/result?format=car", "application/vnd.ipld.car", ct);
                await using (var f = File.Create(file))
                {
                    await response.Content.CopyToAsync(f, ct);
                }
                Console.WriteLine(json ? JsonSerializer.Serialize(new { jobId = id, cid, car = file }) : $"wrote {file} (root {cid})");
                return 0;
            }
            if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            {
                throw new NodeApiException("cli.output_exists", $"{target} exists and is not empty; choose another folder with -o.");
            }
            Directory.CreateDirectory(target);
            using (var response = await client.OpenAsync($"/v1/jobs/{id}/result?format=tar", "application/x-tar", ct))
            {
                await using var stream = await response.Content.ReadAsStreamAsync(ct);
                await TarFile.ExtractToDirectoryAsync(stream, target, overwriteFiles: false, ct);
            }
            var files = Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories).Count();
            Console.WriteLine(json ? JsonSerializer.Serialize(new { jobId = id, cid, path = target, files }) : $"fetched {files} file(s) of {cid} into {target}");
            return 0;
        }));
        return command;
    }

    private static Command Logs()
    {
        var c = new ClientOptions();
        var job = JobArgument();
        var shard = new Option<int?>("--shard") { Description = "Only this shard (0-based)." };
        var command = new Command("logs", "Print the container output (stdout, stderr) of a job's shards.") { job, shard };
        c.AddTo(command);
        command.SetAction(async (parse, ct) => await ClientOptions.RunAsync(async () =>
        {
            var id = CheckedJob(parse, job);
            if (parse.GetValue(shard) is < 0)
            {
                throw new NodeApiException("cli.bad_shard", "--shard must be 0 or more.");
            }
            using var client = c.Connect(parse);
            var answer = await client.GetAsync($"/v1/jobs/{id}/logs{(parse.GetValue(shard) is { } only ? "?shard=" + only.ToString(CultureInfo.InvariantCulture) : "")}", ct);
            if (parse.GetValue(c.Json))
            {
                ClientOptions.PrintJson(answer);
                return 0;
            }
            foreach (var s in answer.GetProperty("shards").EnumerateArray())
            {
                var k = s.GetProperty("shard").GetInt32();
                if (!s.GetProperty("available").GetBoolean())
                {
                    Console.WriteLine($"== shard {k}: no output yet");
                    continue;
                }
                Console.WriteLine($"== shard {k} stdout");
                Console.Write(s.GetProperty("stdout").GetString());
                var err = s.GetProperty("stderr").GetString();
                if (!string.IsNullOrEmpty(err))
                {
                    Console.WriteLine($"== shard {k} stderr");
                    Console.Write(err);
                }
            }
            return 0;
        }));
        return command;
    }

    private static Command Cancel()
    {
        var c = new ClientOptions();
        var job = JobArgument();
        var command = new Command("cancel", "Withdraw a job that is still collecting bids.") { job };
        c.AddTo(command);
        command.SetAction(async (parse, ct) => await ClientOptions.RunAsync(async () =>
        {
            var id = CheckedJob(parse, job);
            using var client = c.Connect(parse);
            var answer = await client.PostAsync($"/v1/jobs/{id}/cancel", null, ct);
            if (parse.GetValue(c.Json))
            {
                ClientOptions.PrintJson(answer);
            }
            else
            {
                Console.WriteLine($"{id} {answer.GetProperty("state").GetString()}");
            }
            return 0;
        }));
        return command;
    }

    private static Command Jobs()
    {
        var c = new ClientOptions();
        var command = new Command("jobs", "List the jobs this node submitted, newest first.");
        c.AddTo(command);
        command.SetAction(async (parse, ct) => await ClientOptions.RunAsync(async () =>
        {
            using var client = c.Connect(parse);
            var answer = await client.GetAsync("/v1/jobs", ct);
            if (parse.GetValue(c.Json))
            {
                ClientOptions.PrintJson(answer);
                return 0;
            }
            var jobs = answer.GetProperty("jobs");
            if (jobs.GetArrayLength() == 0)
            {
                Console.WriteLine("no jobs yet; submit one with `linq submit --resource resource.yaml`");
                return 0;
            }
            var table = new Table().AddColumns("job", "name", "state", "shards", "submitted", "result");
            foreach (var j in jobs.EnumerateArray())
            {
                table.AddRow(ClientOptions.Esc(j.GetProperty("jobId").GetString()), ClientOptions.Esc(j.GetProperty("name").GetString()), j.GetProperty("state").GetString()!,
                    j.GetProperty("shardCount").ToString(), j.GetProperty("submittedAt").ToString(),
                    ClientOptions.Esc(j.TryGetProperty("resultCid", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : ""));
            }
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }
}
