using System.CommandLine;
using System.Globalization;
using LinqP2P.Core;
using LinqP2P.Synth;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Images;
using LinqP2P.Synth.Local;
using LinqP2P.Synth.Tabular;
using Spectre.Console;

namespace LinqP2P.Cli.Commands;

/// <summary>
/// `linq synth local KIND ...`: runs a synthetic data generator on this machine alone and writes the
/// dataset, its manifest and its report. The networked `linq synth KIND` and `linq synth verify` are in
/// SynthCommands.Network.cs.
/// </summary>
internal static partial class SynthCommands
{
    public static Command Create()
    {
        var synth = new Command("synth", "Synthetic data: generate datasets with a quality report.");
        var local = new Command("local", "Run a generator on this machine alone (no market, no network).");
        local.Subcommands.Add(Tabular());
        local.Subcommands.Add(Schema());
        local.Subcommands.Add(Transactions());
        local.Subcommands.Add(Network());
        local.Subcommands.Add(Sensor());
        local.Subcommands.Add(Images());
        synth.Subcommands.Add(local);
        AddNetwork(synth);
        return synth;
    }

    private sealed class Common
    {
        public Option<string> Output { get; } = new("--output", "-o") { Description = "Folder to write the dataset, manifest and report into.", Required = true };
        public Option<ulong> Seed { get; } = new("--seed", "-s") { Description = "Seed: the same seed gives the same bytes.", DefaultValueFactory = _ => 1 };
        public Option<int> Shards { get; } = new("--shards", "-k") { Description = "Shards to cut the work into (the dataset does not depend on it).", DefaultValueFactory = _ => 4 };
        public Option<string> Format { get; } = new("--format", "-f") { Description = "csv, jsonl or parquet.", DefaultValueFactory = _ => "csv" };
        public Option<bool> Json { get; } = new("--json") { Description = "Print a machine-readable summary instead of progress." };

        public void AddTo(Command command, bool format = true)
        {
            command.Options.Add(Output);
            command.Options.Add(Seed);
            command.Options.Add(Shards);
            if (format)
            {
                command.Options.Add(Format);
            }
            command.Options.Add(Json);
        }

        public RunOptions Read(ParseResult p, bool format = true) => new()
        {
            OutputDirectory = p.GetValue(Output)!,
            Seed = p.GetValue(Seed),
            Shards = p.GetValue(Shards) is var k and >= 1 and <= 100_000 ? k
                : throw new SynthInputException("synth.shards.invalid", "--shards must lie in 1..100000.", field: "shards"),
            Format = format ? DatasetWriters.Parse(p.GetValue(Format)!) : DatasetFormat.Csv,
        };
    }

    private static Command Tabular()
    {
        var command = new Command("tabular", "Fit a Gaussian-copula model to a sample (or load one) and sample rows like it.");
        var common = new Common();
        var fit = new Option<string?>("--fit") { Description = "Sample to learn from: .csv, .csv.gz or .parquet." };
        var model = new Option<string?>("--model") { Description = "A model.json written by an earlier --fit run." };
        var rows = new Option<long>("--rows", "-n") { Description = "Rows to generate.", DefaultValueFactory = _ => 10_000 };
        var noHeader = new Option<bool>("--no-header") { Description = "The CSV sample has no header row (columns become c0, c1, ...)." };
        var delimiter = new Option<string>("--delimiter") { Description = "CSV field separator.", DefaultValueFactory = _ => "," };
        var holdout = new Option<double>("--holdout") { Description = "Share of the sample held out to measure privacy.", DefaultValueFactory = _ => 0.2 };
        var minDistance = new Option<double>("--min-distance") { Description = "Near-copy guard cell width, as a share of each column's range (0 = off).", DefaultValueFactory = _ => 0.01 };
        foreach (var o in new Option[] { fit, model, rows, noHeader, delimiter, holdout, minDistance })
        {
            command.Options.Add(o);
        }
        common.AddTo(command);
        command.SetAction((p, ct) => RunAsync(p.GetValue(common.Json), p.GetValue(rows), progress =>
        {
            var d = p.GetValue(delimiter)!;
            if (d.Length != 1)
            {
                throw new SynthInputException("synth.csv.delimiter", "--delimiter must be one character.", field: "delimiter");
            }
            return LocalRuns.TabularAsync(new LocalRuns.TabularRun
            {
                SamplePath = p.GetValue(fit),
                ModelPath = p.GetValue(model),
                Rows = Positive(p.GetValue(rows), "rows"),
                Holdout = p.GetValue(holdout),
                Sample = new SampleOptions { Csv = new CsvReadOptions { HasHeader = !p.GetValue(noHeader), Delimiter = d[0] } },
                Fit = new FitOptions { MinDistance = p.GetValue(minDistance), Salt = p.GetValue(common.Seed) ^ 0x6C696E7173796E74UL },
            }, common.Read(p), progress, ct);
        }, ct));
        return command;
    }

    private static Command Schema()
    {
        var command = new Command("schema", "Generate rows from a YAML schema of distributions and correlations (no data needed).");
        var common = new Common();
        var schema = new Option<string>("--schema") { Description = "The YAML schema file.", Required = true };
        var rows = new Option<long?>("--rows", "-n") { Description = "Rows to generate (overrides the schema's 'rows')." };
        command.Options.Add(schema);
        command.Options.Add(rows);
        common.AddTo(command);
        command.SetAction((p, ct) => RunAsync(p.GetValue(common.Json), p.GetValue(rows) ?? 0,
            progress => LocalRuns.SchemaAsync(p.GetValue(schema)!, p.GetValue(rows), common.Read(p), progress, ct), ct));
        return command;
    }

    private static Command Transactions()
    {
        var command = new Command("transactions", "Card and bank transactions with labelled fraud patterns.");
        var common = new Common();
        var rows = new Option<long>("--rows", "-n") { Description = "Transactions to generate.", DefaultValueFactory = _ => 100_000 };
        var days = new Option<double>("--days") { Description = "Days the log covers.", DefaultValueFactory = _ => 30 };
        var start = new Option<string>("--start") { Description = "First day (UTC), yyyy-MM-dd.", DefaultValueFactory = _ => "2025-01-01" };
        var fraud = new Option<double>("--fraud-rate") { Description = "Share of rows in fraud patterns.", DefaultValueFactory = _ => 0.01 };
        var accounts = new Option<int?>("--accounts") { Description = "Accounts (default rows / 40)." };
        foreach (var o in new Option[] { rows, days, start, fraud, accounts })
        {
            command.Options.Add(o);
        }
        common.AddTo(command);
        command.SetAction((p, ct) => RunAsync(p.GetValue(common.Json), p.GetValue(rows), progress =>
        {
            var options = common.Read(p);
            var g = new TransactionsGenerator(new TransactionsOptions
            {
                Rows = Positive(p.GetValue(rows), "rows"),
                Days = p.GetValue(days),
                Start = Day(p.GetValue(start)!),
                FraudRate = p.GetValue(fraud),
                Accounts = p.GetValue(accounts),
            }, options.Seed);
            return LocalRuns.GeneratorAsync(g, options, string.Join(' ', p.Tokens.Select(t => t.Value)), progress, ct);
        }, ct));
        return command;
    }

    private static Command Network()
    {
        var command = new Command("network", "Network flow logs over a span of time with labelled attacks (scans, DDoS, brute force).");
        var common = new Common();
        var rows = new Option<long>("--rows", "-n") { Description = "Flows to generate.", DefaultValueFactory = _ => 1_000_000 };
        var days = new Option<double>("--days") { Description = "Days the log covers (365 = a year).", DefaultValueFactory = _ => 365 };
        var start = new Option<string>("--start") { Description = "First day (UTC), yyyy-MM-dd.", DefaultValueFactory = _ => "2025-01-01" };
        var attack = new Option<double>("--attack-rate") { Description = "Share of flows that belong to an attack.", DefaultValueFactory = _ => 0.03 };
        var hosts = new Option<int>("--hosts") { Description = "Internal hosts.", DefaultValueFactory = _ => 500 };
        foreach (var o in new Option[] { rows, days, start, attack, hosts })
        {
            command.Options.Add(o);
        }
        common.AddTo(command);
        command.SetAction((p, ct) => RunAsync(p.GetValue(common.Json), p.GetValue(rows), progress =>
        {
            var options = common.Read(p);
            var g = new NetworkGenerator(new NetworkOptions
            {
                Rows = Positive(p.GetValue(rows), "rows"),
                Days = p.GetValue(days),
                Start = Day(p.GetValue(start)!),
                AttackRate = p.GetValue(attack),
                Hosts = p.GetValue(hosts),
            }, options.Seed);
            return LocalRuns.GeneratorAsync(g, options, string.Join(' ', p.Tokens.Select(t => t.Value)), progress, ct);
        }, ct));
        return command;
    }

    private static Command Sensor()
    {
        var command = new Command("sensor", "Seasonal, trending, noisy sensor time series with labelled anomalies.");
        var common = new Common();
        var sensors = new Option<int>("--sensors") { Description = "Sensors.", DefaultValueFactory = _ => 10 };
        var steps = new Option<long>("--steps") { Description = "Readings per sensor.", DefaultValueFactory = _ => 10_080 };
        var interval = new Option<double>("--interval") { Description = "Seconds between readings.", DefaultValueFactory = _ => 60 };
        var start = new Option<string>("--start") { Description = "First day (UTC), yyyy-MM-dd.", DefaultValueFactory = _ => "2025-01-01" };
        var anomalies = new Option<double>("--anomalies") { Description = "Anomalies per 1,000 readings.", DefaultValueFactory = _ => 2 };
        foreach (var o in new Option[] { sensors, steps, interval, start, anomalies })
        {
            command.Options.Add(o);
        }
        common.AddTo(command);
        command.SetAction((p, ct) => RunAsync(p.GetValue(common.Json), p.GetValue(sensors) * p.GetValue(steps), progress =>
        {
            var options = common.Read(p);
            var g = new SensorGenerator(new SensorOptions
            {
                Sensors = p.GetValue(sensors),
                Steps = p.GetValue(steps),
                IntervalSeconds = p.GetValue(interval),
                Start = Day(p.GetValue(start)!),
                AnomaliesPerThousand = p.GetValue(anomalies),
            }, options.Seed);
            return LocalRuns.GeneratorAsync(g, options, string.Join(' ', p.Tokens.Select(t => t.Value)), progress, ct);
        }, ct));
        return command;
    }

    private static Command Images()
    {
        var command = new Command("images", "Procedural images of shapes as PNG, with bounding boxes and classes as COCO JSON.");
        var common = new Common();
        var count = new Option<int>("--count", "-n") { Description = "Images to render.", DefaultValueFactory = _ => 100 };
        var width = new Option<int>("--width") { Description = "Width in pixels.", DefaultValueFactory = _ => 128 };
        var height = new Option<int>("--height") { Description = "Height in pixels.", DefaultValueFactory = _ => 128 };
        var objects = new Option<int>("--max-objects") { Description = "Most objects per image.", DefaultValueFactory = _ => 5 };
        foreach (var o in new Option[] { count, width, height, objects })
        {
            command.Options.Add(o);
        }
        common.AddTo(command, format: false);
        command.SetAction((p, ct) => RunAsync(p.GetValue(common.Json), p.GetValue(count), progress =>
            LocalRuns.ImagesAsync(new ImageOptions
            {
                Count = p.GetValue(count),
                Width = p.GetValue(width),
                Height = p.GetValue(height),
                MaxObjects = p.GetValue(objects),
            }, common.Read(p, format: false), progress, ct), ct));
        return command;
    }

    /// <summary>Runs with a progress bar (or silently with --json), prints the summary, maps faults to exit codes.</summary>
    private static async Task<int> RunAsync(bool json, long total, Func<IProgress<long>?, Task<RunSummary>> run, CancellationToken ct)
    {
        try
        {
            RunSummary summary;
            if (json || Console.IsOutputRedirected)
            {
                summary = await run(null);
            }
            else
            {
                summary = null!;
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async ctx =>
                    {
                        var task = ctx.AddTask("generating", maxValue: Math.Max(1, total));
                        summary = await run(new CountingProgress(task));
                        task.Value = task.MaxValue;
                    });
            }
            if (json)
            {
                Console.WriteLine(summary.ToJson());
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"wrote {summary.Rows} {(summary.Generator == "images" ? "images" : "rows")} in {summary.Shards} shards to {summary.Output} ({summary.Seconds:F1} s)"));
                if (summary.Overall is double overall)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"quality {overall:F3}, exact copies {summary.ExactCopies}, rows redrawn by the privacy guard {summary.RowsRedrawnByPrivacyGuard}"));
                }
                if (summary.ReportHtml is not null)
                {
                    Console.WriteLine($"report: {summary.ReportHtml}");
                }
            }
            return 0;
        }
        catch (LinqException e)
        {
            await Console.Error.WriteLineAsync($"error [{e.Code}]: {e.Message}");
            return e is SynthInputException ? 2 : 1;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"error [synth.io]: {e.Message}: check the paths and free disk space.");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            await Console.Error.WriteLineAsync($"error [synth.io]: {e.Message}: choose a folder you can write to.");
            return 1;
        }
    }

    private sealed class CountingProgress(ProgressTask task) : IProgress<long>
    {
        public void Report(long value)
        {
            lock (task)
            {
                task.Increment(value);
            }
        }
    }

    private static long Positive(long value, string name) => value > 0 ? value
        : throw new SynthInputException("synth.rows.invalid", $"--{name} must be at least 1.", field: name);

    private static DateTime Day(string text) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d)
            ? DateTime.SpecifyKind(d, DateTimeKind.Utc)
            : throw new SynthInputException("synth.time.start", $"'{text}' is not a date: write it as yyyy-MM-dd.", field: "start");
}
