using System.Diagnostics;
using System.Text.Json;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Images;
using LinqP2P.Synth.Quality;
using LinqP2P.Synth.Schema;
using LinqP2P.Synth.Tabular;

namespace LinqP2P.Synth.Local;

/// <summary>Where and how a local run writes its dataset.</summary>
public sealed record RunOptions
{
    public required string OutputDirectory { get; init; }

    public ulong Seed { get; init; } = 1;

    /// <summary>Shards the work is cut into; default 4. The dataset does not depend on it.</summary>
    public int Shards { get; init; } = 4;

    public DatasetFormat Format { get; init; } = DatasetFormat.Csv;

    /// <summary>Rows the report is computed on (an even sample of blocks); default 100,000.</summary>
    public int ReportRows { get; init; } = 100_000;
}

/// <summary>What a local run did, printed by `--json`.</summary>
public sealed record RunSummary
{
    public required string Generator { get; init; }

    public required long Rows { get; init; }

    public required int Shards { get; init; }

    public required string Format { get; init; }

    public required string Output { get; init; }

    public required IReadOnlyList<string> Files { get; init; }

    public string? Model { get; init; }

    public string? ReportJson { get; init; }

    public string? ReportHtml { get; init; }

    /// <summary>Overall quality score, when a sample was given.</summary>
    public double? Overall { get; init; }

    public long? ExactCopies { get; init; }

    public long? RowsRedrawnByPrivacyGuard { get; init; }

    public required double Seconds { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, QualityReport.JsonOptions);
}

/// <summary>
/// The `linq synth local ...` runs: each builds a generator, writes every shard on this machine, then the
/// manifest and the report (JSON and HTML). The CLI only parses arguments and shows progress.
/// </summary>
public static class LocalRuns
{
    /// <summary>Settings of a tabular run.</summary>
    public sealed record TabularRun
    {
        /// <summary>Sample to fit (CSV, CSV.gz or Parquet); or null with <see cref="ModelPath"/>.</summary>
        public string? SamplePath { get; init; }

        /// <summary>A model fitted earlier; or null with <see cref="SamplePath"/>.</summary>
        public string? ModelPath { get; init; }

        public required long Rows { get; init; }

        public SampleOptions Sample { get; init; } = new();

        public FitOptions Fit { get; init; } = new();

        /// <summary>Share of the sample held out from fitting to measure privacy; default 0.2.</summary>
        public double Holdout { get; init; } = 0.2;
    }

    public static async Task<RunSummary> TabularAsync(TabularRun run, RunOptions options, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        if ((run.SamplePath is null) == (run.ModelPath is null))
        {
            throw new SynthInputException("synth.tabular.input", "give exactly one of --fit SAMPLE or --model MODEL.json.", field: "fit");
        }
        if (run.Holdout is < 0 or >= 0.9)
        {
            throw new SynthInputException("synth.tabular.holdout", "the holdout share must lie in [0, 0.9).", field: "holdout");
        }
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(options.OutputDirectory);
        Frame? train = null, holdout = null;
        TabularModel model;
        string? modelPath = null;
        if (run.SamplePath is not null)
        {
            var sample = await SampleLoader.LoadAsync(run.SamplePath, run.Sample, cancellationToken);
            (train, holdout) = Split(sample, run.Holdout);
            model = TabularFitter.Fit(train, run.Fit);
            modelPath = Path.Combine(options.OutputDirectory, "model.json");
            await File.WriteAllTextAsync(modelPath, model.ToJson(), cancellationToken);
        }
        else
        {
            if (!File.Exists(run.ModelPath))
            {
                throw new SynthInputException("synth.model.not_found", $"the model {run.ModelPath} does not exist: fit one with --fit SAMPLE first.");
            }
            model = TabularModel.FromJson(await File.ReadAllTextAsync(run.ModelPath!, cancellationToken));
        }
        var modelJson = model.ToJson();
        var sampler = new TabularSampler(model, options.Seed, run.Rows);
        var kept = new BlockSampler(sampler, options.ReportRows);
        var manifest = await SynthRunner.WriteAsync(sampler, options.Seed, options.Shards, options.Format, options.OutputDirectory,
            kept.Observe, progress, SynthRunner.Sha256Hex(modelJson), cancellationToken);
        var synthetic = kept.Collected();
        string reportJson = Path.Combine(options.OutputDirectory, "report.json"), reportHtml = Path.Combine(options.OutputDirectory, "report.html");
        double? overall = null;
        long? copies = null;
        if (train is not null)
        {
            var ignore = model.Columns.Where(c => c.Unique).Select(c => c.Name).ToHashSet();
            var report = QualityEvaluator.Evaluate(train, synthetic, holdout, new QualityOptions { Ignore = ignore });
            report = report with { Rows = report.Rows with { Synthetic = run.Rows } };
            overall = report.Overall;
            copies = report.Privacy?.ExactCopies;
            await File.WriteAllTextAsync(reportJson, report.ToJson(), cancellationToken);
            await File.WriteAllTextAsync(reportHtml, ReportHtml.Render("Synthetic data quality", synthetic, train, report), cancellationToken);
        }
        else
        {
            var profile = DatasetProfile.Of(synthetic, run.Rows);
            await File.WriteAllTextAsync(reportJson, profile.ToJson(), cancellationToken);
            await File.WriteAllTextAsync(reportHtml, ReportHtml.Render("Synthetic data profile", synthetic, profile: profile), cancellationToken);
        }
        return Summary(manifest, options, watch, modelPath, reportJson, reportHtml) with
        {
            Overall = overall,
            ExactCopies = copies,
            RowsRedrawnByPrivacyGuard = sampler.Rejected,
        };
    }

    /// <summary>Every k-th row is held out (k = 1 / share), so the split is reproducible and spread evenly.</summary>
    public static (Frame Train, Frame? Holdout) Split(Frame sample, double share)
    {
        if (share <= 0 || sample.RowCount < 10)
        {
            return (sample, null);
        }
        var every = Math.Max(2, (int)Math.Round(1 / share));
        var train = Enumerable.Range(0, sample.RowCount).Where(r => r % every != every - 1).ToList();
        var held = Enumerable.Range(0, sample.RowCount).Where(r => r % every == every - 1).ToList();
        return (sample.Select(train), sample.Select(held));
    }

    /// <summary>Runs any block generator and writes a profile report beside the dataset.</summary>
    public static async Task<RunSummary> GeneratorAsync(IBlockGenerator generator, RunOptions options, string specText,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(options.OutputDirectory);
        var kept = new BlockSampler(generator, options.ReportRows);
        var manifest = await SynthRunner.WriteAsync(generator, options.Seed, options.Shards, options.Format, options.OutputDirectory,
            kept.Observe, progress, SynthRunner.Sha256Hex(specText), cancellationToken);
        var profile = DatasetProfile.Of(kept.Collected(), generator.TotalRows);
        var reportJson = Path.Combine(options.OutputDirectory, "report.json");
        var reportHtml = Path.Combine(options.OutputDirectory, "report.html");
        await File.WriteAllTextAsync(reportJson, profile.ToJson(), cancellationToken);
        await File.WriteAllTextAsync(reportHtml, ReportHtml.Render($"Synthetic {generator.Kind} data profile", kept.Collected(), profile: profile), cancellationToken);
        return Summary(manifest, options, watch, null, reportJson, reportHtml);
    }

    public static Task<RunSummary> SchemaAsync(string schemaPath, long? rows, RunOptions options, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(schemaPath))
        {
            throw new SynthInputException("synth.schema.not_found", $"the schema {schemaPath} does not exist: check the path.");
        }
        var text = File.ReadAllText(schemaPath);
        var generator = new SchemaGenerator(SchemaParser.Parse(text), options.Seed, rows);
        return GeneratorAsync(generator, options, text, progress, cancellationToken);
    }

    /// <summary>Renders images into OUT/images and writes OUT/annotations.json (COCO) and a manifest.</summary>
    public static async Task<RunSummary> ImagesAsync(ImageOptions imageOptions, RunOptions options, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var generator = new ImageGenerator(imageOptions, options.Seed);
        var folder = Path.Combine(options.OutputDirectory, "images");
        Directory.CreateDirectory(folder);
        var rendered = new RenderedImage[generator.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Shards),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (k, ct) =>
            {
                var (first, end) = generator.Shard(k, options.Shards);
                for (var i = first; i < end; i++)
                {
                    var image = generator.Render(i);
                    await File.WriteAllBytesAsync(Path.Combine(folder, image.FileName), image.Png, ct);
                    rendered[i] = image with { Png = [] };
                    progress?.Report(1);
                }
            });
        var coco = generator.Coco(rendered);
        var annotations = Path.Combine(options.OutputDirectory, "annotations.json");
        await File.WriteAllTextAsync(annotations, coco.ToJson(), cancellationToken);
        var perClass = ImageGenerator.Categories.ToDictionary(c => c.Name, c => (long)coco.Annotations.Count(a => a.CategoryId == c.Id));
        var reportJson = Path.Combine(options.OutputDirectory, "report.json");
        await File.WriteAllTextAsync(reportJson, JsonSerializer.Serialize(new
        {
            format = "linq-synth-images-profile/1",
            images = coco.Images.Count,
            annotations = coco.Annotations.Count,
            objectsPerClass = perClass,
        }, QualityReport.JsonOptions), cancellationToken);
        return new RunSummary
        {
            Generator = "images",
            Rows = generator.Count,
            Shards = options.Shards,
            Format = "png+coco",
            Output = Path.GetFullPath(options.OutputDirectory),
            Files = [annotations, folder],
            ReportJson = reportJson,
            Seconds = watch.Elapsed.TotalSeconds,
        };
    }

    private static RunSummary Summary(DatasetManifest manifest, RunOptions options, Stopwatch watch, string? model, string reportJson, string reportHtml) => new()
    {
        Generator = manifest.Generator,
        Rows = manifest.Rows,
        Shards = manifest.ShardCount,
        Format = manifest.OutputFormat.ToString().ToLowerInvariant(),
        Output = Path.GetFullPath(options.OutputDirectory),
        Files = [.. manifest.Shards.Select(s => Path.Combine(options.OutputDirectory, s.File)), Path.Combine(options.OutputDirectory, "manifest.json")],
        Model = model,
        ReportJson = reportJson,
        ReportHtml = reportHtml,
        Seconds = watch.Elapsed.TotalSeconds,
    };
}
