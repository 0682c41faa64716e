using LinqP2P.Synth.Data;
using LinqP2P.Synth.Formats;
using Parquet;
using Parquet.Schema;

namespace LinqP2P.Synth.Jobs;

/// <summary>
/// Concatenates Parquet shards by copying their row groups, in order, into one file written by the same
/// <see cref="ParquetDatasetWriter"/> the shards used. Each row group becomes a frame again (values round-trip
/// exactly: integers below 2^53, millisecond timestamps), so the joined file is byte-identical to the file a
/// single shard would have written, whatever the shard count.
/// </summary>
public static class ParquetJoin
{
    public static async Task<IReadOnlyList<(long? Offset, long? Length, int? FirstRowGroup, int? RowGroups)>> ConcatenateAsync(
        IReadOnlyList<ColumnSpec> columns, IReadOnlyList<string> files, string target, CancellationToken cancellationToken)
    {
        var ranges = new List<(long?, long?, int?, int?)>();
        var group = 0;
        await using var output = File.Create(target);
        await using (var writer = new ParquetDatasetWriter(output, columns))
        {
            for (var k = 0; k < files.Count; k++)
            {
                var first = group;
                await foreach (var frame in ReadFramesAsync(columns, files[k], cancellationToken))
                {
                    if (frame.RowCount == 0)
                    {
                        continue; // an empty shard's placeholder row group; a one-shard file has none
                    }
                    await writer.WriteAsync(frame, cancellationToken);
                    group++;
                }
                ranges.Add((null, null, first, group - first));
            }
            await writer.CompleteAsync(cancellationToken);
        }
        return ranges;
    }

    /// <summary>The row groups of a file written by <see cref="ParquetDatasetWriter"/>, as frames.</summary>
    public static async IAsyncEnumerable<Frame> ReadFramesAsync(IReadOnlyList<ColumnSpec> columns, string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default, int firstGroup = 0, int? groups = null)
    {
        await using var stream = File.OpenRead(path);
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream, null, false, cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw new SynthInputException("synth.parquet.invalid", $"{path} is not readable Parquet ({e.Message}): fetch the shard again.", inner: e);
        }
        await using (reader)
        {
            var fields = reader.Schema.GetDataFields();
            if (fields.Length != columns.Count || fields.Zip(columns).Any(p => p.First.Name != p.Second.Name))
            {
                throw new SynthInputException("synth.join.columns", $"{path} has other columns than the dataset: it was made for another request.");
            }
            var end = groups is { } g ? Math.Min(reader.RowGroupCount, firstGroup + g) : reader.RowGroupCount;
            for (var i = firstGroup; i < end; i++)
            {
                using var group = reader.OpenRowGroupReader(i);
                var n = checked((int)group.RowCount);
                var frame = new Frame(columns, n);
                for (var c = 0; c < columns.Count; c++)
                {
                    await ReadColumnAsync(group, fields[c], columns[c], frame, c, n, cancellationToken);
                }
                yield return frame;
            }
        }
    }

    private static async Task ReadColumnAsync(ParquetRowGroupReader group, DataField field, ColumnSpec spec, Frame frame, int c, int n, CancellationToken ct)
    {
        switch (spec.Kind)
        {
            case ColumnKind.Categorical:
                await group.ReadAsync(field, frame.Texts[c].AsMemory(), null, ct);
                return;
            case ColumnKind.Integer:
                Fill(await Nullable<long>(group, field, n, ct), frame.Numbers[c], v => v);
                return;
            case ColumnKind.Boolean:
                Fill(await Nullable<bool>(group, field, n, ct), frame.Numbers[c], v => v ? 1 : 0);
                return;
            case ColumnKind.DateTime:
                Fill(await Nullable<DateTime>(group, field, n, ct), frame.Numbers[c],
                    v => (v.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond / 1000.0);
                return;
            default:
                Fill(await Nullable<double>(group, field, n, ct), frame.Numbers[c], v => v);
                return;
        }
    }

    private static async Task<T?[]> Nullable<T>(ParquetRowGroupReader group, DataField field, int n, CancellationToken ct)
        where T : struct
    {
        var values = new T?[n];
        await group.ReadAsync<T>(field, values.AsMemory(), null, ct);
        return values;
    }

    private static void Fill<T>(T?[] values, double[] target, Func<T, double> map)
        where T : struct
    {
        for (var i = 0; i < values.Length; i++)
        {
            target[i] = values[i] is { } v ? map(v) : double.NaN;
        }
    }
}
