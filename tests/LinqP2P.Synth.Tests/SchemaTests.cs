using LinqP2P.Synth.Data;
using LinqP2P.Synth.Determinism;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Quality;
using LinqP2P.Synth.Schema;
using LinqP2P.Synth.Tabular;
using MathNet.Numerics.Distributions;

namespace LinqP2P.Synth.Tests;

public sealed class SchemaTests
{
    public const string Example = """
        rows: 20000
        columns:
          - name: id
            type: integer
            sequence: 1
          - name: height
            type: number
            decimals: 3
            distribution: {kind: normal, mean: 170, sd: 10}
          - name: weight
            type: number
            distribution: {kind: normal, mean: 70, sd: 12}
          - name: wait
            type: number
            distribution: {kind: exponential, rate: 0.5}
          - name: income
            type: number
            distribution: {kind: lognormal, mu: 10, sigma: 0.5}
            missing: 0.1
          - name: share
            type: number
            distribution: {kind: uniform, min: -2, max: 3}
          - name: visits
            type: integer
            distribution: {kind: poisson, lambda: 4}
            min: 0
          - name: plan
            type: categorical
            values: {free: 0.6, pro: 0.3, team: 0.1}
          - name: active
            type: boolean
            p: 0.8
          - name: signup
            type: datetime
            start: 2024-01-01
            end: 2025-01-01
            precision: date
        correlations:
          - [height, weight, 0.7]
          - [height, share, -0.4]
        """;

    private static Frame Generate(string yaml, ulong seed = 5, long? rows = null)
    {
        var g = new SchemaGenerator(SchemaParser.Parse(yaml), seed, rows, blockRows: 4096);
        return Frame.Concat(g.Columns, ShardPlan.For(g, 0, 1).Generate(g));
    }

    private static double[] Col(Frame f, string name) => QualityEvaluator.Present(f, f.IndexOf(name));

    /// <summary>The 0.1% critical value of the one-sample KS statistic.</summary>
    private static double KsCritical(int n) => 1.95 / Math.Sqrt(n);

    [Fact]
    public void Marginals_MatchTheirTargetDistributionsByKolmogorovSmirnov()
    {
        var f = Generate(Example);
        var height = Col(f, "height");
        Assert.True(Statistics.KolmogorovSmirnov(height, x => Normal.CDF(170, 10, x)) < KsCritical(height.Length) + 0.0005);
        var wait = Col(f, "wait");
        Assert.True(Statistics.KolmogorovSmirnov(wait, x => Exponential.CDF(0.5, x)) < KsCritical(wait.Length));
        var income = Col(f, "income");
        Assert.True(Statistics.KolmogorovSmirnov(income, x => LogNormal.CDF(10, 0.5, x)) < KsCritical(income.Length));
        var share = Col(f, "share");
        Assert.True(Statistics.KolmogorovSmirnov(share, x => ContinuousUniform.CDF(-2, 3, x)) < KsCritical(share.Length));
        var visits = Col(f, "visits");
        Assert.InRange(visits.Average(), 3.9, 4.1);
        Assert.InRange(visits.Select(v => (v - 4) * (v - 4)).Average(), 3.8, 4.2);
    }

    [Fact]
    public void Correlations_AreReproducedWithinTolerance()
    {
        var f = Generate(Example);
        Assert.InRange(TabularFitter.Pearson(f.Numbers[f.IndexOf("height")], f.Numbers[f.IndexOf("weight")]), 0.68, 0.72);
        // For a uniform marginal the Pearson correlation is the copula's times sqrt(3/pi) ≈ 0.977.
        Assert.InRange(TabularFitter.Pearson(f.Numbers[f.IndexOf("height")], f.Numbers[f.IndexOf("share")]), -0.41, -0.37);
        Assert.InRange(Math.Abs(TabularFitter.Pearson(f.Numbers[f.IndexOf("weight")], f.Numbers[f.IndexOf("wait")])), 0, 0.03);
    }

    [Fact]
    public void LevelsBooleansDatesSequencesAndMissingValues_FollowTheSchema()
    {
        var f = Generate(Example);
        var plan = QualityEvaluator.Levels(f, f.IndexOf("plan"));
        Assert.InRange(plan["free"] / f.RowCount, 0.58, 0.62);
        Assert.InRange(plan["team"] / f.RowCount, 0.09, 0.11);
        Assert.InRange(Col(f, "active").Average(), 0.78, 0.82);
        var signup = Col(f, "signup");
        Assert.All(signup, t => Assert.InRange(t, 1704067200, 1735689600 - 1));
        Assert.All(signup, t => Assert.Equal(0, t % 86400));
        Assert.Equal(Enumerable.Range(1, f.RowCount).Select(i => (double)i), f.Numbers[f.IndexOf("id")]);
        var missing = Enumerable.Range(0, f.RowCount).Count(r => f.IsMissing(f.IndexOf("income"), r));
        Assert.InRange((double)missing / f.RowCount, 0.09, 0.11);
        Assert.All(Col(f, "height"), h => Assert.Equal(h, Math.Round(h, 3)));
    }

    [Fact]
    public void NonPositiveDefiniteCorrelations_AreRepairedNotRejected()
    {
        var yaml = """
            rows: 5000
            columns:
              - {name: a, type: number, distribution: {kind: normal, mean: 0, sd: 1}}
              - {name: b, type: number, distribution: {kind: normal, mean: 0, sd: 1}}
              - {name: c, type: number, distribution: {kind: normal, mean: 0, sd: 1}}
            correlations:
              - [a, b, 0.9]
              - [b, c, 0.9]
              - [a, c, -0.9]
            """;
        var g = new SchemaGenerator(SchemaParser.Parse(yaml), 1);
        Assert.True(g.Repaired);
        Assert.NotNull(CorrelationMath.Cholesky(g.Correlation));
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(1, g.Correlation[i][i]));
        var f = Frame.Concat(g.Columns, ShardPlan.For(g, 0, 1).Generate(g));
        Assert.True(TabularFitter.Pearson(f.Numbers[0], f.Numbers[1]) > 0.2);
        Assert.True(TabularFitter.Pearson(f.Numbers[0], f.Numbers[2]) < -0.2);
    }

    [Theory]
    [InlineData("columns:\n  - name: a\n    type: number\n    distribution: {kind: normal, mean: 0, sd: -1}\n", 4, "columns[0].distribution.sd", "synth.schema.range")]
    [InlineData("columns:\n  - name: a\n    type: numbr\n", 3, "columns[0].type", "synth.schema.type")]
    [InlineData("columns:\n  - name: a\n    type: number\n    distrib: {kind: normal}\n", 4, "columns[0].distrib", "synth.schema.key")]
    [InlineData("columns:\n  - name: a\n    type: number\n    distribution: {kind: gamma, k: 1}\n", 4, "columns[0].distribution.kind", "synth.schema.distribution")]
    [InlineData("columns:\n  - name: a\n    type: number\n    distribution: {kind: normal, mean: 0}\n", 4, "columns[0].distribution.sd", "synth.schema.missing")]
    [InlineData("columns:\n  - name: a\n    type: number\n    distribution: {kind: normal, mean: x, sd: 1}\n", 4, "columns[0].distribution.mean", "synth.schema.number")]
    [InlineData("columns:\n  - {name: a, type: boolean}\ncorrelations:\n  - [a, z, 0.5]\n", 4, "correlations[0][1]", "synth.schema.correlations")]
    [InlineData("columns:\n  - {name: a, type: boolean}\n  - {name: a, type: boolean}\n", 3, "columns[1].name", "synth.schema.column")]
    [InlineData("columns:\n  - {name: d, type: datetime, start: 2025-01-01, end: 2024-01-01}\n", 2, "columns[0].end", "synth.schema.bounds")]
    [InlineData("columns: [\n", 2, null, "synth.schema.yaml")]
    [InlineData("rows: 10\n", 1, "columns", "synth.schema.columns")]
    public void InvalidSchema_IsRejectedNamingTheLineAndField(string yaml, int line, string? field, string code)
    {
        var e = Assert.Throws<SynthInputException>(() => SchemaParser.Parse(yaml));
        Assert.Equal(code, e.Code);
        Assert.Equal(line, e.Line);
        if (field is not null)
        {
            Assert.Equal(field, e.Field);
        }
        Assert.Contains($"line {line}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RowsMissingFromSchemaAndCommandLine_IsATypedError()
    {
        var spec = SchemaParser.Parse("columns:\n  - {name: a, type: boolean}\n");
        Assert.Equal("synth.rows.missing", Assert.Throws<SynthInputException>(() => new SchemaGenerator(spec, 1)).Code);
    }

    [Fact]
    public void Inverse_UsesReproducibleMathForEveryDistribution()
    {
        var d = new Distribution("exponential", new Dictionary<string, double> { ["rate"] = 2 });
        Assert.Equal(-DetMath.Log(DetMath.NormalCdf(-1.5)) / 2, SchemaGenerator.Inverse(d, 1.5));
    }
}
