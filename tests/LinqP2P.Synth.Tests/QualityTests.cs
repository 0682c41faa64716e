using LinqP2P.Synth.Data;
using LinqP2P.Synth.Determinism;
using LinqP2P.Synth.Quality;

namespace LinqP2P.Synth.Tests;

public sealed class QualityTests
{
    [Fact]
    public void KolmogorovSmirnov_IsZeroForIdenticalAndOneForDisjointSamples()
    {
        double[] a = [1, 2, 3, 4];
        Assert.Equal(0, Statistics.KolmogorovSmirnov(a, a));
        Assert.Equal(1, Statistics.KolmogorovSmirnov(a, [10, 11]));
        Assert.Equal(0.5, Statistics.KolmogorovSmirnov(a, [3, 4]));
    }

    [Fact]
    public void TotalVariation_IsHalfTheL1DistanceOfFrequencies()
    {
        var a = new Dictionary<string, double> { ["x"] = 3, ["y"] = 1 };
        var b = new Dictionary<string, double> { ["x"] = 1, ["y"] = 1, ["z"] = 2 };
        Assert.Equal(0.5, Statistics.TotalVariation(a, b), 12);
    }

    [Fact]
    public void Report_ScoresACopyOfTheSamplePerfectlyAndFlagsEveryRowAsACopy()
    {
        var (train, holdout) = Samples.Split(Samples.Load(Samples.WineCsv()));
        var report = QualityEvaluator.Evaluate(train, train, holdout);
        Assert.Equal(1, report.Overall, 12);
        Assert.Equal(train.RowCount, report.Privacy!.ExactCopies);
        Assert.Equal(0, report.Privacy.SyntheticDcrMedian);
    }

    [Fact]
    public void Report_PenalisesDataThatLostTheColumnDependence()
    {
        var sample = Samples.Load(Samples.BreastCancerCsv());
        // Shuffle each column on its own: marginals stay exact, every correlation is destroyed.
        var shuffled = sample.Select(Enumerable.Range(0, sample.RowCount).ToList());
        var rng = new Xoshiro256StarStar(1);
        for (var c = 0; c < shuffled.Columns.Count; c++)
        {
            var col = shuffled.Columns[c].IsText ? null : shuffled.Numbers[c];
            var texts = shuffled.Texts[c];
            for (var i = shuffled.RowCount - 1; i > 0; i--)
            {
                var j = rng.NextInt(i + 1);
                if (col is not null)
                {
                    (col[i], col[j]) = (col[j], col[i]);
                }
                else
                {
                    (texts[i], texts[j]) = (texts[j], texts[i]);
                }
            }
        }
        var report = QualityEvaluator.Evaluate(sample, shuffled);
        Assert.Equal(1, report.ColumnShapes.Score, 12);
        Assert.True(report.ColumnPairTrends.Score < 0.85, $"trends {report.ColumnPairTrends.Score}");
    }

    [Fact]
    public void Report_RejectsTablesWithDifferentColumns()
    {
        var a = Samples.Load("x,y\n1,2\n3,4\n");
        var b = Samples.Load("x,z\n1,2\n3,4\n");
        Assert.Equal("synth.quality.columns", Assert.Throws<SynthInputException>(() => QualityEvaluator.Evaluate(a, b)).Code);
    }

    [Fact]
    public void Html_IsSelfContainedWithOnePlotPerColumn()
    {
        var (train, holdout) = Samples.Split(Samples.Load(Samples.WineCsv()));
        var report = QualityEvaluator.Evaluate(train, holdout, null);
        var html = ReportHtml.Render("wine <test>", holdout, train, report);
        Assert.Equal(train.Columns.Count, html.Split("<svg").Length - 1);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("wine &lt;test&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Profile_SummarisesNumbersAndLevels()
    {
        var f = Samples.Load(Samples.WineCsv());
        var p = DatasetProfile.Of(f, f.RowCount);
        Assert.Equal(f.Columns.Count, p.Columns.Count);
        Assert.Equal(QualityEvaluator.Present(f, 0).Min(), p.Columns[0].Min);
        Assert.Equal(f.RowCount, p.Columns[^1].TopLevels!.Values.Sum());
        Assert.Contains("\"kind\"", p.ToJson(), StringComparison.Ordinal);
        Assert.Equal(ColumnKind.Categorical, p.Columns[^1].Kind);
    }
}
