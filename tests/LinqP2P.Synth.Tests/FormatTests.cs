using System.Text.Json;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;

namespace LinqP2P.Synth.Tests;

public sealed class FormatTests
{
    private static Frame Mixed()
    {
        var columns = new List<ColumnSpec>
        {
            new("n", ColumnKind.Number),
            new("i", ColumnKind.Integer),
            new("c", ColumnKind.Categorical),
            new("b", ColumnKind.Boolean),
            new("t", ColumnKind.DateTime) { Precision = TimePrecision.Milliseconds },
        };
        var f = new Frame(columns, 3);
        f.Numbers[0] = [0.1, double.NaN, -1e-300];
        f.Numbers[1] = [1, -42, double.NaN];
        f.Texts[2] = ["a,b", null, "say \"hi\""];
        f.Numbers[3] = [1, 0, double.NaN];
        f.Numbers[4] = [1735689600.123, double.NaN, 0];
        return f;
    }

    private static async Task<byte[]> Write(DatasetFormat format, Frame frame)
    {
        using var ms = new MemoryStream();
        await using (var w = DatasetWriters.Create(format, ms, frame.Columns))
        {
            await w.WriteAsync(frame);
            await w.CompleteAsync();
        }
        return ms.ToArray();
    }

    [Fact]
    public async Task Csv_RoundTripsThroughTheReader()
    {
        var frame = Mixed();
        var table = CsvReader.Parse(await Write(DatasetFormat.Csv, frame));
        for (var r = 0; r < frame.RowCount; r++)
        {
            for (var c = 0; c < frame.Columns.Count; c++)
            {
                Assert.Equal(frame.FormatValue(c, r) ?? "", table.Rows[r][c]);
            }
        }
        Assert.Equal("2025-01-01T00:00:00.123Z", table.Rows[0][4]);
        Assert.Equal("0.1", table.Rows[0][0]);
    }

    [Fact]
    public async Task Jsonl_WritesOneTypedObjectPerLine()
    {
        var text = System.Text.Encoding.UTF8.GetString(await Write(DatasetFormat.Jsonl, Mixed()));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(0.1, first.RootElement.GetProperty("n").GetDouble());
        Assert.Equal(1, first.RootElement.GetProperty("i").GetInt64());
        Assert.Equal("a,b", first.RootElement.GetProperty("c").GetString());
        Assert.True(first.RootElement.GetProperty("b").GetBoolean());
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("n").ValueKind);
        Assert.Equal(JsonValueKind.Null, second.RootElement.GetProperty("c").ValueKind);
    }

    [Fact]
    public async Task Parquet_RoundTripsEveryValueAndMissingCell()
    {
        var frame = Mixed();
        var bytes = await Write(DatasetFormat.Parquet, frame);
        var table = await ParquetIo.ReadAsTextAsync(new MemoryStream(bytes));
        Assert.Equal(frame.Columns.Select(c => c.Name), table.Header);
        Assert.Equal("0.1", table.Rows[0][0]);
        Assert.Equal("", table.Rows[1][0]);
        Assert.Equal("-42", table.Rows[1][1]);
        Assert.Equal("say \"hi\"", table.Rows[2][2]);
        Assert.Equal("false", table.Rows[1][3]);
        Assert.Equal("", table.Rows[2][3]);
        Assert.Equal("1970-01-01T00:00:00Z", table.Rows[2][4]);
    }

    [Fact]
    public async Task ParquetSample_IsTypedLikeTheSameCsv()
    {
        var csv = Samples.WineCsv();
        var fromCsv = Samples.Load(csv);
        var path = Path.Combine(Path.GetTempPath(), $"wine-{Guid.NewGuid():N}.parquet");
        await File.WriteAllBytesAsync(path, await Write(DatasetFormat.Parquet, fromCsv));
        try
        {
            var fromParquet = await SampleLoader.LoadAsync(path);
            Assert.Equal(fromCsv.Columns.Select(c => (c.Name, c.Kind)), fromParquet.Columns.Select(c => (c.Name, c.Kind)));
            Assert.Equal(fromCsv.Numbers[0], fromParquet.Numbers[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Parquet_RejectsAFileThatIsNotParquet()
    {
        var e = await Assert.ThrowsAsync<SynthInputException>(() => ParquetIo.ReadAsTextAsync(new MemoryStream("not parquet at all"u8.ToArray())));
        Assert.Equal("synth.parquet.invalid", e.Code);
    }

    [Fact]
    public void UnknownFormat_IsATypedError()
    {
        Assert.Equal("synth.format.unknown", Assert.Throws<SynthInputException>(() => DatasetWriters.Parse("xlsx")).Code);
    }

    [Fact]
    public void Missing_SampleFileIsATypedError()
    {
        var e = Assert.Throws<AggregateException>(() => SampleLoader.LoadAsync("/nonexistent/sample.csv").Wait());
        Assert.IsType<SynthInputException>(e.InnerException);
    }

    [Fact]
    public void ShardPlan_RejectsIndicesOutsideTheShardCount()
    {
        var g = new TransactionsGenerator(new TransactionsOptions { Rows = 10 }, 1);
        Assert.Equal("synth.shards.invalid", Assert.Throws<SynthInputException>(() => ShardPlan.For(g, 3, 3)).Code);
        Assert.Equal("synth.shards.invalid", Assert.Throws<SynthInputException>(() => ShardPlan.For(g, 0, 0)).Code);
    }
}
