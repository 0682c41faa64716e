using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Formats;

namespace LinqP2P.Synth.Generators;

/// <summary>What one shard produced: its file, row count and SHA-256, which a verifier recomputes.</summary>
public sealed record ShardResult(int Index, string File, long FirstRow, long Rows, string Sha256);

/// <summary>The manifest written beside a dataset (SPEC.md §9.6).</summary>
public sealed record DatasetManifest
{
    public string Format { get; init; } = "linq-synth-manifest/1";

    public required string Generator { get; init; }

    public required ulong Seed { get; init; }

    public required long Rows { get; init; }

    public required int ShardCount { get; init; }

    public required DatasetFormat OutputFormat { get; init; }

    public required IReadOnlyList<ColumnSpec> Columns { get; init; }

    public required IReadOnlyList<ShardResult> Shards { get; init; }

    /// <summary>SHA-256 of the spec (model JSON, schema YAML or generator options) the shards were made from.</summary>
    public string? SpecSha256 { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

/// <summary>Runs every shard of a generator on this machine and writes the dataset.</summary>
public static class SynthRunner
{
    public static string ShardFileName(int index, int count, DatasetFormat format) =>
        $"part-{index:D5}-of-{count:D5}{DatasetWriters.Extension(format)}";

    /// <summary>
    /// Writes shard <paramref name="index"/> of <paramref name="count"/> to <paramref name="path"/>.
    /// <paramref name="observe"/> sees each block (with its index) before it is written, for the report;
    /// <paramref name="progress"/> receives the rows written so far in this shard.
    /// </summary>
    public static async Task<ShardResult> WriteShardAsync(
        IBlockGenerator generator, int index, int count, DatasetFormat format, string path,
        Action<long, Frame>? observe = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var plan = ShardPlan.For(generator, index, count);
        await using (var file = File.Create(path))
        {
            await using var writer = DatasetWriters.Create(format, file, generator.Columns);
            var rows = 0L;
            for (var b = plan.FirstBlock; b < plan.FirstBlock + plan.BlockCount; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var frame = generator.GenerateBlock(b);
                observe?.Invoke(b, frame);
                await writer.WriteAsync(frame, cancellationToken);
                rows += frame.RowCount;
                progress?.Report(frame.RowCount);
            }
            await writer.CompleteAsync(cancellationToken);
        }
        string sha;
        await using (var read = File.OpenRead(path))
        {
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(read, cancellationToken));
        }
        return new ShardResult(index, Path.GetFileName(path), plan.FirstRow, plan.RowCount, sha);
    }

    /// <summary>Writes all shards into <paramref name="outputDirectory"/>, in parallel, then the manifest.</summary>
    public static async Task<DatasetManifest> WriteAsync(
        IBlockGenerator generator, ulong seed, int shards, DatasetFormat format, string outputDirectory,
        Action<long, Frame>? observe = null, IProgress<long>? progress = null, string? specSha256 = null,
        CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(outputDirectory);
        var results = new ShardResult[shards];
        await Parallel.ForEachAsync(Enumerable.Range(0, shards),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (k, ct) =>
            {
                var path = Path.Combine(outputDirectory, ShardFileName(k, shards, format));
                results[k] = await WriteShardAsync(generator, k, shards, format, path, observe, progress, ct);
            });
        var manifest = new DatasetManifest
        {
            Generator = generator.Kind,
            Seed = seed,
            Rows = generator.TotalRows,
            ShardCount = shards,
            OutputFormat = format,
            Columns = generator.Columns,
            Shards = results,
            SpecSha256 = specSha256,
        };
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "manifest.json"), manifest.ToJson(), cancellationToken);
        return manifest;
    }

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}

/// <summary>
/// Keeps an even sample of blocks (every k-th) while shards are written, so the report can be computed
/// on up to <c>maxRows</c> rows without holding the dataset in memory. Thread-safe.
/// </summary>
public sealed class BlockSampler(IBlockGenerator generator, int maxRows = 100_000)
{
    private readonly long _every = Math.Max(1, ShardPlan.BlockCountOf(generator) / Math.Max(1, maxRows / Math.Max(1, generator.BlockRows)));
    private readonly SortedDictionary<long, Frame> _kept = [];

    public void Observe(long block, Frame frame)
    {
        if (block % _every == 0)
        {
            lock (_kept)
            {
                _kept[block] = frame;
            }
        }
    }

    /// <summary>The kept rows, in block order.</summary>
    public Frame Collected()
    {
        lock (_kept)
        {
            return Frame.Concat(generator.Columns, _kept.Values);
        }
    }
}
