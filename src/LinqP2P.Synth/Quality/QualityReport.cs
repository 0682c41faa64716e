using System.Text.Json;
using System.Text.Json.Serialization;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Tabular;

namespace LinqP2P.Synth.Quality;

/// <summary>Settings of <see cref="QualityEvaluator"/>.</summary>
public sealed record QualityOptions
{
    /// <summary>Synthetic rows compared for shapes and trends (an even stride over the dataset); default 50,000.</summary>
    public int MaxSyntheticRows { get; init; } = 50_000;

    /// <summary>Synthetic rows whose distance to the closest record is computed; default 2,000.</summary>
    public int MaxDistanceRows { get; init; } = 2_000;

    /// <summary>Bins a number is cut into for contingency similarity; default 10 (deciles of the real data).</summary>
    public int Bins { get; init; } = 10;

    /// <summary>Columns left out of every score, such as generated unique keys.</summary>
    public IReadOnlySet<string> Ignore { get; init; } = new HashSet<string>();
}

/// <summary>The quality report of a tabular dataset against its sample (SPEC.md §9.5).</summary>
public sealed record QualityReport
{
    public string Format { get; init; } = "linq-synth-quality/1";

    /// <summary>Mean of <see cref="ColumnShapes"/> and <see cref="ColumnPairTrends"/> scores, in [0, 1].</summary>
    public double Overall { get; init; }

    public required RowCounts Rows { get; init; }

    public required ScoreGroup<ColumnScore> ColumnShapes { get; init; }

    public required ScoreGroup<PairScore> ColumnPairTrends { get; init; }

    public PrivacyReport? Privacy { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}

public sealed record RowCounts(int Real, long Synthetic, int? Holdout, int SyntheticCompared);

public sealed record ScoreGroup<T>(double Score, IReadOnlyList<T> Items);

/// <summary>One column's shape score: KSComplement (1 - Kolmogorov-Smirnov D) or TVComplement (1 - total variation).</summary>
public sealed record ColumnScore(string Column, string Metric, double Score);

/// <summary>One pair's trend score: CorrelationSimilarity (1 - |r_real - r_synth| / 2) or ContingencySimilarity.</summary>
public sealed record PairScore(string A, string B, string Metric, double Score, double? Real = null, double? Synthetic = null);

/// <summary>
/// Privacy against the sample: exact copies among all synthetic rows, and Gower distances to the closest
/// training record (DCR) for synthetic rows compared with those of held-out real rows. A synthetic DCR far
/// below the holdout's means the generator memorised rows.
/// </summary>
public sealed record PrivacyReport(
    long ExactCopies,
    double ExactCopyShare,
    long HoldoutRowsCopied,
    double SyntheticDcrMedian,
    double? HoldoutDcrMedian,
    double? DcrRatio,
    double? ShareCloserThanHoldoutFifthPercentile);

/// <summary>Computes <see cref="QualityReport"/>s.</summary>
public static class QualityEvaluator
{
    /// <summary>
    /// Scores <paramref name="synthetic"/> against <paramref name="real"/> (the rows the model saw) and, for
    /// privacy, against <paramref name="holdout"/> (real rows the model did not see), when given.
    /// </summary>
    public static QualityReport Evaluate(Frame real, Frame synthetic, Frame? holdout = null, QualityOptions? options = null)
    {
        options ??= new QualityOptions();
        if (real.Columns.Count != synthetic.Columns.Count || real.Columns.Zip(synthetic.Columns).Any(p => p.First.Name != p.Second.Name))
        {
            throw new SynthInputException("synth.quality.columns", "the real and synthetic tables have different columns: compare like with like.");
        }
        var compared = Stride(synthetic, options.MaxSyntheticRows);
        var cols = Enumerable.Range(0, real.Columns.Count).Where(c => !options.Ignore.Contains(real.Columns[c].Name)).ToArray();

        var shapes = new List<ColumnScore>();
        foreach (var c in cols)
        {
            shapes.Add(IsNumeric(real.Columns[c])
                ? new ColumnScore(real.Columns[c].Name, "KSComplement", 1 - Statistics.KolmogorovSmirnov(Present(real, c), Present(compared, c)))
                : new ColumnScore(real.Columns[c].Name, "TVComplement", 1 - Statistics.TotalVariation(Levels(real, c), Levels(compared, c))));
        }

        var pairs = new List<PairScore>();
        for (var i = 0; i < cols.Length; i++)
        {
            for (var j = i + 1; j < cols.Length; j++)
            {
                pairs.Add(PairTrend(real, compared, cols[i], cols[j], options.Bins));
            }
        }
        var shapeScore = shapes.Count == 0 ? 1 : shapes.Average(s => s.Score);
        var pairScore = pairs.Count == 0 ? 1 : pairs.Average(p => p.Score);
        return new QualityReport
        {
            Overall = (shapeScore + pairScore) / 2,
            Rows = new RowCounts(real.RowCount, synthetic.RowCount, holdout?.RowCount, compared.RowCount),
            ColumnShapes = new ScoreGroup<ColumnScore>(shapeScore, shapes),
            ColumnPairTrends = new ScoreGroup<PairScore>(pairScore, pairs),
            Privacy = EvaluatePrivacy(real, synthetic, holdout, cols, options),
        };
    }

    private static PairScore PairTrend(Frame real, Frame synth, int a, int b, int bins)
    {
        var na = real.Columns[a].Name;
        var nb = real.Columns[b].Name;
        if (IsNumeric(real.Columns[a]) && IsNumeric(real.Columns[b]))
        {
            var rr = TabularFitter.Pearson(real.Numbers[a], real.Numbers[b]);
            var rs = TabularFitter.Pearson(synth.Numbers[a], synth.Numbers[b]);
            return new PairScore(na, nb, "CorrelationSimilarity", 1 - (Math.Abs(rr - rs) / 2), rr, rs);
        }
        var ea = Encoder(real, a, bins);
        var eb = Encoder(real, b, bins);
        var jr = Joint(real, a, b, ea, eb);
        var js = Joint(synth, a, b, ea, eb);
        return new PairScore(na, nb, "ContingencySimilarity", 1 - Statistics.TotalVariation(jr, js));
    }

    private static Dictionary<string, double> Joint(Frame f, int a, int b, Func<Frame, int, string> ea, Func<Frame, int, string> eb)
    {
        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var r = 0; r < f.RowCount; r++)
        {
            var key = ea(f, r) + "\u001f" + eb(f, r);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    /// <summary>Maps a cell to a category label: its text, or the real data's quantile bin for numbers.</summary>
    private static Func<Frame, int, string> Encoder(Frame real, int c, int bins)
    {
        if (!IsNumeric(real.Columns[c]))
        {
            return (f, r) => f.FormatValue(c, r) ?? "\u0000missing";
        }
        var sorted = Present(real, c);
        Array.Sort(sorted);
        var edges = new double[Math.Max(0, bins - 1)];
        for (var i = 0; i < edges.Length && sorted.Length > 0; i++)
        {
            edges[i] = sorted[(int)((long)(i + 1) * (sorted.Length - 1) / bins)];
        }
        return (f, r) =>
        {
            var v = f.Numbers[c][r];
            if (double.IsNaN(v))
            {
                return "missing";
            }
            var bin = 0;
            while (bin < edges.Length && v > edges[bin])
            {
                bin++;
            }
            return bin.ToString(System.Globalization.CultureInfo.InvariantCulture);
        };
    }

    private static PrivacyReport EvaluatePrivacy(Frame train, Frame synthetic, Frame? holdout, int[] cols, QualityOptions options)
    {
        var trainRows = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < train.RowCount; r++)
        {
            trainRows.Add(RowKey(train, r, cols));
        }
        long copies = 0;
        for (var r = 0; r < synthetic.RowCount; r++)
        {
            if (trainRows.Contains(RowKey(synthetic, r, cols)))
            {
                copies++;
            }
        }
        long holdoutCopied = 0;
        if (holdout is not null)
        {
            var holdoutRows = new HashSet<string>(StringComparer.Ordinal);
            for (var r = 0; r < holdout.RowCount; r++)
            {
                var key = RowKey(holdout, r, cols);
                if (!trainRows.Contains(key))
                {
                    holdoutRows.Add(key);
                }
            }
            for (var r = 0; r < synthetic.RowCount && holdoutRows.Count > 0; r++)
            {
                if (holdoutRows.Contains(RowKey(synthetic, r, cols)))
                {
                    holdoutCopied++;
                }
            }
        }
        var distance = new GowerDistance(train, cols);
        var synthDcr = Dcr(distance, train, Stride(synthetic, options.MaxDistanceRows));
        var synthMedian = Statistics.Quantile(synthDcr, 0.5);
        double? holdoutMedian = null, ratio = null, closer = null;
        if (holdout is { RowCount: > 0 })
        {
            var holdoutDcr = Dcr(distance, train, holdout);
            holdoutMedian = Statistics.Quantile(holdoutDcr, 0.5);
            ratio = holdoutMedian > 0 ? synthMedian / holdoutMedian : null;
            var p5 = Statistics.Quantile(holdoutDcr, 0.05);
            closer = synthDcr.Length == 0 ? 0 : (double)synthDcr.Count(d => d < p5) / synthDcr.Length;
        }
        return new PrivacyReport(copies, synthetic.RowCount == 0 ? 0 : (double)copies / synthetic.RowCount, holdoutCopied,
            synthMedian, holdoutMedian, ratio, closer);
    }

    private static double[] Dcr(GowerDistance distance, Frame train, Frame rows)
    {
        var result = new double[rows.RowCount];
        Parallel.For(0, rows.RowCount, r =>
        {
            var best = double.PositiveInfinity;
            for (var t = 0; t < train.RowCount; t++)
            {
                best = Math.Min(best, distance.Between(rows, r, train, t));
            }
            result[r] = best;
        });
        return result;
    }

    private static string RowKey(Frame f, int r, int[] cols) => string.Join('\u001f', cols.Select(c => f.FormatValue(c, r) ?? "\u0000"));

    public static bool IsNumeric(ColumnSpec spec) => spec.Kind is ColumnKind.Number or ColumnKind.Integer or ColumnKind.DateTime;

    public static double[] Present(Frame f, int c) => f.Numbers[c].Take(f.RowCount).Where(v => !double.IsNaN(v)).ToArray();

    public static Dictionary<string, double> Levels(Frame f, int c)
    {
        var counts = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var r = 0; r < f.RowCount; r++)
        {
            var key = f.FormatValue(c, r) ?? "\u0000missing";
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    /// <summary>At most <paramref name="max"/> rows taken at an even stride, so large outputs stay cheap to score.</summary>
    public static Frame Stride(Frame f, int max)
    {
        if (f.RowCount <= max)
        {
            return f;
        }
        var step = (double)f.RowCount / max;
        return f.Select(Enumerable.Range(0, max).Select(i => (int)(i * step)).ToList());
    }
}

/// <summary>Gower distance: the mean over columns of |a-b|/range for numbers and 0/1 mismatch for levels.</summary>
internal sealed class GowerDistance
{
    private readonly int[] _cols;
    private readonly bool[] _numeric;
    private readonly double[] _range;

    public GowerDistance(Frame reference, int[] cols)
    {
        _cols = cols;
        _numeric = cols.Select(c => QualityEvaluator.IsNumeric(reference.Columns[c]) || reference.Columns[c].Kind == ColumnKind.Boolean).ToArray();
        _range = cols.Select(c =>
        {
            if (reference.Columns[c].IsText)
            {
                return 0.0;
            }
            var p = QualityEvaluator.Present(reference, c);
            return p.Length == 0 ? 0 : p.Max() - p.Min();
        }).ToArray();
    }

    public double Between(Frame a, int ra, Frame b, int rb)
    {
        var sum = 0.0;
        for (var i = 0; i < _cols.Length; i++)
        {
            var c = _cols[i];
            if (_numeric[i])
            {
                var x = a.Numbers[c][ra];
                var y = b.Numbers[c][rb];
                if (double.IsNaN(x) || double.IsNaN(y))
                {
                    sum += double.IsNaN(x) && double.IsNaN(y) ? 0 : 1;
                }
                else
                {
                    sum += _range[i] > 0 ? Math.Min(1, Math.Abs(x - y) / _range[i]) : x == y ? 0 : 1;
                }
            }
            else
            {
                sum += string.Equals(a.Texts[c][ra], b.Texts[c][rb], StringComparison.Ordinal) ? 0 : 1;
            }
        }
        return _cols.Length == 0 ? 0 : sum / _cols.Length;
    }
}
