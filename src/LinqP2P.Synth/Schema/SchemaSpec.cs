using System.Globalization;
using LinqP2P.Synth.Data;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LinqP2P.Synth.Schema;

/// <summary>A marginal distribution named in a schema (SPEC.md §9.4.2).</summary>
public sealed record Distribution(string Kind, IReadOnlyDictionary<string, double> Parameters)
{
    public double this[string name] => Parameters[name];

    /// <summary>The parameters each kind requires, and the checks they must pass.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Required = new Dictionary<string, string[]>
    {
        ["normal"] = ["mean", "sd"],
        ["uniform"] = ["min", "max"],
        ["lognormal"] = ["mu", "sigma"],
        ["exponential"] = ["rate"],
        ["poisson"] = ["lambda"],
    };
}

/// <summary>One column of a schema.</summary>
public sealed record SchemaColumn
{
    public required string Name { get; init; }

    public required ColumnKind Kind { get; init; }

    public Distribution? Distribution { get; init; }

    public string[]? Levels { get; init; }

    public double[]? Weights { get; init; }

    /// <summary>Probability of true, for booleans.</summary>
    public double P { get; init; } = 0.5;

    /// <summary>Unix seconds bounds, for datetimes.</summary>
    public double Start { get; init; }

    public double End { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }

    public int? Decimals { get; init; }

    public double Missing { get; init; }

    /// <summary>A unique key: start + row index. Not part of the copula.</summary>
    public long? SequenceStart { get; init; }

    public TimePrecision Precision { get; init; } = TimePrecision.Seconds;

    public ColumnSpec ToSpec() => new(Name, Kind) { Decimals = Decimals, Precision = Precision };
}

/// <summary>A parsed and validated schema.</summary>
public sealed record SchemaSpec(IReadOnlyList<SchemaColumn> Columns, IReadOnlyList<(string A, string B, double R)> Correlations, long? Rows);

/// <summary>
/// Reads a YAML schema. Every mistake is a <see cref="SynthInputException"/> with the YAML line and the
/// path of the field (for example <c>columns[2].distribution.sd</c>), and unknown keys are rejected so a
/// typo never silently falls back to a default.
/// </summary>
public static class SchemaParser
{
    private static readonly string[] TopKeys = ["rows", "columns", "correlations"];
    private static readonly string[] ColumnKeys = ["name", "type", "distribution", "values", "p", "start", "end", "min", "max", "decimals", "missing", "sequence", "precision"];

    public static SchemaSpec Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new SynthInputException("synth.schema.yaml", $"the schema is not valid YAML: {e.Message}", e.Start.Line, inner: e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SynthInputException("synth.schema.root", "the schema must be a mapping with a 'columns' list.", 1);
        }
        CheckKeys(root, TopKeys, "");
        long? rows = null;
        if (Get(root, "rows") is { } rowsNode)
        {
            rows = (long)Number(rowsNode, "rows", min: 0);
        }
        if (Get(root, "columns") is not YamlSequenceNode columnsNode || columnsNode.Children.Count == 0)
        {
            throw new SynthInputException("synth.schema.columns", "give a non-empty 'columns' list.", Line(root), "columns");
        }
        var columns = new List<SchemaColumn>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < columnsNode.Children.Count; i++)
        {
            var path = $"columns[{i}]";
            if (columnsNode.Children[i] is not YamlMappingNode node)
            {
                throw new SynthInputException("synth.schema.column", "each column must be a mapping with 'name' and 'type'.", Line(columnsNode.Children[i]), path);
            }
            var column = ParseColumn(node, path);
            if (!names.Add(column.Name))
            {
                throw new SynthInputException("synth.schema.column", $"the column name '{column.Name}' is used twice: rename one.", Line(node), path + ".name");
            }
            columns.Add(column);
        }
        var correlations = new List<(string, string, double)>();
        if (Get(root, "correlations") is { } corrNode)
        {
            if (corrNode is not YamlSequenceNode list)
            {
                throw new SynthInputException("synth.schema.correlations", "'correlations' must be a list of [a, b, r] triples.", Line(corrNode), "correlations");
            }
            for (var i = 0; i < list.Children.Count; i++)
            {
                var path = $"correlations[{i}]";
                if (list.Children[i] is not YamlSequenceNode triple || triple.Children.Count != 3)
                {
                    throw new SynthInputException("synth.schema.correlations", "write each correlation as [column_a, column_b, r].", Line(list.Children[i]), path);
                }
                var a = Text(triple.Children[0], path + "[0]");
                var b = Text(triple.Children[1], path + "[1]");
                var r = Number(triple.Children[2], path + "[2]", -1, 1);
                foreach (var (name, k) in new[] { (a, 0), (b, 1) })
                {
                    var col = columns.FirstOrDefault(c => c.Name == name);
                    if (col is null)
                    {
                        throw new SynthInputException("synth.schema.correlations", $"no column named '{name}': use a name from 'columns'.", Line(triple.Children[k]), $"{path}[{k}]");
                    }
                    if (col.SequenceStart is not null)
                    {
                        throw new SynthInputException("synth.schema.correlations", $"'{name}' is a sequence and cannot be correlated.", Line(triple.Children[k]), $"{path}[{k}]");
                    }
                }
                if (a == b)
                {
                    throw new SynthInputException("synth.schema.correlations", "a column cannot be correlated with itself.", Line(triple), path);
                }
                correlations.Add((a, b, r));
            }
        }
        return new SchemaSpec(columns, correlations, rows);
    }

    private static SchemaColumn ParseColumn(YamlMappingNode node, string path)
    {
        CheckKeys(node, ColumnKeys, path + ".");
        var name = Get(node, "name") is { } n ? Text(n, path + ".name") : throw Missing(node, path + ".name");
        var typeNode = Get(node, "type") ?? throw Missing(node, path + ".type");
        var type = Text(typeNode, path + ".type") switch
        {
            "number" => ColumnKind.Number,
            "integer" => ColumnKind.Integer,
            "categorical" => ColumnKind.Categorical,
            "boolean" => ColumnKind.Boolean,
            "datetime" => ColumnKind.DateTime,
            var other => throw new SynthInputException("synth.schema.type",
                $"unknown type '{other}': use number, integer, categorical, boolean or datetime.", Line(typeNode), path + ".type"),
        };
        var column = new SchemaColumn
        {
            Name = name,
            Kind = type,
            Min = Get(node, "min") is { } mn ? Number(mn, path + ".min") : null,
            Max = Get(node, "max") is { } mx ? Number(mx, path + ".max") : null,
            Decimals = Get(node, "decimals") is { } d ? (int)Number(d, path + ".decimals", 0, 15) : null,
            Missing = Get(node, "missing") is { } m ? Number(m, path + ".missing", 0, 1) : 0,
        };
        if (column.Min > column.Max)
        {
            throw new SynthInputException("synth.schema.bounds", "min is above max: swap them.", Line(node), path + ".min");
        }
        if (Get(node, "sequence") is { } seq)
        {
            if (type != ColumnKind.Integer)
            {
                throw new SynthInputException("synth.schema.sequence", "only integer columns can be sequences.", Line(seq), path + ".sequence");
            }
            return column with { SequenceStart = (long)Number(seq, path + ".sequence") };
        }
        switch (type)
        {
            case ColumnKind.Number or ColumnKind.Integer:
                var distNode = Get(node, "distribution") as YamlMappingNode
                    ?? throw new SynthInputException("synth.schema.distribution",
                        "give a distribution such as {kind: normal, mean: 0, sd: 1}.", Line(node), path + ".distribution");
                return column with { Distribution = ParseDistribution(distNode, path + ".distribution") };
            case ColumnKind.Categorical:
                if (Get(node, "values") is not YamlMappingNode values || values.Children.Count == 0)
                {
                    throw new SynthInputException("synth.schema.values", "give 'values' as a mapping of level: weight.", Line(node), path + ".values");
                }
                var levels = values.Children.Select(kv => Text(kv.Key, path + ".values")).ToArray();
                var weights = values.Children.Select(kv => Number(kv.Value, $"{path}.values.{Text(kv.Key, path)}", min: 0)).ToArray();
                if (weights.Sum() <= 0)
                {
                    throw new SynthInputException("synth.schema.values", "the weights must not all be 0.", Line(values), path + ".values");
                }
                return column with { Levels = levels, Weights = weights.Select(w => w / weights.Sum()).ToArray() };
            case ColumnKind.Boolean:
                return column with { P = Get(node, "p") is { } p ? Number(p, path + ".p", 0, 1) : 0.5 };
            default:
                var start = Get(node, "start") ?? throw Missing(node, path + ".start");
                var end = Get(node, "end") ?? throw Missing(node, path + ".end");
                var s = Time(start, path + ".start");
                var e = Time(end, path + ".end");
                if (e <= s)
                {
                    throw new SynthInputException("synth.schema.bounds", "end must be after start.", Line(end), path + ".end");
                }
                var precision = TimePrecision.Seconds;
                if (Get(node, "precision") is { } pr)
                {
                    precision = Text(pr, path + ".precision") switch
                    {
                        "date" => TimePrecision.Date,
                        "seconds" => TimePrecision.Seconds,
                        "milliseconds" => TimePrecision.Milliseconds,
                        _ => throw new SynthInputException("synth.schema.precision", "use date, seconds or milliseconds.", Line(pr), path + ".precision"),
                    };
                }
                return column with { Start = s, End = e, Precision = precision };
        }
    }

    private static Distribution ParseDistribution(YamlMappingNode node, string path)
    {
        var kindNode = Get(node, "kind") ?? throw Missing(node, path + ".kind");
        var kind = Text(kindNode, path + ".kind");
        if (!Distribution.Required.TryGetValue(kind, out var required))
        {
            throw new SynthInputException("synth.schema.distribution",
                $"unknown distribution '{kind}': use {string.Join(", ", Distribution.Required.Keys)}.", Line(kindNode), path + ".kind");
        }
        CheckKeys(node, [.. required, "kind"], path + ".");
        var parameters = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in required)
        {
            var v = Get(node, p) ?? throw Missing(node, $"{path}.{p}");
            var positive = p is "sd" or "sigma" or "rate" or "lambda";
            parameters[p] = Number(v, $"{path}.{p}", min: positive ? double.Epsilon : double.NegativeInfinity);
        }
        if (kind == "uniform" && parameters["max"] <= parameters["min"])
        {
            throw new SynthInputException("synth.schema.distribution", "uniform max must be above min.", Line(node), path + ".max");
        }
        return new Distribution(kind, parameters);
    }

    private static void CheckKeys(YamlMappingNode node, string[] allowed, string prefix)
    {
        foreach (var key in node.Children.Keys)
        {
            var k = (key as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(k))
            {
                throw new SynthInputException("synth.schema.key", $"unknown key '{k}': allowed here are {string.Join(", ", allowed)}.", Line(key), prefix + k);
            }
        }
    }

    private static YamlNode? Get(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    private static long Line(YamlNode node) => node.Start.Line;

    private static SynthInputException Missing(YamlNode parent, string path) =>
        new("synth.schema.missing", "this required field is missing.", Line(parent), path);

    private static string Text(YamlNode node, string path) =>
        node is YamlScalarNode { Value: { Length: > 0 } v } ? v
            : throw new SynthInputException("synth.schema.text", "expected a non-empty text value.", Line(node), path);

    private static double Number(YamlNode node, string path, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        if (node is not YamlScalarNode { Value: { } text } || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
        {
            throw new SynthInputException("synth.schema.number", "expected a number.", Line(node), path);
        }
        if (v < min || v > max)
        {
            throw new SynthInputException("synth.schema.range", $"{text} is outside [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}].", Line(node), path);
        }
        return v;
    }

    private static double Time(YamlNode node, string path)
    {
        var text = Text(node, path);
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
        {
            throw new SynthInputException("synth.schema.time", $"'{text}' is not an ISO-8601 date or time such as 2025-01-31 or 2025-01-31T12:00:00Z.", Line(node), path);
        }
        return (t - DateTime.UnixEpoch).TotalSeconds;
    }
}
