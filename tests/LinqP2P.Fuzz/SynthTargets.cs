using LinqP2P.Core;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Schema;
using LinqP2P.Synth.Tabular;

namespace LinqP2P.Fuzz;

/// <summary>Fuzz targets for the synthetic data service's parsers: each input is a value or a LinqException.</summary>
internal static class SynthTargets
{
    [FuzzTarget("synth-csv")]
    public static void Csv(byte[] input)
    {
        try
        {
            var table = CsvReader.Parse(input, new CsvReadOptions { MaxBytes = 1 << 20 });
            SampleLoader.Infer(table);
        }
        catch (LinqException)
        {
        }
    }

    [FuzzTarget("synth-schema")]
    public static void Schema(byte[] input)
    {
        try
        {
            SchemaParser.Parse(System.Text.Encoding.UTF8.GetString(input));
        }
        catch (LinqException)
        {
        }
    }

    [FuzzTarget("synth-model")]
    public static void Model(byte[] input)
    {
        try
        {
            var model = TabularModel.FromJson(System.Text.Encoding.UTF8.GetString(input));
            _ = new TabularSampler(model, 1, 10).GenerateBlock(0);
        }
        catch (LinqException)
        {
        }
    }

    [FuzzTarget("synth-shard-spec")]
    public static void ShardSpec(byte[] input)
    {
        try
        {
            LinqP2P.Synth.Service.SynthShardSpec.FromJson(System.Text.Encoding.UTF8.GetString(input));
        }
        catch (LinqException)
        {
        }
    }

    [FuzzTarget("synth-shard-stats")]
    public static void ShardStats(byte[] input)
    {
        var text = System.Text.Encoding.UTF8.GetString(input);
        try
        {
            LinqP2P.Synth.Service.ShardStats.FromJson(text, "fuzz");
        }
        catch (LinqException)
        {
        }
        try
        {
            LinqP2P.Synth.Jobs.JoinedManifest.FromJson(text, "fuzz");
        }
        catch (LinqException)
        {
        }
    }
}
