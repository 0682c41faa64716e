using System.Globalization;
using System.Net;
using System.Text;
using LinqP2P.Synth.Data;

namespace LinqP2P.Synth.Quality;

/// <summary>
/// A self-contained HTML page (no script, no external file): scores, then per column an inline SVG of the
/// real distribution (blue) against the synthetic one (orange): density histograms for numbers, level
/// shares for categories. Without a sample, only the synthetic distribution is drawn.
/// </summary>
public static class ReportHtml
{
    private const int Width = 360;
    private const int Height = 150;
    private const string RealColor = "#3b78c2";
    private const string SynthColor = "#e8832a";

    public static string Render(string title, Frame synthetic, Frame? real = null, QualityReport? quality = null, DatasetProfile? profile = null)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title><style>")
          .Append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}table{border-collapse:collapse}")
          .Append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.grid{display:flex;flex-wrap:wrap;gap:16px}")
          .Append(".card{border:1px solid #ddd;padding:8px;border-radius:6px}.score{font-size:28px;font-weight:600}")
          .Append(".legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}</style></head><body>");
        sb.Append("<h1>").Append(E(title)).Append("</h1>");
        if (quality is not null)
        {
            sb.Append("<p class=\"score\">Overall quality ").Append(F(quality.Overall, 3)).Append("</p><table>")
              .Append("<tr><th>Column shapes</th><td>").Append(F(quality.ColumnShapes.Score, 4)).Append("</td></tr>")
              .Append("<tr><th>Column pair trends</th><td>").Append(F(quality.ColumnPairTrends.Score, 4)).Append("</td></tr>");
            if (quality.Privacy is { } p)
            {
                sb.Append("<tr><th>Exact copies of sample rows</th><td>").Append(p.ExactCopies.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>")
                  .Append("<tr><th>Median distance to closest record (synthetic)</th><td>").Append(F(p.SyntheticDcrMedian, 4)).Append("</td></tr>");
                if (p.HoldoutDcrMedian is double h)
                {
                    sb.Append("<tr><th>Median distance to closest record (held-out real)</th><td>").Append(F(h, 4)).Append("</td></tr>");
                }
            }
            sb.Append("<tr><th>Rows (real / synthetic / compared)</th><td>")
              .Append(quality.Rows.Real.ToString(CultureInfo.InvariantCulture)).Append(" / ")
              .Append(quality.Rows.Synthetic.ToString(CultureInfo.InvariantCulture)).Append(" / ")
              .Append(quality.Rows.SyntheticCompared.ToString(CultureInfo.InvariantCulture)).Append("</td></tr></table>");
            var worst = quality.ColumnPairTrends.Items.OrderBy(i => i.Score).Take(10).ToList();
            if (worst.Count > 0)
            {
                sb.Append("<h2>Weakest column pairs</h2><table><tr><th>A</th><th>B</th><th>metric</th><th>score</th><th>real r</th><th>synthetic r</th></tr>");
                foreach (var w in worst)
                {
                    sb.Append("<tr><td>").Append(E(w.A)).Append("</td><td>").Append(E(w.B)).Append("</td><td>").Append(w.Metric)
                      .Append("</td><td>").Append(F(w.Score, 4)).Append("</td><td>").Append(w.Real is double a ? F(a, 3) : "")
                      .Append("</td><td>").Append(w.Synthetic is double s ? F(s, 3) : "").Append("</td></tr>");
                }
                sb.Append("</table>");
            }
        }
        else if (profile is not null)
        {
            sb.Append("<p>").Append(profile.Rows.ToString(CultureInfo.InvariantCulture)).Append(" rows; ")
              .Append(profile.RowsProfiled.ToString(CultureInfo.InvariantCulture)).Append(" profiled.</p>");
        }
        sb.Append("<h2>Distributions</h2><p class=\"legend\">");
        if (real is not null)
        {
            sb.Append("<span style=\"background:").Append(RealColor).Append("\"></span>real");
        }
        sb.Append("<span style=\"background:").Append(SynthColor).Append("\"></span>synthetic</p><div class=\"grid\">");
        for (var c = 0; c < synthetic.Columns.Count; c++)
        {
            var spec = synthetic.Columns[c];
            var score = quality?.ColumnShapes.Items.FirstOrDefault(s => s.Column == spec.Name);
            sb.Append("<div class=\"card\"><div><b>").Append(E(spec.Name)).Append("</b> ").Append(spec.Kind.ToString());
            if (score is not null)
            {
                sb.Append(" · ").Append(score.Metric).Append(' ').Append(F(score.Score, 3));
            }
            sb.Append("</div>");
            sb.Append(QualityEvaluator.IsNumeric(spec) ? Histogram(real, synthetic, c) : Bars(real, synthetic, c));
            sb.Append("</div>");
        }
        sb.Append("</div></body></html>\n");
        return sb.ToString();
    }

    private static string Histogram(Frame? real, Frame synth, int c)
    {
        var s = QualityEvaluator.Present(synth, c);
        var r = real is null ? [] : QualityEvaluator.Present(real, c);
        var all = r.Length > 0 ? r : s;
        if (all.Length == 0)
        {
            return "<p>(no values)</p>";
        }
        double lo = all.Min(), hi = all.Max();
        if (hi <= lo)
        {
            hi = lo + 1;
        }
        const int bins = 30;
        var hr = Density(r, lo, hi, bins);
        var hs = Density(s, lo, hi, bins);
        var max = Math.Max(hr.DefaultIfEmpty(0).Max(), hs.Max());
        var sb = Svg();
        var bw = (double)Width / bins;
        for (var i = 0; i < bins; i++)
        {
            if (real is not null)
            {
                Rect(sb, i * bw, hr[i] / max, bw / 2, RealColor);
            }
            Rect(sb, (i * bw) + (real is null ? 0 : bw / 2), hs[i] / max, real is null ? bw - 1 : bw / 2, SynthColor);
        }
        sb.Append("<text x=\"2\" y=\"").Append(Height + 14).Append("\" font-size=\"10\">").Append(E(F(lo, 4))).Append("</text>")
          .Append("<text x=\"").Append(Width - 2).Append("\" y=\"").Append(Height + 14).Append("\" font-size=\"10\" text-anchor=\"end\">")
          .Append(E(F(hi, 4))).Append("</text></svg>");
        return sb.ToString();
    }

    private static double[] Density(double[] values, double lo, double hi, int bins)
    {
        var h = new double[bins];
        foreach (var v in values)
        {
            var b = (int)((v - lo) / (hi - lo) * bins);
            h[Math.Clamp(b, 0, bins - 1)]++;
        }
        if (values.Length > 0)
        {
            for (var i = 0; i < bins; i++)
            {
                h[i] /= values.Length;
            }
        }
        return h;
    }

    private static string Bars(Frame? real, Frame synth, int c)
    {
        var hs = QualityEvaluator.Levels(synth, c);
        var hr = real is null ? [] : QualityEvaluator.Levels(real, c);
        double ts = Math.Max(1, hs.Values.Sum()), tr = Math.Max(1, hr.Values.Sum());
        var levels = hr.Keys.Union(hs.Keys).OrderByDescending(k => hr.GetValueOrDefault(k) + hs.GetValueOrDefault(k))
            .ThenBy(k => k, StringComparer.Ordinal).Take(12).ToList();
        var max = levels.Select(k => Math.Max(hr.GetValueOrDefault(k) / tr, hs.GetValueOrDefault(k) / ts)).DefaultIfEmpty(1).Max();
        var sb = Svg();
        var bw = (double)Width / Math.Max(1, levels.Count);
        for (var i = 0; i < levels.Count; i++)
        {
            if (real is not null)
            {
                Rect(sb, (i * bw) + 2, hr.GetValueOrDefault(levels[i]) / tr / max, (bw / 2) - 2, RealColor);
            }
            Rect(sb, (i * bw) + (real is null ? 2 : bw / 2), hs.GetValueOrDefault(levels[i]) / ts / max, real is null ? bw - 4 : (bw / 2) - 2, SynthColor);
            var label = levels[i].Replace("\u0000missing", "(missing)", StringComparison.Ordinal);
            sb.Append("<text x=\"").Append(F((i * bw) + (bw / 2), 1)).Append("\" y=\"").Append(Height + 14)
              .Append("\" font-size=\"9\" text-anchor=\"middle\">").Append(E(label.Length > 10 ? label[..10] : label)).Append("</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static StringBuilder Svg() => new StringBuilder()
        .Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Width).Append("\" height=\"").Append(Height + 20)
        .Append("\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height + 20).Append("\">")
        .Append("<line x1=\"0\" y1=\"").Append(Height).Append("\" x2=\"").Append(Width).Append("\" y2=\"").Append(Height).Append("\" stroke=\"#999\"/>");

    private static void Rect(StringBuilder sb, double x, double share, double w, string color)
    {
        var h = double.IsFinite(share) ? share * (Height - 4) : 0;
        sb.Append("<rect x=\"").Append(F(x, 2)).Append("\" y=\"").Append(F(Height - h, 2)).Append("\" width=\"").Append(F(Math.Max(0, w), 2))
          .Append("\" height=\"").Append(F(h, 2)).Append("\" fill=\"").Append(color).Append("\" fill-opacity=\"0.8\"/>");
    }

    private static string F(double v, int decimals) => Math.Round(v, decimals).ToString(CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
