using LinqP2P.Synth.Data;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Quality;
using LinqP2P.Synth.Tabular;
using Xunit.Abstractions;

namespace LinqP2P.Synth.Tests;

public sealed class FittedQualityTests(ITestOutputHelper output)
{
    public static TheoryData<string> SampleNames => ["wine", "breast_cancer", "diabetes"];

    private static string Csv(string name) => name switch
    {
        "wine" => Samples.WineCsv(),
        "breast_cancer" => Samples.BreastCancerCsv(),
        _ => Samples.DiabetesCsv(),
    };

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void FittedModel_ScoresAtLeastPointNineAndCopiesNoRow(string name)
    {
        var (train, holdout) = Samples.Split(Samples.Load(Csv(name)));
        var model = TabularFitter.Fit(train);
        var sampler = new TabularSampler(model, seed: 42, totalRows: 5000, blockRows: 1000);
        var synthetic = Frame.Concat(sampler.Columns, ShardPlan.For(sampler, 0, 1).Generate(sampler));

        var report = QualityEvaluator.Evaluate(train, synthetic, holdout);
        output.WriteLine($"{name}: overall {report.Overall:F4} shapes {report.ColumnShapes.Score:F4} trends {report.ColumnPairTrends.Score:F4} "
            + $"dcr {report.Privacy!.SyntheticDcrMedian:F4} holdout dcr {report.Privacy.HoldoutDcrMedian:F4} rejected {sampler.Rejected}");

        Assert.True(report.Overall >= 0.9, $"overall {report.Overall}");
        Assert.Equal(0, report.Privacy.ExactCopies);
    }
}
