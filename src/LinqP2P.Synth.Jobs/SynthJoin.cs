using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Multiformats;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Images;
using LinqP2P.Synth.Quality;
using LinqP2P.Synth.Service;

namespace LinqP2P.Synth.Jobs;

/// <summary>Where shard k sits in the joined data file: a byte range (CSV, JSONL) or a run of row groups (Parquet).</summary>
public sealed record JoinedShard(int Index, long FirstRow, long Rows, string Sha256, long? Offset, long? Length, int? FirstRowGroup, int? RowGroups);

/// <summary>The manifest of a joined dataset (SPEC.md §9.10), written as <c>manifest.json</c>.</summary>
public sealed record JoinedManifest
{
    public const string CurrentFormat = "linq-synth-dataset/1";
    public const string FileName = "manifest.json";
    public const string SpecFileName = "spec.json";

    public string Format { get; init; } = CurrentFormat;

    public required string Generator { get; init; }

    public required ulong Seed { get; init; }

    public required long Rows { get; init; }

    public required int ShardCount { get; init; }

    /// <summary>The data file (tables) or the COCO file (images).</summary>
    public required string Data { get; init; }

    public required string DataSha256 { get; init; }

    public required string SpecSha256 { get; init; }

    /// <summary>The input the shards read, copied under <c>inputs/</c> so the dataset can be verified alone.</summary>
    public string? Input { get; init; }

    public IReadOnlyList<ColumnSpec>? Columns { get; init; }

    public required IReadOnlyList<JoinedShard> Shards { get; init; }

    public string? Report { get; init; }

    public string? ReportHtml { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, QualityReport.JsonOptions);

    public static JoinedManifest FromJson(string json, string source)
    {
        try
        {
            var m = JsonSerializer.Deserialize<JoinedManifest>(json, QualityReport.JsonOptions);
            if (m is null || m.Format != CurrentFormat || m.Generator is null || m.SpecSha256 is null || m.DataSha256 is null || m.ShardCount < 1
                || m.Shards is null || m.Shards.Count != m.ShardCount || m.Shards.Any(s => s is null || s.Sha256 is null) || !ShardStats.SafeRelative(m.Data)
                || (m.Input is not null && !ShardStats.SafeRelative(m.Input)))
            {
                throw new SynthInputException("synth.dataset.manifest", $"{source} is not a {CurrentFormat} manifest: fetch the dataset again.");
            }
            return m;
        }
        catch (JsonException e)
        {
            throw new SynthInputException("synth.dataset.manifest", $"{source} is not valid JSON: {e.Message}", inner: e);
        }
    }
}

/// <summary>What the join made: the folder, its manifest, and (when stored) the directory CID.</summary>
public sealed record JoinResult(string Directory, JoinedManifest Manifest, QualityReport? Quality, Cid? Cid);

/// <summary>The real sample the report compares with (tabular): the rows the model was fitted on and the held-out rows.</summary>
public sealed record JoinSample(Frame Train, Frame? Holdout);

/// <summary>
/// Joins the N shard outputs of a synthetic data job into one dataset folder (SPEC.md §9.10): every shard's
/// stats are checked (index, count, spec hash, contiguous rows, file hash), the data files are concatenated
/// in shard order (CSV keeps one header; Parquet row groups are copied), image shards are merged into one
/// COCO file, the quality report is written, and the folder can be stored as one UnixFS directory.
/// </summary>
public static class SynthJoin
{
    public const string ReportFile = "report.json";
    public const string ReportHtmlFile = "report.html";

    /// <summary>
    /// Finds each shard's output under <paramref name="resultRoot"/>: a job result holds one folder per
    /// shard (<c>shard-0000</c>, ...) each with its <c>shard-NNNNN.json</c>; any layout with one stats file per
    /// shard works.
    /// </summary>
    public static IReadOnlyList<string> FindShardFolders(string resultRoot, int shardCount)
    {
        var folders = new string?[shardCount];
        foreach (var file in Directory.EnumerateFiles(resultRoot, "shard-*.json", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3 }))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (int.TryParse(name.AsSpan(6), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var k)
                && k < shardCount && name == Path.GetFileNameWithoutExtension(ShardWork.StatsFileName(k)))
            {
                if (folders[k] is not null && folders[k] != Path.GetDirectoryName(file))
                {
                    throw new SynthInputException("synth.join.duplicate", $"shard {k} appears twice under {resultRoot}: keep one copy of each shard.");
                }
                folders[k] = Path.GetDirectoryName(file);
            }
        }
        var missing = Enumerable.Range(0, shardCount).Where(k => folders[k] is null).ToList();
        if (missing.Count > 0)
        {
            throw new SynthInputException("synth.join.missing", $"no output for shard(s) {string.Join(", ", missing)} under {resultRoot}: wait for the job to complete or re-run those shards.");
        }
        return folders!;
    }

    public static async Task<JoinResult> JoinAsync(SynthShardSpec spec, string? inputText, IReadOnlyList<string> shardFolders, string outputDirectory,
        JoinSample? sample = null, IBlockStore? store = null, CancellationToken cancellationToken = default)
    {
        spec.Validate();
        if (shardFolders.Count < 1)
        {
            throw new SynthInputException("synth.join.missing", "there are no shard outputs to join.");
        }
        var specJson = spec.ToJson();
        var specSha = SynthRunner.Sha256Hex(specJson);
        var count = shardFolders.Count;
        var stats = new List<ShardStats>();
        var nextRow = 0L;
        for (var k = 0; k < count; k++)
        {
            var path = Path.Combine(shardFolders[k], ShardWork.StatsFileName(k));
            var s = ShardStats.FromJson(await File.ReadAllTextAsync(path, cancellationToken), path);
            if (s.Index != k || s.Count != count || s.Kind != spec.Kind)
            {
                throw new SynthInputException("synth.join.shard", $"{path} is shard {s.Index}/{s.Count} of '{s.Kind}', expected {k}/{count} of '{spec.Kind}'.");
            }
            if (s.SpecSha256 != specSha)
            {
                throw new SynthInputException("synth.join.spec", $"shard {k} was made from another shard spec (SHA-256 {s.SpecSha256}, expected {specSha}): it belongs to another request.");
            }
            if (s.FirstRow != nextRow)
            {
                throw new SynthInputException("synth.join.rows", $"shard {k} starts at row {s.FirstRow}, expected {nextRow}: the shard plans disagree.");
            }
            nextRow += s.Rows;
            var actual = await ShardSha256Async(spec, shardFolders[k], s, cancellationToken);
            if (actual != s.Sha256)
            {
                throw new SynthInputException("synth.join.hash", $"shard {k}'s files hash to {actual}, but its stats say {s.Sha256}: the output is damaged; fetch it again or re-run the shard.");
            }
            stats.Add(s);
        }

        Directory.CreateDirectory(outputDirectory);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, JoinedManifest.SpecFileName), specJson, cancellationToken);
        string? input = null;
        if (spec.InputFile is not null && inputText is not null)
        {
            Directory.CreateDirectory(Path.Combine(outputDirectory, "inputs"));
            input = "inputs/" + spec.InputFile;
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, input), inputText, cancellationToken);
        }
        var shardsDir = Path.Combine(outputDirectory, "shards");
        Directory.CreateDirectory(shardsDir);
        foreach (var s in stats)
        {
            File.Copy(Path.Combine(shardFolders[s.Index], ShardWork.StatsFileName(s.Index)), Path.Combine(shardsDir, ShardWork.StatsFileName(s.Index)), overwrite: true);
        }

        JoinedManifest manifest;
        QualityReport? quality = null;
        if (spec.Kind == "images")
        {
            manifest = await JoinImagesAsync(spec, shardFolders, stats, outputDirectory, specSha, input, cancellationToken);
        }
        else
        {
            var generator = ShardWork.CreateGenerator(spec, inputText);
            var data = "data" + DatasetWriters.Extension(spec.OutputFormat);
            var joined = spec.OutputFormat == DatasetFormat.Parquet
                ? await ParquetJoin.ConcatenateAsync(generator.Columns, shardFolders.Zip(stats, (f, s) => Path.Combine(f, s.File)).ToList(), Path.Combine(outputDirectory, data), cancellationToken)
                : await ConcatenateTextAsync(spec.OutputFormat, generator.Columns, shardFolders.Zip(stats, (f, s) => Path.Combine(f, s.File)).ToList(), Path.Combine(outputDirectory, data), cancellationToken);
            (quality, var reportHtml) = await WriteReportAsync(generator, sample, outputDirectory, cancellationToken);
            manifest = new JoinedManifest
            {
                Generator = spec.Kind,
                Seed = spec.Seed,
                Rows = nextRow,
                ShardCount = count,
                Data = data,
                DataSha256 = await FileSha256Async(Path.Combine(outputDirectory, data), cancellationToken),
                SpecSha256 = specSha,
                Input = input,
                Columns = generator.Columns,
                Shards = stats.Select((s, k) => new JoinedShard(k, s.FirstRow, s.Rows, s.Sha256,
                    joined[k].Offset, joined[k].Length, joined[k].FirstRowGroup, joined[k].RowGroups)).ToList(),
                Report = ReportFile,
                ReportHtml = reportHtml,
            };
        }
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, JoinedManifest.FileName), manifest.ToJson(), cancellationToken);
        Cid? cid = null;
        if (store is not null)
        {
            cid = (await new UnixFsImporter(store).ImportDirectoryAsync(outputDirectory, cancellationToken: cancellationToken)).Cid;
        }
        return new JoinResult(outputDirectory, manifest, quality, cid);
    }

    /// <summary>The hash a shard's stats must carry, recomputed from its files.</summary>
    public static async Task<string> ShardSha256Async(SynthShardSpec spec, string folder, ShardStats stats, CancellationToken cancellationToken)
    {
        if (spec.Kind != "images")
        {
            return await FileSha256Async(Path.Combine(folder, stats.File), cancellationToken);
        }
        var files = new List<(string, string)> { (stats.File, await FileSha256Async(Path.Combine(folder, stats.File), cancellationToken)) };
        var images = Path.Combine(folder, "images");
        if (Directory.Exists(images))
        {
            foreach (var png in Directory.EnumerateFiles(images, "*.png"))
            {
                files.Add(("images/" + Path.GetFileName(png), await FileSha256Async(png, cancellationToken)));
            }
        }
        return ShardWork.ListingSha256(files);
    }

    public static async Task<string> FileSha256Async(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new SynthInputException("synth.join.file", $"{path} is missing: the shard output is incomplete; fetch it again.");
        }
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>The header line every CSV shard starts with.</summary>
    public static byte[] CsvHeader(IReadOnlyList<ColumnSpec> columns)
    {
        var sb = new StringBuilder();
        CsvDatasetWriter.AppendRecord(sb, columns.Select(c => (string?)c.Name));
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static async Task<IReadOnlyList<(long? Offset, long? Length, int? FirstRowGroup, int? RowGroups)>> ConcatenateTextAsync(
        DatasetFormat format, IReadOnlyList<ColumnSpec> columns, IReadOnlyList<string> files, string target, CancellationToken cancellationToken)
    {
        var header = CsvHeader(columns);
        var ranges = new List<(long?, long?, int?, int?)>();
        await using var output = File.Create(target);
        for (var k = 0; k < files.Count; k++)
        {
            await using var input = File.OpenRead(files[k]);
            if (format == DatasetFormat.Csv && k > 0)
            {
                var head = new byte[header.Length];
                await input.ReadExactlyAsync(head, cancellationToken);
                if (!head.AsSpan().SequenceEqual(header))
                {
                    throw new SynthInputException("synth.join.header", $"shard {k}'s CSV does not start with the dataset's header: it was made for other columns.");
                }
            }
            var offset = output.Position;
            await input.CopyToAsync(output, cancellationToken);
            ranges.Add((offset, output.Position - offset, null, null));
        }
        return ranges;
    }

    private static async Task<(QualityReport? Quality, string? Html)> WriteReportAsync(IBlockGenerator generator, JoinSample? sample, string folder, CancellationToken cancellationToken)
    {
        // The report describes the dataset (model, seed, rows) from an even sample of its blocks, regenerated
        // here; that the providers' bytes are that dataset is what the shard hashes and `linq synth verify` check.
        var kept = new BlockSampler(generator, 100_000);
        var every = Math.Max(1, ShardPlan.BlockCountOf(generator) / Math.Max(1, 100_000 / Math.Max(1, generator.BlockRows)));
        for (var b = 0L; b < ShardPlan.BlockCountOf(generator); b += every)
        {
            cancellationToken.ThrowIfCancellationRequested();
            kept.Observe(b, generator.GenerateBlock(b));
        }
        var synthetic = kept.Collected();
        if (sample is not null)
        {
            var report = QualityEvaluator.Evaluate(sample.Train, synthetic, sample.Holdout);
            report = report with { Rows = report.Rows with { Synthetic = generator.TotalRows } };
            await File.WriteAllTextAsync(Path.Combine(folder, ReportFile), report.ToJson(), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder, ReportHtmlFile), ReportHtml.Render("Synthetic data quality", synthetic, sample.Train, report), cancellationToken);
            return (report, ReportHtmlFile);
        }
        var profile = DatasetProfile.Of(synthetic, generator.TotalRows);
        await File.WriteAllTextAsync(Path.Combine(folder, ReportFile), profile.ToJson(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder, ReportHtmlFile), ReportHtml.Render($"Synthetic {generator.Kind} data profile", synthetic, profile: profile), cancellationToken);
        return (null, ReportHtmlFile);
    }

    private static async Task<JoinedManifest> JoinImagesAsync(SynthShardSpec spec, IReadOnlyList<string> folders, IReadOnlyList<ShardStats> stats,
        string outputDirectory, string specSha, string? input, CancellationToken cancellationToken)
    {
        var images = Path.Combine(outputDirectory, "images");
        Directory.CreateDirectory(images);
        var parts = new List<CocoDataset>();
        for (var k = 0; k < folders.Count; k++)
        {
            var part = CocoDataset.FromJson(await File.ReadAllTextAsync(Path.Combine(folders[k], stats[k].File), cancellationToken));
            foreach (var image in part.Images)
            {
                if (!ShardStats.SafeRelative(image.FileName) || !image.FileName.StartsWith("images/", StringComparison.Ordinal)
                    || image.Id - 1 < stats[k].FirstRow || image.Id - 1 >= stats[k].FirstRow + stats[k].Rows)
                {
                    throw new SynthInputException("synth.join.coco", $"shard {k}'s COCO part lists {image.FileName} (id {image.Id}) outside the shard.");
                }
                File.Copy(Path.Combine(folders[k], image.FileName), Path.Combine(outputDirectory, image.FileName), overwrite: true);
            }
            parts.Add(part);
        }
        var coco = new CocoDataset(parts[0].Info, parts.SelectMany(p => p.Images).ToList(), parts.SelectMany(p => p.Annotations).ToList(), parts[0].Categories);
        const string data = "annotations.json";
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, data), coco.ToJson(), cancellationToken);
        var perClass = ImageGenerator.Categories.ToDictionary(c => c.Name, c => (long)coco.Annotations.Count(a => a.CategoryId == c.Id));
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, ReportFile), JsonSerializer.Serialize(new
        {
            format = "linq-synth-images-profile/1",
            images = coco.Images.Count,
            annotations = coco.Annotations.Count,
            objectsPerClass = perClass,
        }, QualityReport.JsonOptions), cancellationToken);
        return new JoinedManifest
        {
            Generator = spec.Kind,
            Seed = spec.Seed,
            Rows = coco.Images.Count,
            ShardCount = folders.Count,
            Data = data,
            DataSha256 = await FileSha256Async(Path.Combine(outputDirectory, data), cancellationToken),
            SpecSha256 = specSha,
            Input = input,
            Shards = stats.Select((s, k) => new JoinedShard(k, s.FirstRow, s.Rows, s.Sha256, null, null, null, null)).ToList(),
            Report = ReportFile,
        };
    }
}
