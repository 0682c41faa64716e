using LinqP2P.Synth.Data;
using LinqP2P.Synth.Determinism;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Tabular;

namespace LinqP2P.Synth.Schema;

/// <summary>
/// Samples a <see cref="SchemaSpec"/> with no data: each non-sequence column gets one normal score, the
/// scores are correlated through the Cholesky factor of the schema's correlations (the Gaussian copula
/// parameter; repaired when not positive definite) and mapped to the column's distribution by inversion.
/// </summary>
public sealed class SchemaGenerator : IBlockGenerator
{
    private readonly SchemaSpec _spec;
    private readonly ulong _seed;
    private readonly int[] _copula;
    private readonly double[][] _cholesky;

    public SchemaGenerator(SchemaSpec spec, ulong seed, long? rows = null, int blockRows = 16384)
    {
        _spec = spec;
        _seed = seed;
        TotalRows = rows ?? spec.Rows ?? throw new SynthInputException("synth.rows.missing",
            "give the number of rows with --rows or a 'rows' key in the schema.", field: "rows");
        BlockRows = blockRows;
        Columns = spec.Columns.Select(c => c.ToSpec()).ToList();
        _copula = Enumerable.Range(0, spec.Columns.Count).Where(c => spec.Columns[c].SequenceStart is null).ToArray();
        var m = _copula.Length;
        var corr = new double[m][];
        for (var i = 0; i < m; i++)
        {
            corr[i] = new double[m];
            corr[i][i] = 1;
        }
        foreach (var (a, b, r) in spec.Correlations)
        {
            var i = Array.FindIndex(_copula, c => spec.Columns[c].Name == a);
            var j = Array.FindIndex(_copula, c => spec.Columns[c].Name == b);
            corr[i][j] = r;
            corr[j][i] = r;
        }
        Correlation = corr;
        var l = CorrelationMath.Cholesky(corr);
        if (l is null)
        {
            Repaired = true;
            Correlation = CorrelationMath.Repair(corr);
            l = CorrelationMath.Cholesky(Correlation)!;
        }
        _cholesky = l;
    }

    public string Kind => "schema";

    public IReadOnlyList<ColumnSpec> Columns { get; }

    public long TotalRows { get; }

    public int BlockRows { get; }

    /// <summary>The correlation matrix actually used (after repair).</summary>
    public double[][] Correlation { get; }

    /// <summary>True when the schema's correlations were not positive definite and had to be repaired.</summary>
    public bool Repaired { get; }

    public Frame GenerateBlock(long block)
    {
        var rows = BlockMath.RowsIn(this, block);
        var frame = new Frame(Columns, rows);
        var rng = Xoshiro256StarStar.ForStream(_seed, (ulong)block, 0);
        var m = _copula.Length;
        var e = new double[m];
        for (var r = 0; r < rows; r++)
        {
            var globalRow = (block * BlockRows) + r;
            for (var k = 0; k < m; k++)
            {
                e[k] = rng.NextGaussian();
            }
            for (var k = 0; k < m; k++)
            {
                var z = 0.0;
                for (var j = 0; j <= k; j++)
                {
                    z += _cholesky[k][j] * e[j];
                }
                Store(frame, _copula[k], r, z);
            }
            for (var c = 0; c < _spec.Columns.Count; c++)
            {
                var col = _spec.Columns[c];
                if (col.SequenceStart is long start)
                {
                    frame.Numbers[c][r] = start + globalRow;
                }
                else if (col.Missing > 0 && rng.NextDouble() < col.Missing)
                {
                    if (col.Kind == ColumnKind.Categorical)
                    {
                        frame.Texts[c][r] = null;
                    }
                    else
                    {
                        frame.Numbers[c][r] = double.NaN;
                    }
                }
            }
        }
        return frame;
    }

    private void Store(Frame frame, int c, int r, double z)
    {
        var col = _spec.Columns[c];
        switch (col.Kind)
        {
            case ColumnKind.Categorical:
                var u = DetMath.NormalCdf(z);
                var cum = 0.0;
                var level = col.Levels!.Length - 1;
                for (var i = 0; i < col.Weights!.Length - 1; i++)
                {
                    cum += col.Weights[i];
                    if (u < cum)
                    {
                        level = i;
                        break;
                    }
                }
                frame.Texts[c][r] = col.Levels[level];
                return;
            case ColumnKind.Boolean:
                frame.Numbers[c][r] = DetMath.NormalCdf(z) < col.P ? 1 : 0;
                return;
            case ColumnKind.DateTime:
                var t = col.Start + ((col.End - col.Start) * DetMath.NormalCdf(z));
                frame.Numbers[c][r] = col.Precision switch
                {
                    TimePrecision.Date => Math.Floor(t / 86400) * 86400,
                    TimePrecision.Milliseconds => Math.Floor(t * 1000) / 1000,
                    _ => Math.Floor(t),
                };
                return;
            default:
                var x = Inverse(col.Distribution!, z);
                if (col.Min is double min && x < min)
                {
                    x = min;
                }
                if (col.Max is double max && x > max)
                {
                    x = max;
                }
                if (col.Kind == ColumnKind.Integer)
                {
                    x = Math.Round(x);
                }
                else if (col.Decimals is int d)
                {
                    x = Math.Round(x, d);
                }
                frame.Numbers[c][r] = x;
                return;
        }
    }

    /// <summary>F⁻¹(Φ(z)) of the distribution, written with <see cref="DetMath"/> so it is reproducible.</summary>
    public static double Inverse(Distribution d, double z) => d.Kind switch
    {
        "normal" => d["mean"] + (d["sd"] * z),
        "uniform" => d["min"] + ((d["max"] - d["min"]) * DetMath.NormalCdf(z)),
        "lognormal" => DetMath.Exp(d["mu"] + (d["sigma"] * z)),
        // Φ(-z) = 1 - Φ(z) without the cancellation, so the far tail keeps its precision.
        "exponential" => -DetMath.Log(Math.Max(DetMath.NormalCdf(-z), 1e-300)) / d["rate"],
        "poisson" => PoissonInverse(d["lambda"], DetMath.NormalCdf(z)),
        _ => throw new SynthInputException("synth.schema.distribution", $"unknown distribution '{d.Kind}'."),
    };

    private static double PoissonInverse(double lambda, double u)
    {
        if (lambda > 500)
        {
            return Math.Max(0, Math.Round(lambda + (Math.Sqrt(lambda) * DetMath.NormalQuantile(Math.Clamp(u, 1e-300, 1 - 1e-16)))));
        }
        var p = DetMath.Exp(-lambda);
        var cdf = p;
        var k = 0;
        while (u > cdf && k < 100_000)
        {
            k++;
            p *= lambda / k;
            cdf += p;
            if (p == 0 && k > lambda)
            {
                break;
            }
        }
        return k;
    }
}
