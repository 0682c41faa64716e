using System.Globalization;
using LinqP2P.Synth.Data;
using Parquet;
using Parquet.Schema;

namespace LinqP2P.Synth.Formats;

/// <summary>
/// Parquet output through Parquet.Net: one row group per frame, Snappy pages, nullable columns typed
/// double, int64, bool, UTC timestamp or string. Byte identity holds for the same Parquet.Net version
/// (the writer records its version in the footer); see SPEC.md §9.6.
/// </summary>
public sealed class ParquetDatasetWriter : IDatasetWriter
{
    private readonly Stream _stream;
    private readonly IReadOnlyList<ColumnSpec> _columns;
    private readonly DataField[] _fields;
    private ParquetWriter? _writer;

    public ParquetDatasetWriter(Stream stream, IReadOnlyList<ColumnSpec> columns)
    {
        _stream = stream;
        _columns = columns;
        _fields = columns.Select(Field).ToArray();
    }

    private static DataField Field(ColumnSpec c) => c.Kind switch
    {
        ColumnKind.Integer => new DataField<long?>(c.Name),
        ColumnKind.Boolean => new DataField<bool?>(c.Name),
        ColumnKind.DateTime => new DataField<DateTime?>(c.Name),
        ColumnKind.Categorical => new DataField<string>(c.Name),
        _ => new DataField<double?>(c.Name),
    };

    public async Task WriteAsync(Frame frame, CancellationToken cancellationToken = default)
    {
        _writer ??= await ParquetWriter.CreateAsync(new ParquetSchema(_fields), _stream,
            new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, false, cancellationToken);
        using var group = _writer.CreateRowGroup();
        var n = frame.RowCount;
        for (var c = 0; c < _columns.Count; c++)
        {
            var field = _fields[c];
            switch (_columns[c].Kind)
            {
                case ColumnKind.Categorical:
                    await group.WriteAsync(field, new ArraySegment<string?>(frame.Texts[c], 0, n)!, null);
                    break;
                case ColumnKind.Integer:
                    await group.WriteAsync<long>(field, Convert(frame.Numbers[c], n, v => (long)v), null, null, cancellationToken);
                    break;
                case ColumnKind.Boolean:
                    await group.WriteAsync<bool>(field, Convert(frame.Numbers[c], n, v => v != 0), null, null, cancellationToken);
                    break;
                case ColumnKind.DateTime:
                    await group.WriteAsync<DateTime>(field, Convert(frame.Numbers[c], n,
                        v => DateTime.UnixEpoch.AddTicks((long)Math.Round(v * 1000) * TimeSpan.TicksPerMillisecond)), null, null, cancellationToken);
                    break;
                default:
                    await group.WriteAsync<double>(field, Convert(frame.Numbers[c], n, v => v), null, null, cancellationToken);
                    break;
            }
        }
    }

    private static ReadOnlyMemory<T?> Convert<T>(double[] values, int n, Func<double, T> map)
        where T : struct
    {
        var result = new T?[n];
        for (var i = 0; i < n; i++)
        {
            result[i] = double.IsNaN(values[i]) ? null : map(values[i]);
        }
        return result;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_writer is null)
        {
            await WriteAsync(new Frame(_columns, 0), cancellationToken);
        }
        await _writer!.DisposeAsync();
        _writer = null;
        await _stream.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }
    }
}

/// <summary>Reads Parquet files back, as text for type inference or as typed frames for tests.</summary>
public static class ParquetIo
{
    /// <summary>Reads every flat column as invariant text, so a Parquet sample is typed exactly like a CSV one.</summary>
    public static async Task<CsvTable> ReadAsTextAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream, null, false, cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw new SynthInputException("synth.parquet.invalid", $"the file is not readable Parquet ({e.Message}): check that it is a Parquet file.", inner: e);
        }
        await using (reader)
        {
            var fields = reader.Schema.GetDataFields();
            if (fields.Any(f => f.IsArray))
            {
                throw new SynthInputException("synth.parquet.nested", "the Parquet file has repeated (list) columns: flatten it to one value per cell.");
            }
            var columns = fields.Select(_ => new List<string>()).ToArray();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var n = checked((int)group.RowCount);
                for (var c = 0; c < fields.Length; c++)
                {
                    columns[c].AddRange(await ReadTextAsync(group, fields[c], n, cancellationToken));
                }
            }
            var rows = new List<string[]>();
            var count = columns.Length == 0 ? 0 : columns[0].Count;
            for (var r = 0; r < count; r++)
            {
                rows.Add(columns.Select(col => col[r]).ToArray());
            }
            return new CsvTable(fields.Select(f => f.Name).ToList(), rows);
        }
    }

    private static async Task<IEnumerable<string>> ReadTextAsync(ParquetRowGroupReader group, DataField field, int n, CancellationToken ct)
    {
        var t = field.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>) || t == typeof(ReadOnlyMemory<byte>))
        {
            var values = new string?[n];
            await group.ReadAsync(field, values.AsMemory(), null, ct);
            return values.Select(v => v ?? "");
        }
        if (t == typeof(double))
        {
            return (await ReadNullable<double>(group, field, n, ct)).Select(v => v?.ToString("R", CultureInfo.InvariantCulture) ?? "");
        }
        if (t == typeof(float))
        {
            return (await ReadNullable<float>(group, field, n, ct)).Select(v => v is null ? "" : ((double)v.Value).ToString("R", CultureInfo.InvariantCulture));
        }
        if (t == typeof(long))
        {
            return (await ReadNullable<long>(group, field, n, ct)).Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? "");
        }
        if (t == typeof(int))
        {
            return (await ReadNullable<int>(group, field, n, ct)).Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? "");
        }
        if (t == typeof(bool))
        {
            return (await ReadNullable<bool>(group, field, n, ct)).Select(v => v is null ? "" : v.Value ? "true" : "false");
        }
        if (t == typeof(DateTime))
        {
            return (await ReadNullable<DateTime>(group, field, n, ct))
                .Select(v => v?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "");
        }
        throw new SynthInputException("synth.parquet.type", $"column type {t.Name} is not supported: use numbers, booleans, timestamps or strings.", field: field.Name);
    }

    private static async Task<T?[]> ReadNullable<T>(ParquetRowGroupReader group, DataField field, int n, CancellationToken ct)
        where T : struct
    {
        var values = new T?[n];
        await group.ReadAsync<T>(field, values.AsMemory(), null, ct);
        return values;
    }
}
