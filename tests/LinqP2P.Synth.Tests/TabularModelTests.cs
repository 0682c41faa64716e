using System.Text;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Quality;
using LinqP2P.Synth.Tabular;

namespace LinqP2P.Synth.Tests;

public sealed class TabularModelTests
{
    private static Frame Sample(TabularSampler s) => Frame.Concat(s.Columns, ShardPlan.For(s, 0, 1).Generate(s));

    [Fact]
    public void ModelJson_RoundTripsToTheSameSamples()
    {
        var model = TabularFitter.Fit(Samples.Load(Samples.WineCsv()));
        var copy = TabularModel.FromJson(model.ToJson());
        Assert.Equal(model.ToJson(), copy.ToJson());
        var a = Sample(new TabularSampler(model, 3, 2000));
        var b = Sample(new TabularSampler(copy, 3, 2000));
        for (var c = 0; c < a.Columns.Count; c++)
        {
            for (var r = 0; r < a.RowCount; r++)
            {
                Assert.Equal(a.FormatValue(c, r), b.FormatValue(c, r));
            }
        }
    }

    [Fact]
    public void Model_CarriesNoSampleValueBeyondItsMarginals()
    {
        var json = TabularFitter.Fit(Samples.Load(Samples.WineCsv())).ToJson();
        Assert.DoesNotContain("\"rows\"", json, StringComparison.Ordinal);
        Assert.Contains("rowFingerprints", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{", "synth.model.json")]
    [InlineData("null", "synth.model.json")]
    [InlineData("{\"format\":\"other/9\",\"columns\":[],\"copulaColumns\":[],\"correlation\":[],\"privacy\":{\"rowFingerprints\":[],\"cellFingerprints\":[]}}", "synth.model.format")]
    [InlineData("{\"columns\":[{\"name\":\"a\",\"kind\":\"Number\",\"quantiles\":[2,1]}],\"copulaColumns\":[0],\"correlation\":[[1]],\"privacy\":{\"rowFingerprints\":[],\"cellFingerprints\":[]}}", "synth.model.column")]
    [InlineData("{\"columns\":[{\"name\":\"a\",\"kind\":\"Number\",\"quantiles\":[1,2]}],\"copulaColumns\":[0],\"correlation\":[[0.5]],\"privacy\":{\"rowFingerprints\":[],\"cellFingerprints\":[]}}", "synth.model.correlation")]
    [InlineData("{\"columns\":[{\"name\":\"a\",\"kind\":\"Categorical\",\"levels\":[\"x\"],\"probabilities\":[0.5]}],\"copulaColumns\":[0],\"correlation\":[[1]],\"privacy\":{\"rowFingerprints\":[],\"cellFingerprints\":[]}}", "synth.model.column")]
    public void MalformedModel_IsATypedError(string json, string code)
    {
        Assert.Equal(code, Assert.Throws<SynthInputException>(() => TabularModel.FromJson(json)).Code);
    }

    [Fact]
    public void PrivacyGuard_RedrawsEveryRowThatCopiesASampleRow()
    {
        // Two booleans have four possible rows; the sample holds three, so the fourth is all that may come out.
        var sb = new StringBuilder("a,b\n");
        for (var i = 0; i < 30; i++)
        {
            sb.Append(i % 3 == 0 ? "true,true\n" : i % 3 == 1 ? "true,false\n" : "false,true\n");
        }
        var model = TabularFitter.Fit(Samples.Load(sb.ToString()));
        var sampler = new TabularSampler(model, 9, 500);
        var rows = Sample(sampler);
        Assert.All(Enumerable.Range(0, rows.RowCount), r => Assert.Equal(("false", "false"), (rows.FormatValue(0, r), rows.FormatValue(1, r))));
        Assert.True(sampler.Rejected > 500);
    }

    [Fact]
    public void PrivacyGuard_FailsWithATypedErrorWhenEveryPossibleRowIsACopy()
    {
        var model = TabularFitter.Fit(Samples.Load("a\ntrue\nfalse\ntrue\n"));
        var e = Assert.Throws<SynthGenerationException>(() => Sample(new TabularSampler(model, 1, 10)));
        Assert.Equal("synth.privacy.exhausted", e.Code);
    }

    [Fact]
    public void NearCopyGuard_RejectsRowsInASampleRowsGridCell()
    {
        var (train, _) = Samples.Split(Samples.Load(Samples.WineCsv()));
        var model = TabularFitter.Fit(train, new FitOptions { MinDistance = 0.25 });
        var guard = new PrivacyGuard(model);
        var tokens = new double[train.Columns.Count];
        for (var c = 0; c < tokens.Length; c++)
        {
            tokens[c] = guard.Encode(c, train, 0);
        }
        Assert.True(guard.IsExactCopy(tokens));
        tokens[0] += 1e-9; // a hair away from the sample row: no longer exact, still in its cell
        Assert.False(guard.IsExactCopy(tokens));
        Assert.True(guard.IsNearCopy(tokens));
        var sampler = new TabularSampler(model, 4, 3000);
        var rows = Sample(sampler);
        for (var r = 0; r < rows.RowCount; r++)
        {
            for (var c = 0; c < tokens.Length; c++)
            {
                tokens[c] = guard.Encode(c, rows, r);
            }
            Assert.False(guard.IsNearCopy(tokens));
        }
    }

    [Fact]
    public void Fit_HandlesMissingValuesDatesBooleansCategoriesAndKeys()
    {
        var sb = new StringBuilder("customer_id,joined,vip,tier,spend\n");
        var rng = new Determinism.Xoshiro256StarStar(5);
        for (var i = 0; i < 400; i++)
        {
            var day = new DateTime(2024, 1, 1).AddDays(rng.NextInt(365)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var tier = new[] { "gold", "silver", "bronze" }[rng.NextInt(3)];
            var amount = rng.NextBool(0.15) ? "" : (100 + (tier == "gold" ? 200 : 0) + (50 * rng.NextGaussian())).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
            sb.Append(1000 + i).Append(',').Append(day).Append(',').Append(rng.NextBool(0.3) ? "true" : "false").Append(',').Append(tier).Append(',').Append(amount).Append('\n');
        }
        var sample = Samples.Load(sb.ToString());
        Assert.Equal([ColumnKind.Integer, ColumnKind.DateTime, ColumnKind.Boolean, ColumnKind.Categorical, ColumnKind.Number], sample.Columns.Select(c => c.Kind));
        // The near-copy guard is off here: with only a date, a flag and a tier left when spend is missing,
        // its grid cells would reject part of those rows and bias the missing rate (see the README).
        var model = TabularFitter.Fit(sample, new FitOptions { MinDistance = 0 });
        Assert.True(model.Columns[0].Unique);
        var synth = Sample(new TabularSampler(model, 8, 20_000));
        var ids = synth.Numbers[0].Take(synth.RowCount).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.True(id >= 1400, "a generated key collides with the sample's keys"));
        var missing = Enumerable.Range(0, synth.RowCount).Count(r => synth.IsMissing(4, r)) / (double)synth.RowCount;
        Assert.InRange(missing, model.Columns[4].MissingRate - 0.025, model.Columns[4].MissingRate + 0.02);
        Assert.All(QualityEvaluator.Present(synth, 1), t => Assert.Equal(0, t % 86400));
        Assert.InRange(QualityEvaluator.Present(synth, 2).Average(), 0.25, 0.35);
        var spend = QualityEvaluator.Present(synth, 4);
        Assert.All(spend, v => Assert.Equal(v, Math.Round(v, 2)));
        var goldSpend = Enumerable.Range(0, synth.RowCount).Where(r => synth.Texts[3][r] == "gold" && !synth.IsMissing(4, r)).Average(r => synth.Numbers[4][r]);
        var otherSpend = Enumerable.Range(0, synth.RowCount).Where(r => synth.Texts[3][r] != "gold" && !synth.IsMissing(4, r)).Average(r => synth.Numbers[4][r]);
        Assert.True(goldSpend - otherSpend > 100, $"the copula lost the tier/spend dependence: {goldSpend} vs {otherSpend}");
        var report = QualityEvaluator.Evaluate(sample, synth, options: new QualityOptions { Ignore = new HashSet<string> { "customer_id" } });
        Assert.True(report.Overall > 0.9, $"overall {report.Overall}");
    }

    [Fact]
    public void Marginals_StayWithinTheSampleRangeAndMatchItByKolmogorovSmirnov()
    {
        var sample = Samples.Load(Samples.DiabetesCsv());
        var synth = Sample(new TabularSampler(TabularFitter.Fit(sample), 2, 20_000));
        foreach (var c in Enumerable.Range(0, sample.Columns.Count).Where(c => QualityEvaluator.IsNumeric(sample.Columns[c])))
        {
            var real = QualityEvaluator.Present(sample, c);
            var fake = QualityEvaluator.Present(synth, c);
            Assert.All(fake, v => Assert.InRange(v, real.Min(), real.Max()));
            // Two-sample KS critical value at the 0.1% level.
            var critical = 1.95 * Math.Sqrt((real.Length + fake.Length) / (double)(real.Length * fake.Length));
            Assert.True(Statistics.KolmogorovSmirnov(real, fake) < critical, sample.Columns[c].Name);
        }
    }

    /// <summary>
    /// A Gaussian copula keeps rank dependence, so the check is on Spearman correlations (Pearson of ranks):
    /// every one of the 435 pairs of breast cancer features within 0.1, and within 0.03 on average.
    /// </summary>
    [Fact]
    public void RankCorrelations_OfTheSampleAreReproduced()
    {
        var sample = Samples.Load(Samples.BreastCancerCsv());
        var synth = Sample(new TabularSampler(TabularFitter.Fit(sample), 2, 20_000));
        var errors = new List<double>();
        for (var a = 0; a < 30; a++)
        {
            for (var b = a + 1; b < 30; b++)
            {
                errors.Add(Math.Abs(Spearman(sample.Numbers[a], sample.Numbers[b]) - Spearman(synth.Numbers[a], synth.Numbers[b])));
            }
        }
        Assert.True(errors.Max() < 0.1, $"largest rank correlation error {errors.Max()}");
        Assert.True(errors.Average() < 0.03, $"mean rank correlation error {errors.Average()}");
    }

    private static double Spearman(double[] a, double[] b) => TabularFitter.Pearson(Ranks(a), Ranks(b));

    private static double[] Ranks(double[] x)
    {
        var order = Enumerable.Range(0, x.Length).OrderBy(i => x[i]).ToArray();
        var ranks = new double[x.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && x[order[j + 1]] == x[order[i]])
            {
                j++;
            }
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = (i + j) / 2.0;
            }
            i = j + 1;
        }
        return ranks;
    }

    [Fact]
    public void Repair_MakesAnIndefiniteMatrixACorrelationWithACholeskyFactor()
    {
        double[][] bad = [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]];
        Assert.Null(CorrelationMath.Cholesky(bad));
        var fixedMatrix = CorrelationMath.Repair(bad);
        var l = CorrelationMath.Cholesky(fixedMatrix);
        Assert.NotNull(l);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1, fixedMatrix[i][i]);
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(fixedMatrix[i][j], fixedMatrix[j][i]);
                var product = Enumerable.Range(0, 3).Sum(k => l![i][k] * l[j][k]);
                Assert.Equal(fixedMatrix[i][j], product, 1e-9);
            }
        }
    }

    [Fact]
    public void Fit_RejectsASampleOfOneRow()
    {
        Assert.Equal("synth.fit.rows", Assert.Throws<SynthInputException>(() => TabularFitter.Fit(Samples.Load("a,b\n1,2\n"))).Code);
    }
}
