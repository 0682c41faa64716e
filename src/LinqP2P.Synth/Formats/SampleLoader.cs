using System.Globalization;
using System.IO.Compression;
using LinqP2P.Synth.Data;

namespace LinqP2P.Synth.Formats;

/// <summary>How raw sample text becomes typed columns.</summary>
public sealed record SampleOptions
{
    /// <summary>CSV dialect and limits.</summary>
    public CsvReadOptions Csv { get; init; } = new();

    /// <summary>Whole-number columns with at most this many distinct values are categorical; default 10.</summary>
    public int CategoricalMaxLevels { get; init; } = 10;

    /// <summary>Field texts read as a missing value (compared case-insensitively); default "", NA, NaN, null, ?.</summary>
    public IReadOnlyList<string> MissingTokens { get; init; } = ["", "NA", "N/A", "NaN", "null", "?"];
}

/// <summary>Loads a sample (CSV, gzip-compressed CSV or Parquet) and infers each column's kind.</summary>
public static class SampleLoader
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd"];
    private static readonly string[] DateTimeFormats =
        ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "o"];

    public static async Task<Frame> LoadAsync(string path, SampleOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SampleOptions();
        if (!File.Exists(path))
        {
            throw new SynthInputException("synth.sample.not_found", $"the sample file {path} does not exist: check the path.");
        }
        CsvTable table;
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            await using var stream = File.OpenRead(path);
            table = await ParquetIo.ReadAsTextAsync(stream, cancellationToken);
        }
        else if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            await using var file = File.OpenRead(path);
            await using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var ms = new MemoryStream();
            var buffer = new byte[81920];
            int n;
            while ((n = await gz.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (ms.Length + n > options.Csv.MaxBytes)
                {
                    throw new SynthInputException("synth.csv.oversize",
                        $"{path} decompresses to more than {options.Csv.MaxBytes} bytes: sample fewer rows.");
                }
                ms.Write(buffer, 0, n);
            }
            table = CsvReader.Parse(ms.ToArray(), options.Csv);
        }
        else
        {
            table = CsvReader.ReadFile(path, options.Csv);
        }
        return Infer(table, options);
    }

    /// <summary>
    /// Types every column: all booleans, then all numbers (whole numbers with few levels stay categorical so
    /// that codes like 0/1/2 keep their exact spelling), then all ISO-8601 dates, otherwise categorical.
    /// </summary>
    public static Frame Infer(CsvTable table, SampleOptions? options = null)
    {
        options ??= new SampleOptions();
        if (table.Rows.Count == 0)
        {
            throw new SynthInputException("synth.sample.empty", "the sample has a header but no rows: give at least 2 rows.");
        }
        var missing = new HashSet<string>(options.MissingTokens, StringComparer.OrdinalIgnoreCase);
        var specs = new List<ColumnSpec>();
        var n = table.Rows.Count;
        var raw = new List<string?[]>();
        for (var c = 0; c < table.Header.Count; c++)
        {
            var values = new string?[n];
            for (var r = 0; r < n; r++)
            {
                var v = table.Rows[r][c].Trim();
                values[r] = missing.Contains(v) ? null : v;
            }
            raw.Add(values);
            specs.Add(InferColumn(table.Header[c], values, options));
        }
        var frame = new Frame(specs, n);
        for (var c = 0; c < specs.Count; c++)
        {
            for (var r = 0; r < n; r++)
            {
                var v = raw[c][r];
                if (specs[c].IsText)
                {
                    frame.Texts[c][r] = v;
                }
                else
                {
                    frame.Numbers[c][r] = v is null ? double.NaN : ParseNumber(specs[c], v);
                }
            }
        }
        return frame;
    }

    private static ColumnSpec InferColumn(string name, string?[] values, SampleOptions options)
    {
        var present = values.Where(v => v is not null).Select(v => v!).ToList();
        if (present.Count == 0)
        {
            return new ColumnSpec(name, ColumnKind.Categorical);
        }
        if (present.All(v => bool.TryParse(v, out _)))
        {
            return new ColumnSpec(name, ColumnKind.Boolean);
        }
        if (present.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && double.IsFinite(x)))
        {
            var numbers = present.Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToList();
            var whole = numbers.All(x => x == Math.Floor(x) && Math.Abs(x) < 9e15) && present.All(v => !v.Contains('.', StringComparison.Ordinal) && !v.Contains('e', StringComparison.OrdinalIgnoreCase));
            if (whole)
            {
                return numbers.Distinct().Count() <= options.CategoricalMaxLevels
                    ? new ColumnSpec(name, ColumnKind.Categorical)
                    : new ColumnSpec(name, ColumnKind.Integer);
            }
            var decimals = present.Max(DecimalPlaces);
            return new ColumnSpec(name, ColumnKind.Number) { Decimals = decimals is >= 0 and <= 10 ? decimals : null };
        }
        if (present.All(v => DateTime.TryParseExact(v, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _)))
        {
            return new ColumnSpec(name, ColumnKind.DateTime) { Precision = TimePrecision.Date };
        }
        if (present.All(v => DateTime.TryParseExact(v, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _)))
        {
            return new ColumnSpec(name, ColumnKind.DateTime) { Precision = TimePrecision.Seconds };
        }
        return new ColumnSpec(name, ColumnKind.Categorical);
    }

    /// <summary>Decimal places written in a number's text; -1 for exponent notation.</summary>
    private static int DecimalPlaces(string v)
    {
        if (v.Contains('e', StringComparison.OrdinalIgnoreCase))
        {
            return -1;
        }
        var dot = v.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? 0 : v.Length - dot - 1;
    }

    private static double ParseNumber(ColumnSpec spec, string v) => spec.Kind switch
    {
        ColumnKind.Boolean => bool.Parse(v) ? 1 : 0,
        ColumnKind.DateTime => (DateTime.ParseExact(v, spec.Precision == TimePrecision.Date ? DateFormats : DateTimeFormats,
            CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) - DateTime.UnixEpoch).TotalSeconds,
        _ => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
