using System.Globalization;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Determinism;

namespace LinqP2P.Synth.Tabular;

/// <summary>Settings of <see cref="TabularFitter"/>.</summary>
public sealed record FitOptions
{
    /// <summary>Most quantile points kept per numeric column; default 1025 (all values of a sample up to that size).</summary>
    public int MaxQuantiles { get; init; } = 1025;

    /// <summary>Near-copy grid cell width as a share of each numeric column's range; default 0.01, 0 turns it off.</summary>
    public double MinDistance { get; init; } = 0.01;

    /// <summary>Salt of the privacy fingerprints; default a fixed constant (set it per model to unlink models).</summary>
    public ulong Salt { get; init; } = 0x6C696E7173796E74UL;

    /// <summary>Treat unique whole-number columns named like keys ("id", "*_id") as keys; default true.</summary>
    public bool DetectKeys { get; init; } = true;
}

/// <summary>
/// Fits a <see cref="TabularModel"/>: empirical quantile marginals, level frequencies, and the correlation of
/// rank-based normal scores (a Gaussian copula). Fitting runs once on the requester, so it may use
/// platform math; only sampling must be reproducible everywhere.
/// </summary>
public static class TabularFitter
{
    public static TabularModel Fit(Frame sample, FitOptions? options = null)
    {
        options ??= new FitOptions();
        if (sample.RowCount < 2)
        {
            throw new SynthInputException("synth.fit.rows", $"the sample has {sample.RowCount} rows: give at least 2.");
        }
        if (options.MinDistance is < 0 or >= 1)
        {
            throw new SynthInputException("synth.fit.privacy", "the minimum distance must lie in [0, 1).", field: "minDistance");
        }
        var n = sample.RowCount;
        var columns = new List<ColumnModel>();
        var scores = new List<double[]>();
        var copula = new List<int>();
        var numericScores = Enumerable.Range(0, sample.Columns.Count)
            .Where(c => sample.Columns[c].Kind is ColumnKind.Number or ColumnKind.Integer or ColumnKind.DateTime)
            .Select(c => NormalScores(sample.Numbers[c])).ToList();
        for (var c = 0; c < sample.Columns.Count; c++)
        {
            var spec = sample.Columns[c];
            var present = Enumerable.Range(0, n).Where(r => !sample.IsMissing(c, r)).ToArray();
            var missingRate = (double)(n - present.Length) / n;
            if (spec.Kind is ColumnKind.Categorical or ColumnKind.Boolean)
            {
                var texts = present.Select(r => spec.IsText ? sample.Texts[c][r]! : sample.Numbers[c][r] != 0 ? "true" : "false").ToArray();
                var levels = spec.Kind == ColumnKind.Boolean ? ["false", "true"] : OrderLevels(texts.Distinct(StringComparer.Ordinal));
                if (spec.Kind == ColumnKind.Categorical && !AllNumeric(levels))
                {
                    levels = OrderByStrongestPartner(levels, present, texts, numericScores);
                }
                var index = levels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
                var counts = new double[levels.Length];
                foreach (var t in texts)
                {
                    counts[index[t]]++;
                }
                var total = Math.Max(1, texts.Length);
                var probabilities = counts.Select(k => k / total).ToArray();
                if (texts.Length == 0)
                {
                    probabilities[0] = 1;
                }
                columns.Add(new ColumnModel
                {
                    Name = spec.Name,
                    Kind = spec.Kind,
                    MissingRate = missingRate,
                    Levels = levels,
                    Probabilities = probabilities,
                });
                // A level's normal score is the midpoint of its cumulative interval, so ordered codes keep their order.
                var mid = new double[levels.Length];
                var cum = 0.0;
                for (var k = 0; k < levels.Length; k++)
                {
                    mid[k] = DetMath.NormalQuantile(Math.Clamp(cum + (probabilities[k] / 2), 1e-9, 1 - 1e-9));
                    cum += probabilities[k];
                }
                var z = Enumerable.Repeat(double.NaN, n).ToArray();
                for (var i = 0; i < present.Length; i++)
                {
                    z[present[i]] = mid[index[texts[i]]];
                }
                copula.Add(columns.Count - 1);
                scores.Add(z);
                continue;
            }
            var values = present.Select(r => sample.Numbers[c][r]).ToArray();
            var sorted = values.Order().ToArray();
            if (options.DetectKeys && spec.Kind == ColumnKind.Integer && present.Length == n && n >= 10
                && LooksLikeKey(spec.Name) && sorted.Distinct().Count() == n)
            {
                columns.Add(new ColumnModel
                {
                    Name = spec.Name,
                    Kind = spec.Kind,
                    Unique = true,
                    KeyStart = (long)sorted[^1] + 1,
                });
                continue;
            }
            columns.Add(new ColumnModel
            {
                Name = spec.Name,
                Kind = spec.Kind,
                Decimals = spec.Decimals,
                Precision = spec.Precision,
                MissingRate = missingRate,
                Quantiles = Quantiles(sorted, options.MaxQuantiles),
            });
            copula.Add(columns.Count - 1);
            scores.Add(NormalScores(sample.Numbers[c]));
        }

        var correlation = PairwiseCorrelation(scores);
        if (CorrelationMath.Cholesky(correlation) is null)
        {
            correlation = CorrelationMath.Repair(correlation);
        }
        var model = new TabularModel
        {
            SampleRows = n,
            Columns = columns,
            CopulaColumns = copula,
            Correlation = correlation,
            Privacy = new PrivacyModel { RowFingerprints = [], CellFingerprints = [], MinDistance = options.MinDistance, Salt = options.Salt },
        };
        var guard = new PrivacyGuard(model);
        var rows = new HashSet<ulong>();
        var cells = new HashSet<ulong>();
        var tokens = new double[columns.Count];
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                tokens[c] = guard.Encode(c, sample, r);
            }
            rows.Add(guard.RowFingerprint(tokens));
            if (options.MinDistance > 0)
            {
                cells.Add(guard.CellFingerprint(tokens));
            }
        }
        return model with
        {
            Privacy = model.Privacy with { RowFingerprints = [.. rows.Order()], CellFingerprints = [.. cells.Order()] },
        };
    }

    private static bool LooksLikeKey(string name)
    {
        var lower = name.ToLowerInvariant();
        return lower is "id" or "key" or "index" || lower.EndsWith("_id", StringComparison.Ordinal) || lower.EndsWith("id", StringComparison.Ordinal) && name.EndsWith("Id", StringComparison.Ordinal);
    }

    private static bool AllNumeric(IEnumerable<string> levels) =>
        levels.All(l => double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    /// <summary>
    /// A copula gives a categorical column one normal score per level, so it can only express dependence that
    /// is monotone in the level order. Nominal levels have no order of their own, so they are ordered by
    /// their mean normal score on the numeric column they explain best (largest between-level share of
    /// variance, η²): then the strongest relation is monotone and the copula keeps it.
    /// </summary>
    private static string[] OrderByStrongestPartner(string[] levels, int[] present, string[] texts, List<double[]> numericScores)
    {
        if (levels.Length < 3 || numericScores.Count == 0)
        {
            return levels;
        }
        var bestEta = -1.0;
        Dictionary<string, double>? bestMeans = null;
        foreach (var z in numericScores)
        {
            var sums = new Dictionary<string, (double Sum, int N)>(StringComparer.Ordinal);
            double total = 0, totalSq = 0;
            var n = 0;
            for (var i = 0; i < present.Length; i++)
            {
                var v = z[present[i]];
                if (double.IsNaN(v))
                {
                    continue;
                }
                var s = sums.GetValueOrDefault(texts[i]);
                sums[texts[i]] = (s.Sum + v, s.N + 1);
                total += v;
                totalSq += v * v;
                n++;
            }
            if (n < 2)
            {
                continue;
            }
            var mean = total / n;
            var ssTotal = totalSq - (n * mean * mean);
            var ssBetween = sums.Values.Sum(s => s.N * ((s.Sum / s.N) - mean) * ((s.Sum / s.N) - mean));
            var eta = ssTotal > 0 ? ssBetween / ssTotal : 0;
            if (eta > bestEta)
            {
                bestEta = eta;
                bestMeans = sums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / kv.Value.N, StringComparer.Ordinal);
            }
        }
        return bestMeans is null ? levels
            : [.. levels.OrderBy(l => bestMeans.GetValueOrDefault(l)).ThenBy(l => l, StringComparer.Ordinal)];
    }

    /// <summary>Levels that all parse as numbers sort numerically, others ordinally: either way, reproducibly.</summary>
    private static string[] OrderLevels(IEnumerable<string> levels)
    {
        var list = levels.ToList();
        if (list.All(l => double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            return [.. list.OrderBy(l => double.Parse(l, NumberStyles.Float, CultureInfo.InvariantCulture)).ThenBy(l => l, StringComparer.Ordinal)];
        }
        return [.. list.Order(StringComparer.Ordinal)];
    }

    /// <summary>Type-7 empirical quantiles at K evenly spaced probabilities (all values when there are at most K).</summary>
    public static double[] Quantiles(double[] sorted, int maxPoints)
    {
        if (sorted.Length == 0)
        {
            return [0, 0];
        }
        if (sorted.Length == 1)
        {
            return [sorted[0], sorted[0]];
        }
        if (sorted.Length <= maxPoints)
        {
            return sorted;
        }
        var q = new double[maxPoints];
        for (var j = 0; j < maxPoints; j++)
        {
            var pos = (double)j / (maxPoints - 1) * (sorted.Length - 1);
            var i = (int)Math.Floor(pos);
            var t = pos - i;
            q[j] = i + 1 < sorted.Length ? sorted[i] + (t * (sorted[i + 1] - sorted[i])) : sorted[i];
        }
        return q;
    }

    /// <summary>Normal scores Φ⁻¹(rank / (n + 1)) with average ranks for ties; NaN stays NaN.</summary>
    public static double[] NormalScores(double[] values)
    {
        var idx = Enumerable.Range(0, values.Length).Where(i => !double.IsNaN(values[i])).OrderBy(i => values[i]).ToArray();
        var z = Enumerable.Repeat(double.NaN, values.Length).ToArray();
        var m = idx.Length;
        for (var i = 0; i < m;)
        {
            var j = i;
            while (j + 1 < m && values[idx[j + 1]] == values[idx[i]])
            {
                j++;
            }
            var rank = ((i + j) / 2.0) + 1;
            var score = DetMath.NormalQuantile(rank / (m + 1));
            for (var k = i; k <= j; k++)
            {
                z[idx[k]] = score;
            }
            i = j + 1;
        }
        return z;
    }

    /// <summary>Pearson correlation over pairwise-complete rows; 0 where a column has no spread.</summary>
    public static double[][] PairwiseCorrelation(IReadOnlyList<double[]> columns)
    {
        var m = columns.Count;
        var result = new double[m][];
        for (var i = 0; i < m; i++)
        {
            result[i] = new double[m];
            result[i][i] = 1;
        }
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var r = Pearson(columns[i], columns[j]);
                result[i][j] = r;
                result[j][i] = r;
            }
        }
        return result;
    }

    public static double Pearson(double[] a, double[] b)
    {
        double sa = 0, sb = 0;
        var n = 0;
        for (var k = 0; k < a.Length; k++)
        {
            if (!double.IsNaN(a[k]) && !double.IsNaN(b[k]))
            {
                sa += a[k];
                sb += b[k];
                n++;
            }
        }
        if (n < 2)
        {
            return 0;
        }
        double ma = sa / n, mb = sb / n, cov = 0, va = 0, vb = 0;
        for (var k = 0; k < a.Length; k++)
        {
            if (!double.IsNaN(a[k]) && !double.IsNaN(b[k]))
            {
                var da = a[k] - ma;
                var db = b[k] - mb;
                cov += da * db;
                va += da * da;
                vb += db * db;
            }
        }
        return va <= 0 || vb <= 0 ? 0 : Math.Clamp(cov / Math.Sqrt(va * vb), -1, 1);
    }
}
