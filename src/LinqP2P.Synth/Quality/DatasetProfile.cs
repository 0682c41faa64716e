using System.Text.Json;
using LinqP2P.Synth.Data;

namespace LinqP2P.Synth.Quality;

/// <summary>A dataset's own summary, for generators with no sample to compare with (SPEC.md §9.5).</summary>
public sealed record DatasetProfile(string Format, long Rows, long RowsProfiled, IReadOnlyList<ColumnProfile> Columns)
{
    public static DatasetProfile Of(Frame frame, long totalRows)
    {
        var columns = new List<ColumnProfile>();
        for (var c = 0; c < frame.Columns.Count; c++)
        {
            var spec = frame.Columns[c];
            var missing = Enumerable.Range(0, frame.RowCount).Count(r => frame.IsMissing(c, r));
            if (QualityEvaluator.IsNumeric(spec))
            {
                var v = QualityEvaluator.Present(frame, c);
                var mean = v.Length == 0 ? double.NaN : v.Average();
                var sd = v.Length < 2 ? double.NaN : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
                columns.Add(new ColumnProfile(spec.Name, spec.Kind, missing, v.Length == 0 ? null : v.Min(), v.Length == 0 ? null : v.Max(),
                    double.IsNaN(mean) ? null : mean, double.IsNaN(sd) ? null : sd,
                    v.Length == 0 ? null : new[] { 0.01, 0.25, 0.5, 0.75, 0.99 }.Select(p => Statistics.Quantile(v, p)).ToArray(), null));
            }
            else
            {
                var levels = QualityEvaluator.Levels(frame, c).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                    .Take(25).ToDictionary(kv => kv.Key.Replace("\u0000missing", "(missing)", StringComparison.Ordinal), kv => (long)kv.Value);
                columns.Add(new ColumnProfile(spec.Name, spec.Kind, missing, null, null, null, null, null, levels));
            }
        }
        return new DatasetProfile("linq-synth-profile/1", totalRows, frame.RowCount, columns);
    }

    public string ToJson() => JsonSerializer.Serialize(this, QualityReport.JsonOptions);
}

/// <summary>One column's summary: numeric statistics or the 25 most frequent levels.</summary>
public sealed record ColumnProfile(
    string Name, ColumnKind Kind, long Missing, double? Min, double? Max, double? Mean, double? Sd,
    double[]? Quantiles, IReadOnlyDictionary<string, long>? TopLevels);
