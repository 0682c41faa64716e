using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Images;
using LinqP2P.Synth.Quality;
using LinqP2P.Synth.Schema;
using LinqP2P.Synth.Tabular;

namespace LinqP2P.Synth.Service;

/// <summary>
/// What one shard wrote (SPEC.md §9.9): its files, rows, and the SHA-256 a verifier recomputes. For a
/// table, <see cref="Sha256"/> is the hash of the one shard file; for images it is the hash of a listing
/// of "sha256 &#160;path" lines (sorted by path) over the PNGs and the COCO part, like <c>sha256sum</c> prints.
/// </summary>
public sealed record ShardStats
{
    public const string CurrentFormat = "linq-synth-shard-stats/1";

    public string Format { get; init; } = CurrentFormat;

    public required string Kind { get; init; }

    public required int Index { get; init; }

    public required int Count { get; init; }

    /// <summary>First row (or image) of the shard in the whole dataset.</summary>
    public required long FirstRow { get; init; }

    public required long Rows { get; init; }

    /// <summary>The shard's data file (tables) or its COCO part (images), relative to the shard folder.</summary>
    public required string File { get; init; }

    public required long Bytes { get; init; }

    public required string Sha256 { get; init; }

    /// <summary>SHA-256 of the shard spec JSON the shard was made from.</summary>
    public required string SpecSha256 { get; init; }

    /// <summary>A profile of an even sample of the shard's blocks (tables only).</summary>
    public DatasetProfile? Profile { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, QualityReport.JsonOptions);

    public static ShardStats FromJson(string json, string source)
    {
        try
        {
            var stats = JsonSerializer.Deserialize<ShardStats>(json, QualityReport.JsonOptions);
            if (stats is null || stats.Format != CurrentFormat || stats.Kind is null || stats.Index < 0 || stats.Count < 1 || stats.Index >= stats.Count
                || stats.Rows < 0 || stats.FirstRow < 0 || stats.Sha256 is not { Length: 64 } || stats.SpecSha256 is not { Length: 64 } || !SafeRelative(stats.File))
            {
                throw new SynthInputException("synth.shard.stats", $"{source} is not a valid {CurrentFormat} document: the shard output is damaged or from another worker version.");
            }
            return stats;
        }
        catch (JsonException e)
        {
            throw new SynthInputException("synth.shard.stats", $"{source} is not valid JSON: {e.Message}", inner: e);
        }
    }

    /// <summary>A relative path inside the shard folder: no rooted path, no '..', no backslash.</summary>
    public static bool SafeRelative(string? path) =>
        !string.IsNullOrEmpty(path) && !Path.IsPathRooted(path) && !path.Contains('\\', StringComparison.Ordinal)
        && path.Split('/').All(p => p.Length > 0 && p != "." && p != "..");
}

/// <summary>
/// Runs one shard of a <see cref="SynthShardSpec"/>: the same code runs in the worker container, in
/// <c>linq synth verify</c> and in tests, so their bytes can be compared.
/// </summary>
public static class ShardWork
{
    public static string StatsFileName(int index) => $"shard-{index:D5}.json";

    public static string CocoPartName(int index) => $"coco-{index:D5}.json";

    /// <summary>Reads the spec's input file (model.json or schema.yaml) from <paramref name="inputRoot"/> and checks its hash.</summary>
    /// <remarks>
    /// The file may sit at <c>root/NAME</c>, at <c>root/*/NAME</c> (an input folder), or be <c>root/*</c>
    /// itself (an input that is a single file mounted under any name).
    /// </remarks>
    public static string? ReadInput(SynthShardSpec spec, string inputRoot)
    {
        if (spec.InputFile is not { } name)
        {
            return null;
        }
        var candidates = new List<string> { Path.Combine(inputRoot, name) };
        if (Directory.Exists(inputRoot))
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(inputRoot).Order(StringComparer.Ordinal))
            {
                candidates.Add(Directory.Exists(entry) ? Path.Combine(entry, name) : entry);
            }
        }
        foreach (var path in candidates.Where(File.Exists))
        {
            var info = new FileInfo(path);
            if (info.Length > 64L << 20)
            {
                continue;
            }
            var bytes = File.ReadAllBytes(path);
            if (Convert.ToHexStringLower(SHA256.HashData(bytes)) == spec.InputSha256)
            {
                return Encoding.UTF8.GetString(bytes);
            }
        }
        throw new SynthInputException("synth.input.missing",
            $"no {name} with SHA-256 {spec.InputSha256} under {inputRoot}: attach the {name} the request was made from as an input.", field: name);
    }

    /// <summary>The block generator of a table spec; <paramref name="input"/> is the model or schema text.</summary>
    public static IBlockGenerator CreateGenerator(SynthShardSpec spec, string? input)
    {
        spec.Validate();
        return spec.Kind switch
        {
            "tabular" => spec.BlockRows is { } b
                ? new TabularSampler(TabularModel.FromJson(Need(input, spec)), spec.Seed, spec.Rows, b)
                : new TabularSampler(TabularModel.FromJson(Need(input, spec)), spec.Seed, spec.Rows),
            "schema" => spec.BlockRows is { } s
                ? new SchemaGenerator(SchemaParser.Parse(Need(input, spec)), spec.Seed, spec.Rows == 0 ? null : spec.Rows, s)
                : new SchemaGenerator(SchemaParser.Parse(Need(input, spec)), spec.Seed, spec.Rows == 0 ? null : spec.Rows),
            "transactions" => new TransactionsGenerator(spec.Transactions!, spec.Seed),
            "network" => new NetworkGenerator(spec.Network!, spec.Seed),
            "sensor" => new SensorGenerator(spec.Sensor!, spec.Seed),
            _ => throw new SynthInputException("synth.spec.kind", $"'{spec.Kind}' is not a table generator.", field: "kind"),
        };
    }

    private static string Need(string? input, SynthShardSpec spec) =>
        input ?? throw new SynthInputException("synth.input.missing", $"a {spec.Kind} shard needs its {spec.InputFile}.", field: spec.InputFile);

    /// <summary>First row (or image) and row count of every shard: whole blocks per shard for tables (§9.3).</summary>
    public static IReadOnlyList<(long FirstRow, long Rows)> Plan(SynthShardSpec spec, string? input, int count)
    {
        if (spec.Kind == "images")
        {
            var images = new ImageGenerator(spec.Images!, spec.Seed);
            return Enumerable.Range(0, count).Select(k =>
            {
                var (first, end) = images.Shard(k, count);
                return ((long)first, (long)(end - first));
            }).ToList();
        }
        var generator = CreateGenerator(spec, input);
        return Enumerable.Range(0, count).Select(k =>
        {
            var p = ShardPlan.For(generator, k, count);
            return (p.FirstRow, p.RowCount);
        }).ToList();
    }

    /// <summary>
    /// Writes shard <paramref name="index"/> of <paramref name="count"/> into <paramref name="outputDirectory"/>:
    /// the data file (or images/ and the COCO part) and <see cref="StatsFileName"/>.
    /// </summary>
    public static async Task<ShardStats> RunAsync(SynthShardSpec spec, string? input, int index, int count, string outputDirectory,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        spec.Validate();
        Directory.CreateDirectory(outputDirectory);
        var specSha = SynthRunner.Sha256Hex(spec.ToJson());
        ShardStats stats;
        if (spec.Kind == "images")
        {
            stats = await RunImagesAsync(spec, index, count, outputDirectory, specSha, progress, cancellationToken);
        }
        else
        {
            var generator = CreateGenerator(spec, input);
            var kept = new BlockSampler(generator, 10_000);
            var plan = ShardPlan.For(generator, index, count);
            var file = SynthRunner.ShardFileName(index, count, spec.OutputFormat);
            var path = Path.Combine(outputDirectory, file);
            var result = await SynthRunner.WriteShardAsync(generator, index, count, spec.OutputFormat, path, kept.Observe, progress, cancellationToken);
            stats = new ShardStats
            {
                Kind = spec.Kind,
                Index = index,
                Count = count,
                FirstRow = plan.FirstRow,
                Rows = result.Rows,
                File = file,
                Bytes = new FileInfo(path).Length,
                Sha256 = result.Sha256,
                SpecSha256 = specSha,
                Profile = DatasetProfile.Of(kept.Collected(), result.Rows),
            };
        }
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, StatsFileName(index)), stats.ToJson(), cancellationToken);
        return stats;
    }

    private static async Task<ShardStats> RunImagesAsync(SynthShardSpec spec, int index, int count, string outputDirectory, string specSha,
        IProgress<long>? progress, CancellationToken cancellationToken)
    {
        if (count < 1 || index < 0 || index >= count)
        {
            throw new SynthInputException("synth.shards.invalid", $"shard index {index} is outside 0..{count - 1}.", field: "shard");
        }
        var generator = new ImageGenerator(spec.Images!, spec.Seed);
        var (first, end) = generator.Shard(index, count);
        var folder = Path.Combine(outputDirectory, "images");
        Directory.CreateDirectory(folder);
        var rendered = new List<RenderedImage>();
        var listing = new List<(string Path, string Sha256)>();
        var bytes = 0L;
        for (var i = first; i < end; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var image = generator.Render(i);
            await File.WriteAllBytesAsync(Path.Combine(folder, image.FileName), image.Png, cancellationToken);
            listing.Add(("images/" + image.FileName, Convert.ToHexStringLower(SHA256.HashData(image.Png))));
            bytes += image.Png.Length;
            rendered.Add(image with { Png = [] });
            progress?.Report(1);
        }
        var part = CocoPartName(index);
        var partPath = Path.Combine(outputDirectory, part);
        await File.WriteAllTextAsync(partPath, generator.Coco(rendered).ToJson(), cancellationToken);
        listing.Add((part, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(partPath, cancellationToken)))));
        return new ShardStats
        {
            Kind = spec.Kind,
            Index = index,
            Count = count,
            FirstRow = first,
            Rows = end - first,
            File = part,
            Bytes = new FileInfo(partPath).Length + bytes,
            Sha256 = ListingSha256(listing),
            SpecSha256 = specSha,
        };
    }

    /// <summary>SHA-256 of "hash  path\n" lines sorted by path (ordinal), as <c>sha256sum</c> writes them.</summary>
    public static string ListingSha256(IEnumerable<(string Path, string Sha256)> files)
    {
        var sb = new StringBuilder();
        foreach (var (path, sha) in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            sb.Append(sha).Append("  ").Append(path).Append('\n');
        }
        return SynthRunner.Sha256Hex(sb.ToString());
    }

    /// <summary>Parses a non-negative integer from the environment, or throws naming the variable.</summary>
    public static int EnvInt(IReadOnlyDictionary<string, string> env, string name, int? fallback = null)
    {
        if (!env.TryGetValue(name, out var text) || text.Length == 0)
        {
            return fallback ?? throw new SynthInputException("synth.worker.env", $"{name} is not set: the worker runs as a job shard (LINQ_SHARD_INDEX, LINQ_SHARD_COUNT, SYNTH_SPEC).", field: name);
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new SynthInputException("synth.worker.env", $"{name}='{text}' is not a non-negative integer.", field: name);
    }
}
