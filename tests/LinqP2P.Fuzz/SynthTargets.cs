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
}
