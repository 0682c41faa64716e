using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Core;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Formats;

namespace LinqP2P.Synth.Tests;

public sealed class CsvTests
{
    private static SynthInputException Rejects(string text, CsvReadOptions? options = null) =>
        Assert.Throws<SynthInputException>(() => CsvReader.Parse(text, options));

    [Fact]
    public void Parse_ReadsQuotedFieldsWithSeparatorsQuotesAndLineBreaks()
    {
        var table = CsvReader.Parse("a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n");
        Assert.Equal(["a", "b", "c"], table.Header);
        Assert.Equal(["1", "x,y", "say \"hi\""], table.Rows[0]);
        Assert.Equal(["2", "two\nlines", ""], table.Rows[1]);
    }

    [Fact]
    public void Parse_RejectsRaggedRowNamingItsLine()
    {
        var e = Rejects("a,b\n1,2\n3,4\n5\n");
        Assert.Equal("synth.csv.ragged", e.Code);
        Assert.Equal(4, e.Line);
        Assert.Contains("line 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CountsLinesInsideQuotedFieldsWhenNamingALaterLine()
    {
        var e = Rejects("a,b\n\"multi\nline\",2\n1\n");
        Assert.Equal(4, e.Line);
    }

    [Fact]
    public void Parse_RejectsUnterminatedQuoteNamingWhereItOpened()
    {
        var e = Rejects("a,b\n1,2\n3,\"open\n4,5\n");
        Assert.Equal("synth.csv.quote", e.Code);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void Parse_RejectsQuoteInsideUnquotedField()
    {
        var e = Rejects("a,b\n1,x\"y\n");
        Assert.Equal("synth.csv.quote", e.Code);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Parse_RejectsTextAfterClosingQuote()
    {
        Assert.Equal("synth.csv.quote", Rejects("a,b\n1,\"x\"y\n").Code);
    }

    [Fact]
    public void Parse_RejectsOversizeInputFieldAndRowCount()
    {
        Assert.Equal("synth.csv.oversize", Rejects("a\n12345\n", new CsvReadOptions { MaxBytes = 4 }).Code);
        Assert.Equal("synth.csv.oversize", Rejects("a\n12345\n", new CsvReadOptions { MaxFieldLength = 3 }).Code);
        Assert.Equal("synth.csv.oversize", Rejects("a\n1\n2\n3\n", new CsvReadOptions { MaxRows = 2 }).Code);
        Assert.Equal("synth.csv.oversize", Rejects("a,b,c\n", new CsvReadOptions { MaxColumns = 2 }).Code);
    }

    [Fact]
    public void Parse_RejectsEmptyInputDuplicateAndBlankColumnNames()
    {
        Assert.Equal("synth.csv.empty", Rejects("").Code);
        Assert.Equal("synth.csv.empty", Rejects("\n\n").Code);
        var dup = Rejects("a,b,a\n1,2,3\n");
        Assert.Equal("synth.csv.header", dup.Code);
        Assert.Equal("a", dup.Field);
        Assert.Equal("synth.csv.header", Rejects("a,,c\n1,2,3\n").Code);
    }

    [Fact]
    public void Parse_RejectsInvalidUtf8()
    {
        var e = Assert.Throws<SynthInputException>(() => CsvReader.Parse(new byte[] { (byte)'a', 10, 0xC3, 0x28, 10 }));
        Assert.Equal("synth.csv.encoding", e.Code);
    }

    [Fact]
    public void Parse_WithoutHeaderNamesColumnsByPosition()
    {
        var table = CsvReader.Parse("1;2\n3;4\n", new CsvReadOptions { HasHeader = false, Delimiter = ';' });
        Assert.Equal(["c0", "c1"], table.Header);
        Assert.Equal(2, table.Rows.Count);
    }

    [Fact]
    public void Infer_TypesNumbersCodesBooleansDatesAndMissingValues()
    {
        var frame = SampleLoader.Infer(CsvReader.Parse(
            "x,code,flag,day,name\n1.5,1,true,2025-01-02,a\n2.25,2,false,2025-02-03,b\nNA,1,,2025-03-04,\n"));
        Assert.Equal([ColumnKind.Number, ColumnKind.Categorical, ColumnKind.Boolean, ColumnKind.DateTime, ColumnKind.Categorical],
            frame.Columns.Select(c => c.Kind));
        Assert.Equal(2, frame.Columns[0].Decimals);
        Assert.True(frame.IsMissing(0, 2));
        Assert.True(frame.IsMissing(2, 2));
        Assert.True(frame.IsMissing(4, 2));
        Assert.Equal("2025-02-03", frame.FormatValue(3, 1));
    }

    public static Arbitrary<string[][]> Tables() =>
        Gen.Choose(1, 5).SelectMany(cols =>
            Gen.Elements("a", "b", ",", "\"", "\n", "\r\n", " ", "é", "x y", "1.5", "")
                .ArrayOf().Select(parts => string.Concat(parts))
                .ArrayOf(cols).ArrayOf()
                .Select(rows => rows.Where(r => !(cols == 1 && r[0].Length == 0)).ToArray()))
        .ToArbitrary();

    [Property(Arbitrary = [typeof(CsvTests)], MaxTest = 300)]
    public bool WriteThenParse_GivesBackEveryField(string[][] rows)
    {
        if (rows.Length == 0)
        {
            return true;
        }
        var cols = rows[0].Length;
        var header = Enumerable.Range(0, cols).Select(i => "h" + i).ToArray();
        var sb = new StringBuilder();
        Formats.CsvDatasetWriter.AppendRecord(sb, header);
        foreach (var r in rows)
        {
            Formats.CsvDatasetWriter.AppendRecord(sb, r);
        }
        var table = CsvReader.Parse(sb.ToString());
        // A record of one empty field is a blank line, which RFC 4180 readers skip; the generator avoids it.
        return table.Header.SequenceEqual(header) && table.Rows.Count == rows.Length
            && table.Rows.Zip(rows).All(p => p.First.SequenceEqual(p.Second));
    }

    [Property(MaxTest = 1000)]
    public bool RandomBytes_GiveATableOrATypedError(byte[] input)
    {
        try
        {
            CsvReader.Parse(input);
            return true;
        }
        catch (LinqException)
        {
            return true;
        }
    }

    [Property(MaxTest = 1000)]
    public bool RandomText_GivesATableOrATypedError(string input)
    {
        try
        {
            var table = CsvReader.Parse(input ?? "");
            return table.Rows.All(r => r.Length == table.Header.Count);
        }
        catch (LinqException)
        {
            return true;
        }
    }
}
