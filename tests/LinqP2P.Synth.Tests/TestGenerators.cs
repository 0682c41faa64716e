using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Tabular;

namespace LinqP2P.Synth.Tests;

/// <summary>Builds each generator from the same arguments in every process.</summary>
public static class TestGenerators
{
    public static IBlockGenerator Create(string kind, ulong seed, long rows, string? spec) => kind switch
    {
        "tabular" => new TabularSampler(TabularModel.FromJson(File.ReadAllText(spec!)), seed, rows, blockRows: 1000),
        _ => throw new ArgumentException($"unknown generator {kind}"),
    };
}
