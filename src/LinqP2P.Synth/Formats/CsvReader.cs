using System.Text;

namespace LinqP2P.Synth.Formats;

/// <summary>Limits and dialect of <see cref="CsvReader"/>.</summary>
public sealed record CsvReadOptions
{
    /// <summary>True (the default) when the first record names the columns; otherwise columns are c0, c1, ...</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>The field separator; default ','.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>Largest accepted input in bytes; default 256 MiB.</summary>
    public long MaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Longest accepted field in characters; default 1 MiB.</summary>
    public int MaxFieldLength { get; init; } = 1024 * 1024;

    /// <summary>Most accepted data records; default 10 million.</summary>
    public int MaxRows { get; init; } = 10_000_000;

    /// <summary>Most accepted columns; default 4096.</summary>
    public int MaxColumns { get; init; } = 4096;
}

/// <summary>A parsed CSV file: column names and the raw text of every field.</summary>
public sealed record CsvTable(IReadOnlyList<string> Header, IReadOnlyList<string[]> Rows);

/// <summary>
/// A strict RFC 4180 reader. Quoted fields may hold separators, doubled quotes and line breaks; anything
/// RFC 4180 forbids (a quote inside an unquoted field, text after a closing quote, a quote left open, a
/// record with a different number of fields) is an <see cref="SynthInputException"/> naming the line.
/// </summary>
public static class CsvReader
{
    public static CsvTable ReadFile(string path, CsvReadOptions? options = null)
    {
        options ??= new CsvReadOptions();
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new SynthInputException("synth.csv.not_found", $"the sample file {path} does not exist: check the path.");
        }
        if (info.Length > options.MaxBytes)
        {
            throw new SynthInputException("synth.csv.oversize",
                $"{path} is {info.Length} bytes, above the limit of {options.MaxBytes}: sample fewer rows.");
        }
        return Parse(File.ReadAllBytes(path), options);
    }

    /// <summary>Parses UTF-8 bytes (a leading byte-order mark is skipped).</summary>
    public static CsvTable Parse(ReadOnlySpan<byte> utf8, CsvReadOptions? options = null)
    {
        options ??= new CsvReadOptions();
        if (utf8.Length > options.MaxBytes)
        {
            throw new SynthInputException("synth.csv.oversize",
                $"the input is {utf8.Length} bytes, above the limit of {options.MaxBytes}: sample fewer rows.");
        }
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new SynthInputException("synth.csv.encoding", "the input is not valid UTF-8: save the file as UTF-8.", inner: e);
        }
        return Parse(text, options);
    }

    public static CsvTable Parse(string text, CsvReadOptions? options = null)
    {
        options ??= new CsvReadOptions();
        if (text.Length > options.MaxBytes)
        {
            throw new SynthInputException("synth.csv.oversize",
                $"the input is {text.Length} characters, above the limit of {options.MaxBytes}: sample fewer rows.");
        }
        var records = new List<(long Line, string[] Fields)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1L;
        var recordLine = 1L;
        var i = 0;
        var d = options.Delimiter;
        while (i < text.Length)
        {
            // Parse one record starting at i.
            fields.Clear();
            recordLine = line;
            while (true)
            {
                field.Clear();
                if (i < text.Length && text[i] == '"')
                {
                    var quoteLine = line;
                    i++;
                    while (true)
                    {
                        if (i >= text.Length)
                        {
                            throw new SynthInputException("synth.csv.quote",
                                "a quoted field is never closed: add the closing '\"'.", quoteLine);
                        }
                        var ch = text[i];
                        if (ch == '"')
                        {
                            if (i + 1 < text.Length && text[i + 1] == '"')
                            {
                                field.Append('"');
                                i += 2;
                                continue;
                            }
                            i++;
                            break;
                        }
                        if (ch == '\n')
                        {
                            line++;
                        }
                        field.Append(ch);
                        i++;
                        CheckFieldLength(field, options, line);
                    }
                    if (i < text.Length && text[i] != d && text[i] != '\n' && text[i] != '\r')
                    {
                        throw new SynthInputException("synth.csv.quote",
                            $"unexpected '{text[i]}' after a closing quote: quote the whole field and double any '\"' inside it.", line);
                    }
                }
                else
                {
                    while (i < text.Length && text[i] != d && text[i] != '\n' && text[i] != '\r')
                    {
                        if (text[i] == '"')
                        {
                            throw new SynthInputException("synth.csv.quote",
                                "a '\"' inside an unquoted field: quote the field and double the '\"'.", line);
                        }
                        field.Append(text[i]);
                        i++;
                        CheckFieldLength(field, options, line);
                    }
                }
                fields.Add(field.ToString());
                if (fields.Count > options.MaxColumns)
                {
                    throw new SynthInputException("synth.csv.oversize",
                        $"more than {options.MaxColumns} fields in one record: check the delimiter.", recordLine);
                }
                if (i < text.Length && text[i] == d)
                {
                    i++;
                    continue;
                }
                break;
            }
            // End of record: consume \r\n, \n or \r.
            if (i < text.Length && text[i] == '\r')
            {
                i++;
            }
            if (i < text.Length && text[i] == '\n')
            {
                i++;
            }
            line++;
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // a blank line carries no record
            }
            records.Add((recordLine, fields.ToArray()));
            if (records.Count > options.MaxRows + (options.HasHeader ? 1 : 0))
            {
                throw new SynthInputException("synth.csv.oversize",
                    $"more than {options.MaxRows} records: sample fewer rows.", recordLine);
            }
        }
        if (records.Count == 0)
        {
            throw new SynthInputException("synth.csv.empty", "the input holds no records: give a file with a header and rows.");
        }
        string[] header;
        var first = 0;
        if (options.HasHeader)
        {
            header = records[0].Fields;
            first = 1;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var c = 0; c < header.Length; c++)
            {
                if (header[c].Trim().Length == 0)
                {
                    throw new SynthInputException("synth.csv.header",
                        $"column {c + 1} has an empty name: name every column in the header.", records[0].Line);
                }
                if (!seen.Add(header[c]))
                {
                    throw new SynthInputException("synth.csv.header",
                        $"the column name '{header[c]}' appears twice: make the names unique.", records[0].Line, header[c]);
                }
            }
        }
        else
        {
            header = Enumerable.Range(0, records[0].Fields.Length).Select(c => "c" + c).ToArray();
        }
        var rows = new List<string[]>(records.Count - first);
        for (var r = first; r < records.Count; r++)
        {
            if (records[r].Fields.Length != header.Length)
            {
                throw new SynthInputException("synth.csv.ragged",
                    $"the record has {records[r].Fields.Length} fields but the header has {header.Length}: "
                    + "fix the row or quote fields that contain the delimiter.", records[r].Line);
            }
            rows.Add(records[r].Fields);
        }
        return new CsvTable(header, rows);
    }

    private static void CheckFieldLength(StringBuilder field, CsvReadOptions options, long line)
    {
        if (field.Length > options.MaxFieldLength)
        {
            throw new SynthInputException("synth.csv.oversize",
                $"a field is longer than {options.MaxFieldLength} characters: check for a missing closing quote.", line);
        }
    }
}
