using System.Globalization;
using System.Text.Json.Serialization;

namespace LinqP2P.Synth.Data;

/// <summary>How a column's values are stored, written and compared.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ColumnKind>))]
public enum ColumnKind
{
    /// <summary>A real number; NaN is missing.</summary>
    Number,
    /// <summary>A whole number held in a double (exact up to 2^53); NaN is missing.</summary>
    Integer,
    /// <summary>Text drawn from a finite set of levels; null is missing.</summary>
    Categorical,
    /// <summary>0 or 1 held in a double; NaN is missing.</summary>
    Boolean,
    /// <summary>Seconds since 1970-01-01T00:00:00Z held in a double; NaN is missing.</summary>
    DateTime,
}

/// <summary>How a <see cref="ColumnKind.DateTime"/> column is written.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TimePrecision>))]
public enum TimePrecision
{
    /// <summary>yyyy-MM-dd</summary>
    Date,
    /// <summary>yyyy-MM-ddTHH:mm:ssZ</summary>
    Seconds,
    /// <summary>yyyy-MM-ddTHH:mm:ss.fffZ</summary>
    Milliseconds,
}

/// <summary>The name, kind and output format of one column.</summary>
public sealed record ColumnSpec(string Name, ColumnKind Kind)
{
    /// <summary>Decimal places a <see cref="ColumnKind.Number"/> is rounded to; null keeps every bit.</summary>
    public int? Decimals { get; init; }

    /// <summary>How a <see cref="ColumnKind.DateTime"/> column is written.</summary>
    public TimePrecision Precision { get; init; } = TimePrecision.Seconds;

    /// <summary>True when the column's values are stored as text (<see cref="ColumnKind.Categorical"/>).</summary>
    [JsonIgnore]
    public bool IsText => Kind == ColumnKind.Categorical;
}

/// <summary>
/// A block of rows stored by column: numbers in <c>double[]</c> (NaN for missing), text in <c>string?[]</c>
/// (null for missing). Generators fill frames; writers and the quality report read them.
/// </summary>
public sealed class Frame
{
    public Frame(IReadOnlyList<ColumnSpec> columns, int rowCount)
    {
        Columns = columns;
        RowCount = rowCount;
        Numbers = new double[columns.Count][];
        Texts = new string?[columns.Count][];
        for (var c = 0; c < columns.Count; c++)
        {
            if (columns[c].IsText)
            {
                Texts[c] = new string?[rowCount];
            }
            else
            {
                Numbers[c] = new double[rowCount];
            }
        }
    }

    public IReadOnlyList<ColumnSpec> Columns { get; }

    public int RowCount { get; private set; }

    /// <summary>Per column, the numbers (null for a text column).</summary>
    public double[][] Numbers { get; }

    /// <summary>Per column, the texts (null for a numeric column).</summary>
    public string?[][] Texts { get; }

    public int IndexOf(string name)
    {
        for (var c = 0; c < Columns.Count; c++)
        {
            if (Columns[c].Name == name)
            {
                return c;
            }
        }
        throw new KeyNotFoundException($"no column named '{name}'");
    }

    public bool IsMissing(int column, int row) =>
        Columns[column].IsText ? Texts[column][row] is null : double.IsNaN(Numbers[column][row]);

    /// <summary>Keeps only the first <paramref name="rows"/> rows (used when a block ends early).</summary>
    public void Truncate(int rows)
    {
        if (rows > RowCount || rows < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rows));
        }
        RowCount = rows;
    }

    /// <summary>The value as written to CSV: invariant culture, round-trip doubles, ISO-8601 UTC times.</summary>
    public string? FormatValue(int column, int row)
    {
        var spec = Columns[column];
        if (spec.IsText)
        {
            return Texts[column][row];
        }
        var v = Numbers[column][row];
        return double.IsNaN(v) ? null : FormatNumber(spec, v);
    }

    /// <summary>Formats a non-missing numeric value of a column of this spec.</summary>
    public static string FormatNumber(ColumnSpec spec, double v) => spec.Kind switch
    {
        ColumnKind.Integer => ((long)v).ToString(CultureInfo.InvariantCulture),
        ColumnKind.Boolean => v != 0 ? "true" : "false",
        ColumnKind.DateTime => FormatTime(v, spec.Precision),
        _ => v.ToString("R", CultureInfo.InvariantCulture),
    };

    public static string FormatTime(double unixSeconds, TimePrecision precision)
    {
        var ticks = (long)Math.Round(unixSeconds * 1000) * TimeSpan.TicksPerMillisecond;
        var t = DateTime.UnixEpoch.AddTicks(ticks);
        return precision switch
        {
            TimePrecision.Date => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            TimePrecision.Milliseconds => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            _ => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Appends the rows of <paramref name="frames"/> (same columns) into one frame.</summary>
    public static Frame Concat(IReadOnlyList<ColumnSpec> columns, IEnumerable<Frame> frames)
    {
        var list = frames.ToList();
        var result = new Frame(columns, list.Sum(f => f.RowCount));
        var offset = 0;
        foreach (var f in list)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                if (columns[c].IsText)
                {
                    Array.Copy(f.Texts[c], 0, result.Texts[c], offset, f.RowCount);
                }
                else
                {
                    Array.Copy(f.Numbers[c], 0, result.Numbers[c], offset, f.RowCount);
                }
            }
            offset += f.RowCount;
        }
        return result;
    }

    /// <summary>The rows whose indices are listed, in that order.</summary>
    public Frame Select(IReadOnlyList<int> rows)
    {
        var result = new Frame(Columns, rows.Count);
        for (var c = 0; c < Columns.Count; c++)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                if (Columns[c].IsText)
                {
                    result.Texts[c][i] = Texts[c][rows[i]];
                }
                else
                {
                    result.Numbers[c][i] = Numbers[c][rows[i]];
                }
            }
        }
        return result;
    }
}
