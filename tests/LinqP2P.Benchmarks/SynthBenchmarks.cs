using BenchmarkDotNet.Attributes;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Determinism;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Schema;
using LinqP2P.Synth.Tabular;

namespace LinqP2P.Benchmarks;

/// <summary>
/// Sampling and fitting a Gaussian-copula table of 10 numeric and 5 categorical columns, fitted on a
/// 1,000-row sample. scripts/bench-synth.sh runs this and the NumPy/SciPy peer
/// (scripts/bench-synth-peer.py) on the same sample and reports the ratio.
/// </summary>
[MemoryDiagnoser]
public class SynthSamplingBenchmarks
{
    public const int RowsPerInvoke = 100_000;

    /// <summary>Where the sample is written for the peer to fit the same data.</summary>
    public static readonly string SamplePath = Path.Combine(Path.GetTempPath(), "linq-synth-bench-sample.csv");

    public const string SampleSchema = """
        rows: 1000
        columns:
          - {name: n0, type: number, decimals: 3, distribution: {kind: normal, mean: 50, sd: 10}}
          - {name: n1, type: number, decimals: 3, distribution: {kind: lognormal, mu: 3, sigma: 0.6}}
          - {name: n2, type: number, decimals: 3, distribution: {kind: exponential, rate: 0.2}}
          - {name: n3, type: number, decimals: 3, distribution: {kind: uniform, min: 0, max: 100}}
          - {name: n4, type: number, decimals: 3, distribution: {kind: normal, mean: 0, sd: 1}}
          - {name: n5, type: number, decimals: 3, distribution: {kind: normal, mean: 1000, sd: 250}}
          - {name: n6, type: number, decimals: 3, distribution: {kind: lognormal, mu: 1, sigma: 1}}
          - {name: n7, type: number, decimals: 3, distribution: {kind: uniform, min: -5, max: 5}}
          - {name: n8, type: number, decimals: 3, distribution: {kind: exponential, rate: 2}}
          - {name: n9, type: number, decimals: 3, distribution: {kind: normal, mean: 7, sd: 2}}
          - {name: c0, type: categorical, values: {a: 0.5, b: 0.3, c: 0.2}}
          - {name: c1, type: categorical, values: {red: 0.25, green: 0.25, blue: 0.25, black: 0.25}}
          - {name: c2, type: categorical, values: {x: 0.9, y: 0.1}}
          - {name: c3, type: categorical, values: {p: 0.2, q: 0.2, r: 0.2, s: 0.2, t: 0.2}}
          - {name: c4, type: categorical, values: {u: 0.6, v: 0.3, w: 0.1}}
        correlations:
          - [n0, n1, 0.6]
          - [n0, n5, -0.4]
          - [n2, n3, 0.3]
          - [n4, c0, 0.5]
          - [n9, c3, -0.3]
          - [n6, n7, 0.2]
        """;

    private Frame _sample = null!;
    private TabularSampler _sampler = null!;
    private Frame _frame = null!;
    private ulong _block;

    [GlobalSetup]
    public void Setup()
    {
        var g = new SchemaGenerator(SchemaParser.Parse(SampleSchema), 2026);
        _sample = g.GenerateBlock(0);
        using (var file = File.Create(SamplePath))
        {
            var w = new CsvDatasetWriter(file, _sample.Columns);
            w.WriteAsync(_sample).GetAwaiter().GetResult(); // BenchmarkDotNet setup is synchronous
            w.CompleteAsync().GetAwaiter().GetResult();
            w.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        // Off: the near-copy guard would measure hash lookups, not sampling; exact-copy checks stay on.
        var model = TabularFitter.Fit(_sample, new FitOptions { MinDistance = 0 });
        _sampler = new TabularSampler(model, 1, long.MaxValue / 2, RowsPerInvoke);
        _frame = new Frame(_sampler.Columns, RowsPerInvoke);
    }

    /// <summary>One core sampling rows into column buffers (the part a provider's shard spends its time on).</summary>
    [Benchmark(OperationsPerInvoke = RowsPerInvoke)]
    public void SampleRow()
    {
        var rng = Xoshiro256StarStar.ForStream(1, _block++, 0);
        _sampler.Fill(_frame, 0, RowsPerInvoke, 0, ref rng);
    }

    /// <summary>Fitting the model to the 1,000-row sample (marginals, normal scores, correlation, fingerprints).</summary>
    [Benchmark]
    public TabularModel Fit() => TabularFitter.Fit(_sample, new FitOptions { MinDistance = 0 });
}
