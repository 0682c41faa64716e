using LinqP2P.Synth.Data;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Images;
using LinqP2P.Synth.Quality;
using SkiaSharp;

namespace LinqP2P.Synth.Tests;

public sealed class GeneratorTests
{
    private static Frame All(IBlockGenerator g) => Frame.Concat(g.Columns, ShardPlan.For(g, 0, 1).Generate(g));

    private static int Hour(double t) => (int)(t % 86400 / 3600);

    [Fact]
    public void Transactions_LabelEveryFraudPatternAtAboutTheRequestedRate()
    {
        var f = All(new TransactionsGenerator(new TransactionsOptions { Rows = 60_000, FraudRate = 0.02 }, 3));
        var fraud = QualityEvaluator.Present(f, f.IndexOf("is_fraud"));
        Assert.InRange(fraud.Average(), 0.012, 0.03);
        var patterns = QualityEvaluator.Levels(f, f.IndexOf("fraud_pattern"));
        Assert.All(TransactionsGenerator.Patterns, p => Assert.True(patterns.GetValueOrDefault(p) > 0, p));
        for (var r = 0; r < f.RowCount; r++)
        {
            Assert.Equal(f.Texts[f.IndexOf("fraud_pattern")][r] != "none", f.Numbers[f.IndexOf("is_fraud")][r] == 1);
        }
        var testing = Enumerable.Range(0, f.RowCount).Where(r => f.Texts[11][r] == "card_testing").Select(r => f.Numbers[7][r]).ToList();
        Assert.All(testing, a => Assert.InRange(a, 0.5, 2.0));
        var takeoverHours = Enumerable.Range(0, f.RowCount).Where(r => f.Texts[11][r] == "account_takeover").Select(r => Hour(f.Numbers[1][r])).ToList();
        Assert.All(takeoverHours, h => Assert.InRange(h, 2, 5));
        Assert.Equal(Enumerable.Range(1, f.RowCount).Select(i => (double)i), f.Numbers[0].Take(f.RowCount));
        Assert.All(QualityEvaluator.Present(f, 7), a => Assert.True(a > 0));
    }

    [Fact]
    public void Network_FollowsDiurnalAndWeeklyLoadOverAYear()
    {
        var f = All(new NetworkGenerator(new NetworkOptions { Rows = 200_000, Days = 365 }, 4));
        var ts = QualityEvaluator.Present(f, 0);
        var start = (new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;
        Assert.All(ts, t => Assert.InRange(t, start, start + (366 * 86400)));
        Assert.True(ts.Max() - ts.Min() > 360 * 86400, "the log does not span the year");
        var benign = Enumerable.Range(0, f.RowCount).Where(r => f.Texts[10][r] == "benign").Select(r => f.Numbers[0][r]).ToList();
        var afternoon = benign.Count(t => Hour(t) is >= 13 and < 16);
        var night = benign.Count(t => Hour(t) is >= 2 and < 5);
        Assert.True(afternoon > 3 * night, $"afternoon {afternoon} vs night {night}");
        var weekend = benign.Count(t => (long)(t / 86400) % 7 is 2 or 3) / 2.0;
        var weekday = benign.Count(t => (long)(t / 86400) % 7 is not (2 or 3)) / 5.0;
        Assert.InRange(weekend / weekday, 0.45, 0.65);
        var labels = QualityEvaluator.Levels(f, f.IndexOf("label"));
        Assert.All(NetworkGenerator.Labels, l => Assert.True(labels.GetValueOrDefault(l) > 0, l));
        Assert.InRange(labels["benign"] / f.RowCount, 0.94, 0.99);
        var scans = Enumerable.Range(0, f.RowCount).Where(r => f.Texts[10][r] == "port_scan").ToList();
        Assert.All(scans, r => Assert.Equal(("S", 1.0), (f.Texts[9][r], f.Numbers[7][r])));
        var https = Enumerable.Range(0, f.RowCount).Count(r => f.Numbers[4][r] == 443);
        Assert.InRange(https / (double)f.RowCount, 0.4, 0.6);
    }

    [Fact]
    public void Sensor_SeriesAreSeasonalWithLabelledAnomaliesAndDropouts()
    {
        var g = new SensorGenerator(new SensorOptions { Sensors = 4, Steps = 20_160, AnomaliesPerThousand = 3 }, 6);
        var f = All(g);
        Assert.Equal(4 * 20_160, f.RowCount);
        var types = QualityEvaluator.Levels(f, f.IndexOf("anomaly_type"));
        Assert.All(SensorGenerator.AnomalyTypes, t => Assert.True(types.GetValueOrDefault(t) > 0, t));
        for (var r = 0; r < f.RowCount; r++)
        {
            Assert.Equal(f.Texts[4][r] == "dropout", f.IsMissing(2, r));
            Assert.Equal(f.Texts[4][r] != "none", f.Numbers[3][r] == 1);
        }
        // Daily seasonality: mean by hour of day of the normal readings of sensor 0 swings well beyond noise.
        var byHour = Enumerable.Range(0, 20_160).Where(r => f.Texts[4][r] == "none")
            .GroupBy(r => Hour(f.Numbers[0][r])).Select(gr => gr.Average(r => f.Numbers[2][r])).ToList();
        Assert.True(byHour.Max() - byHour.Min() > 3, $"daily swing {byHour.Max() - byHour.Min()}");
        Assert.Equal("sensor-0003", f.Texts[1][f.RowCount - 1]);
        Assert.Equal(60, f.Numbers[0][1] - f.Numbers[0][0]);
    }

    [Fact]
    public void Images_AreDeterministicPngsWhoseBoxesHoldTheirObjects()
    {
        var g = new ImageGenerator(new ImageOptions { Count = 20, Width = 96, Height = 80 }, 12);
        var again = new ImageGenerator(new ImageOptions { Count = 20, Width = 96, Height = 80 }, 12);
        for (var i = 0; i < g.Count; i++)
        {
            var image = g.Render(i);
            Assert.Equal(image.Png, again.Render(i).Png);
            using var bitmap = SKBitmap.Decode(image.Png);
            Assert.Equal((96, 80), (bitmap.Width, bitmap.Height));
            Assert.NotEmpty(image.Annotations);
            foreach (var a in image.Annotations)
            {
                Assert.InRange(a.Bbox[0], 0, 96 - a.Bbox[2]);
                Assert.InRange(a.Bbox[1], 0, 80 - a.Bbox[3]);
                Assert.InRange(a.CategoryId, 1, 3);
            }
            // The last object is drawn on top of everything: the centre of its box shows its flat colour,
            // which the noisy background never holds over a 3x3 patch.
            var last = image.Annotations[^1];
            var cx = last.Bbox[0] + (last.Bbox[2] / 2);
            var cy = last.Bbox[1] + (last.Bbox[3] * 2 / 3);
            var centre = bitmap.GetPixel(cx, cy);
            Assert.All(new[] { (-1, 0), (1, 0), (0, -1), (0, 1) }, d => Assert.Equal(centre, bitmap.GetPixel(cx + d.Item1, cy + d.Item2)));
        }
        var coco = CocoDataset.FromJson(g.Coco(Enumerable.Range(0, g.Count).Select(i => g.Render(i))).ToJson());
        Assert.Equal(20, coco.Images.Count);
        Assert.Equal(coco.Annotations.Count, coco.Annotations.Select(a => a.Id).Distinct().Count());
        Assert.All(coco.Annotations, a => Assert.Contains(coco.Images, im => im.Id == a.ImageId));
        Assert.Equal(["circle", "square", "triangle"], coco.Categories.Select(c => c.Name));
    }

    [Fact]
    public void Images_ShardsPartitionTheImageIds()
    {
        var g = new ImageGenerator(new ImageOptions { Count = 101 }, 1);
        var ids = Enumerable.Range(0, 7).SelectMany(k => { var (a, b) = g.Shard(k, 7); return Enumerable.Range(a, b - a); });
        Assert.Equal(Enumerable.Range(0, 101), ids);
    }

    [Fact]
    public void InvalidGeneratorSettings_AreTypedErrors()
    {
        Assert.Throws<SynthInputException>(() => new TransactionsGenerator(new TransactionsOptions { FraudRate = 0.9 }, 1));
        Assert.Throws<SynthInputException>(() => new NetworkGenerator(new NetworkOptions { Days = 0 }, 1));
        Assert.Throws<SynthInputException>(() => new NetworkGenerator(new NetworkOptions { Hosts = 0 }, 1));
        Assert.Throws<SynthInputException>(() => new SensorGenerator(new SensorOptions { IntervalSeconds = -1 }, 1));
        Assert.Throws<SynthInputException>(() => new ImageGenerator(new ImageOptions { Width = 8 }, 1));
    }
}
