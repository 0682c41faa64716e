using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using LinqP2P.Synth.Data;

namespace LinqP2P.Synth.Formats;

/// <summary>The file formats a tabular dataset is written in.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DatasetFormat>))]
public enum DatasetFormat
{
    Csv,
    Jsonl,
    Parquet,
}

/// <summary>Writes frames, one after another, to one shard file.</summary>
public interface IDatasetWriter : IAsyncDisposable
{
    Task WriteAsync(Frame frame, CancellationToken cancellationToken = default);

    /// <summary>Flushes everything; the file is complete after this returns.</summary>
    Task CompleteAsync(CancellationToken cancellationToken = default);
}

public static class DatasetWriters
{
    public static string Extension(DatasetFormat format) => format switch
    {
        DatasetFormat.Csv => ".csv",
        DatasetFormat.Jsonl => ".jsonl",
        _ => ".parquet",
    };

    public static DatasetFormat Parse(string text) => text.ToLowerInvariant() switch
    {
        "csv" => DatasetFormat.Csv,
        "jsonl" or "ndjson" => DatasetFormat.Jsonl,
        "parquet" => DatasetFormat.Parquet,
        _ => throw new SynthInputException("synth.format.unknown", $"unknown format '{text}': use csv, jsonl or parquet.", field: "format"),
    };

    /// <summary>A writer for <paramref name="format"/>; <paramref name="header"/> applies to CSV only.</summary>
    public static IDatasetWriter Create(DatasetFormat format, Stream stream, IReadOnlyList<ColumnSpec> columns, bool header = true) => format switch
    {
        DatasetFormat.Csv => new CsvDatasetWriter(stream, columns, header),
        DatasetFormat.Jsonl => new JsonlDatasetWriter(stream, columns),
        _ => new ParquetDatasetWriter(stream, columns),
    };
}

/// <summary>
/// RFC 4180 output: '\n' line ends, a field is quoted only when it holds a comma, quote or line break,
/// numbers in invariant round-trip form. The same rows always give the same bytes.
/// </summary>
public sealed class CsvDatasetWriter : IDatasetWriter
{
    private readonly StreamWriter _writer;
    private readonly IReadOnlyList<ColumnSpec> _columns;
    private bool _headerPending;

    public CsvDatasetWriter(Stream stream, IReadOnlyList<ColumnSpec> columns, bool header = true)
    {
        _writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        _columns = columns;
        _headerPending = header;
    }

    public async Task WriteAsync(Frame frame, CancellationToken cancellationToken = default)
    {
        var sb = new StringBuilder(frame.RowCount * 16 * Math.Max(1, _columns.Count));
        if (_headerPending)
        {
            AppendRecord(sb, _columns.Select(c => (string?)c.Name));
            _headerPending = false;
        }
        var values = new string?[_columns.Count];
        for (var r = 0; r < frame.RowCount; r++)
        {
            for (var c = 0; c < _columns.Count; c++)
            {
                values[c] = frame.FormatValue(c, r);
            }
            AppendRecord(sb, values);
        }
        await _writer.WriteAsync(sb, cancellationToken);
    }

    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_headerPending)
        {
            await WriteAsync(new Frame(_columns, 0), cancellationToken);
        }
        await _writer.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    /// <summary>Formats one record, quoting as RFC 4180 requires.</summary>
    public static void AppendRecord(StringBuilder sb, IEnumerable<string?> values)
    {
        var first = true;
        foreach (var v in values)
        {
            if (!first)
            {
                sb.Append(',');
            }
            first = false;
            if (v is null)
            {
                continue;
            }
            if (v.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                sb.Append('"').Append(v.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(v);
            }
        }
        sb.Append('\n');
    }
}

/// <summary>
/// One JSON object per line, keys in column order, numbers as JSON numbers (System.Text.Json writes the
/// shortest round-trip form), times as ISO-8601 strings, missing values as null.
/// </summary>
public sealed class JsonlDatasetWriter : IDatasetWriter
{
    private readonly Stream _stream;
    private readonly IReadOnlyList<ColumnSpec> _columns;
    private readonly JsonEncodedText[] _names;

    public JsonlDatasetWriter(Stream stream, IReadOnlyList<ColumnSpec> columns)
    {
        _stream = stream;
        _columns = columns;
        _names = columns.Select(c => JsonEncodedText.Encode(c.Name)).ToArray();
    }

    public async Task WriteAsync(Frame frame, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        var options = new JsonWriterOptions { Indented = false, SkipValidation = true };
        for (var r = 0; r < frame.RowCount; r++)
        {
            using (var json = new Utf8JsonWriter(buffer, options))
            {
                json.WriteStartObject();
                for (var c = 0; c < _columns.Count; c++)
                {
                    WriteValue(json, frame, c, r);
                }
                json.WriteEndObject();
            }
            buffer.WriteByte((byte)'\n');
        }
        buffer.Position = 0;
        await buffer.CopyToAsync(_stream, cancellationToken);
    }

    private void WriteValue(Utf8JsonWriter json, Frame frame, int c, int r)
    {
        var spec = _columns[c];
        if (spec.IsText)
        {
            var t = frame.Texts[c][r];
            if (t is null)
            {
                json.WriteNull(_names[c]);
            }
            else
            {
                json.WriteString(_names[c], t);
            }
            return;
        }
        var v = frame.Numbers[c][r];
        if (double.IsNaN(v))
        {
            json.WriteNull(_names[c]);
            return;
        }
        switch (spec.Kind)
        {
            case ColumnKind.Integer:
                json.WriteNumber(_names[c], (long)v);
                break;
            case ColumnKind.Boolean:
                json.WriteBoolean(_names[c], v != 0);
                break;
            case ColumnKind.DateTime:
                json.WriteString(_names[c], Frame.FormatTime(v, spec.Precision));
                break;
            default:
                json.WriteNumber(_names[c], v);
                break;
        }
    }

    public Task CompleteAsync(CancellationToken cancellationToken = default) => _stream.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Helpers shared by the writers and readers.</summary>
internal static class Invariant
{
    public static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
