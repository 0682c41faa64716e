using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Service;

namespace LinqP2P.Synth.Jobs;

/// <summary>The outcome of re-running one shard and comparing it with what the provider delivered.</summary>
/// <param name="Matches">True when the regenerated shard equals the provider's byte for byte.</param>
/// <param name="ProviderSha256">The hash the provider's shard stats carry.</param>
/// <param name="LocalSha256">The hash of the shard regenerated here.</param>
/// <param name="Detail">What was compared, or where the first difference is.</param>
public sealed record VerifyResult(int Shard, bool Matches, string ProviderSha256, string LocalSha256, long Rows, string Detail);

/// <summary>
/// Re-runs a shard on this machine and compares it with the provider's (SPEC.md §9.11). Works on a joined
/// dataset folder (manifest.json, spec.json, inputs/, data file, shards/) and on a raw job result (one
/// folder per shard holding the worker's output, plus the spec and input given separately).
/// </summary>
public static class ShardVerifier
{
    /// <summary>Verifies shard <paramref name="shard"/> of the joined dataset in <paramref name="datasetDirectory"/>.</summary>
    public static async Task<VerifyResult> VerifyDatasetAsync(string datasetDirectory, int shard, string scratch, CancellationToken cancellationToken = default)
    {
        var manifestPath = Path.Combine(datasetDirectory, JoinedManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new SynthInputException("synth.verify.not_dataset", $"{datasetDirectory} has no {JoinedManifest.FileName}: give the folder `linq synth` wrote (or fetch the job's result again).");
        }
        var manifest = JoinedManifest.FromJson(await File.ReadAllTextAsync(manifestPath, cancellationToken), manifestPath);
        if (shard < 0 || shard >= manifest.ShardCount)
        {
            throw new SynthInputException("synth.verify.shard", $"shard {shard} does not exist: the dataset has shards 0..{manifest.ShardCount - 1}.", field: "shard");
        }
        var spec = SynthShardSpec.FromJson(await File.ReadAllTextAsync(Path.Combine(datasetDirectory, JoinedManifest.SpecFileName), cancellationToken));
        if (SynthRunner.Sha256Hex(spec.ToJson()) != manifest.SpecSha256)
        {
            throw new SynthInputException("synth.verify.spec", "spec.json does not have the hash the manifest names: the dataset folder was altered.");
        }
        var input = manifest.Input is null ? null : await File.ReadAllTextAsync(Path.Combine(datasetDirectory, manifest.Input), cancellationToken);
        var expected = manifest.Shards[shard];
        var local = await ShardWork.RunAsync(spec, input, shard, manifest.ShardCount, scratch, cancellationToken: cancellationToken);
        if (local.Sha256 != expected.Sha256)
        {
            return new VerifyResult(shard, false, expected.Sha256, local.Sha256, local.Rows,
                $"the provider's shard {shard} hashes to {expected.Sha256}, this machine makes {local.Sha256}: the provider delivered other data.");
        }
        // The hashes agree; now check that the joined file really holds those bytes at the shard's place.
        var mismatch = spec.Kind == "images"
            ? await CompareImagesAsync(datasetDirectory, scratch, cancellationToken)
            : spec.OutputFormat == DatasetFormat.Parquet
                ? await CompareParquetAsync(datasetDirectory, manifest, expected, scratch, local, spec, input, cancellationToken)
                : await CompareTextAsync(datasetDirectory, manifest, expected, scratch, local, spec, input, cancellationToken);
        return mismatch is null
            ? new VerifyResult(shard, true, expected.Sha256, local.Sha256, local.Rows, $"shard {shard}: {local.Rows} rows, SHA-256 {local.Sha256}, identical to the provider's and to its place in {manifest.Data}.")
            : new VerifyResult(shard, false, expected.Sha256, local.Sha256, local.Rows, mismatch);
    }

    /// <summary>Verifies shard <paramref name="shard"/> of a raw job result (the worker's output folders) against a fresh run.</summary>
    public static async Task<VerifyResult> VerifyShardOutputAsync(SynthShardSpec spec, string? input, string resultRoot, int shard, int shardCount, string scratch,
        CancellationToken cancellationToken = default)
    {
        var folder = SynthJoin.FindShardFolders(resultRoot, shardCount)[shard];
        var path = Path.Combine(folder, ShardWork.StatsFileName(shard));
        var provider = ShardStats.FromJson(await File.ReadAllTextAsync(path, cancellationToken), path);
        var actual = await SynthJoin.ShardSha256Async(spec, folder, provider, cancellationToken);
        var local = await ShardWork.RunAsync(spec, input, shard, shardCount, scratch, cancellationToken: cancellationToken);
        if (actual != provider.Sha256)
        {
            return new VerifyResult(shard, false, provider.Sha256, local.Sha256, local.Rows, $"the provider's files hash to {actual}, not the {provider.Sha256} its stats claim.");
        }
        return local.Sha256 == provider.Sha256
            ? new VerifyResult(shard, true, provider.Sha256, local.Sha256, local.Rows, $"shard {shard}: {local.Rows} rows, SHA-256 {local.Sha256}, identical to the provider's.")
            : new VerifyResult(shard, false, provider.Sha256, local.Sha256, local.Rows, $"the provider's shard {shard} hashes to {provider.Sha256}, this machine makes {local.Sha256}: the provider delivered other data.");
    }

    private static async Task<string?> CompareTextAsync(string dir, JoinedManifest manifest, JoinedShard expected, string scratch, ShardStats local,
        SynthShardSpec spec, string? input, CancellationToken ct)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(scratch, local.File), ct);
        if (spec.OutputFormat == DatasetFormat.Csv && expected.Index > 0)
        {
            bytes = bytes[SynthJoin.CsvHeader(ShardWork.CreateGenerator(spec, input).Columns).Length..];
        }
        if (expected.Offset is not { } offset || expected.Length is not { } length || length != bytes.Length)
        {
            return $"the manifest places shard {expected.Index} at {expected.Offset}+{expected.Length}, but the shard is {bytes.Length} bytes.";
        }
        await using var data = File.OpenRead(Path.Combine(dir, manifest.Data));
        if (offset + length > data.Length)
        {
            return $"{manifest.Data} is {data.Length} bytes, too short for shard {expected.Index} at {offset}+{length}.";
        }
        data.Position = offset;
        var stored = new byte[length];
        await data.ReadExactlyAsync(stored, ct);
        var at = stored.AsSpan().CommonPrefixLength(bytes);
        return at == bytes.Length ? null : $"{manifest.Data} differs from the regenerated shard {expected.Index} at byte {offset + at}.";
    }

    private static async Task<string?> CompareParquetAsync(string dir, JoinedManifest manifest, JoinedShard expected, string scratch, ShardStats local,
        SynthShardSpec spec, string? input, CancellationToken ct)
    {
        var columns = ShardWork.CreateGenerator(spec, input).Columns;
        var mine = new List<Data.Frame>();
        await foreach (var f in ParquetJoin.ReadFramesAsync(columns, Path.Combine(scratch, local.File), ct))
        {
            if (f.RowCount > 0)
            {
                mine.Add(f);
            }
        }
        if (expected.FirstRowGroup is not { } first || expected.RowGroups != mine.Count)
        {
            return $"the manifest gives shard {expected.Index} {expected.RowGroups} row groups; the regenerated shard has {mine.Count}.";
        }
        var i = 0;
        await foreach (var theirs in ParquetJoin.ReadFramesAsync(columns, Path.Combine(dir, manifest.Data), ct, first, mine.Count))
        {
            if (!SameFrame(theirs, mine[i]))
            {
                return $"row group {first + i} of {manifest.Data} differs from the regenerated shard {expected.Index}.";
            }
            i++;
        }
        return i == mine.Count ? null : $"{manifest.Data} ends before shard {expected.Index}'s row groups.";
    }

    private static bool SameFrame(Data.Frame a, Data.Frame b)
    {
        if (a.RowCount != b.RowCount)
        {
            return false;
        }
        for (var c = 0; c < a.Columns.Count; c++)
        {
            var same = a.Columns[c].IsText
                ? a.Texts[c].AsSpan(0, a.RowCount).SequenceEqual(b.Texts[c].AsSpan(0, b.RowCount))
                : a.Numbers[c].AsSpan(0, a.RowCount).SequenceEqual(b.Numbers[c].AsSpan(0, b.RowCount));
            if (!same)
            {
                return false;
            }
        }
        return true;
    }

    private static bool Same(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);

    private static async Task<string?> CompareImagesAsync(string dir, string scratch, CancellationToken ct)
    {
        foreach (var png in Directory.EnumerateFiles(Path.Combine(scratch, "images")))
        {
            var stored = Path.Combine(dir, "images", Path.GetFileName(png));
            if (!File.Exists(stored) || !Same(await File.ReadAllBytesAsync(stored, ct), await File.ReadAllBytesAsync(png, ct)))
            {
                return $"images/{Path.GetFileName(png)} is missing from the dataset or differs from the regenerated image.";
            }
        }
        return null;
    }
}
