using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Schema;
using LinqP2P.Synth.Tabular;

namespace LinqP2P.Synth.Tests;

/// <summary>Builds each generator from the same arguments in every process, with small blocks so shards cut many.</summary>
public static class TestGenerators
{
    public static readonly string[] Kinds = ["tabular", "schema", "transactions", "network", "sensor"];

    public static IBlockGenerator Create(string kind, ulong seed, long rows, string? spec) => kind switch
    {
        "tabular" => new TabularSampler(TabularModel.FromJson(File.ReadAllText(spec!)), seed, rows, blockRows: 1000),
        "schema" => new SchemaGenerator(SchemaParser.Parse(File.ReadAllText(spec!)), seed, rows, blockRows: 1000),
        "transactions" => new TransactionsGenerator(new TransactionsOptions { Rows = rows, Days = 10, BlockRows = 1000 }, seed),
        "network" => new NetworkGenerator(new NetworkOptions { Rows = rows, Days = 30, BlockRows = 1000 }, seed),
        "sensor" => new SensorGenerator(new SensorOptions { Sensors = 3, Steps = rows / 3, BlockRows = 1000 }, seed),
        _ => throw new ArgumentException($"unknown generator {kind}"),
    };

    /// <summary>Writes the spec files the tabular and schema generators read, once per test run.</summary>
    public static string? SpecFor(string kind)
    {
        var folder = Path.Combine(Path.GetTempPath(), "linq-synth-tests");
        Directory.CreateDirectory(folder);
        switch (kind)
        {
            case "tabular":
                var model = Path.Combine(folder, "wine-model.json");
                if (!File.Exists(model))
                {
                    File.WriteAllText(model + ".tmp", TabularFitter.Fit(Samples.Load(Samples.WineCsv())).ToJson());
                    File.Move(model + ".tmp", model, overwrite: true);
                }
                return model;
            case "schema":
                var schema = Path.Combine(folder, "schema.yaml");
                File.WriteAllText(schema, SchemaTests.Example);
                return schema;
            default:
                return null;
        }
    }
}
