using System.Runtime.CompilerServices;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Determinism;
using LinqP2P.Synth.Generators;

namespace LinqP2P.Synth.Tabular;

/// <summary>
/// Samples a fitted <see cref="TabularModel"/> (SPEC.md §9.4). Per row: one independent normal per copula
/// column, multiplied by the Cholesky factor, each mapped to its column through a precomputed table of
/// z → F⁻¹(Φ(z)) (for numbers) or normal-space thresholds (for levels), then missing values, then the
/// privacy guard, which redraws copies. Tables are built with <see cref="DetMath"/>, so they are the same
/// bits on every node.
/// </summary>
public sealed class TabularSampler : IBlockGenerator
{
    /// <summary>Intervals of the z → value table over [-ZMax, ZMax]; beyond that Φ is within 1e-15 of 0 or 1.</summary>
    public const int TableSize = 4096;
    public const double ZMax = 8.0;
    private const double InvStep = TableSize / (2 * ZMax);
    private const int MaxAttempts = 1000;

    private readonly TabularModel _model;
    private readonly ulong _seed;
    private readonly double[] _cholesky; // packed lower triangle, row by row
    private readonly int _m;
    private readonly int[] _copulaColumn;
    private readonly bool[] _leveled;
    private readonly double[][] _tables;
    private readonly double[][] _thresholds;
    private readonly Func<double, double>[] _round;
    private readonly int[] _missingColumns;
    private readonly int[] _uniqueColumns;
    private readonly PrivacyGuard _guard;

    public TabularSampler(TabularModel model, ulong seed, long totalRows, int blockRows = 16384)
    {
        model.Validate();
        if (totalRows < 0)
        {
            throw new SynthInputException("synth.rows.invalid", "the row count must not be negative.", field: "rows");
        }
        _model = model;
        _seed = seed;
        TotalRows = totalRows;
        BlockRows = blockRows;
        Columns = model.Columns.Select(c => c.ToSpec()).ToList();
        _m = model.CopulaColumns.Count;
        var l = CorrelationMath.Cholesky(model.Correlation)
            ?? throw new SynthInputException("synth.model.correlation", "the correlation matrix is not positive definite: refit the model.", field: "correlation");
        _cholesky = new double[_m * (_m + 1) / 2];
        var p = 0;
        for (var i = 0; i < _m; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                _cholesky[p++] = l[i][j];
            }
        }
        _copulaColumn = [.. model.CopulaColumns];
        _leveled = new bool[_m];
        _tables = new double[_m][];
        _thresholds = new double[_m][];
        _round = new Func<double, double>[_m];
        for (var k = 0; k < _m; k++)
        {
            var col = model.Columns[_copulaColumn[k]];
            _leveled[k] = col.IsLeveled;
            if (col.IsLeveled)
            {
                var probabilities = col.Probabilities!;
                var thresholds = new double[probabilities.Length - 1];
                var cum = 0.0;
                for (var i = 0; i < thresholds.Length; i++)
                {
                    cum += probabilities[i];
                    thresholds[i] = cum <= 0 ? double.NegativeInfinity : cum >= 1 ? double.PositiveInfinity : DetMath.NormalQuantile(cum);
                }
                _thresholds[k] = thresholds;
                _round[k] = v => v;
            }
            else
            {
                _tables[k] = BuildTable(col.Quantiles!);
                _round[k] = Rounding(col);
            }
        }
        _missingColumns = Enumerable.Range(0, model.Columns.Count).Where(c => model.Columns[c].MissingRate > 0 && !model.Columns[c].Unique).ToArray();
        _uniqueColumns = Enumerable.Range(0, model.Columns.Count).Where(c => model.Columns[c].Unique).ToArray();
        _guard = new PrivacyGuard(model);
    }

    public string Kind => "tabular";

    public IReadOnlyList<ColumnSpec> Columns { get; }

    public long TotalRows { get; }

    public int BlockRows { get; }

    /// <summary>Rows redrawn by the privacy guard since this sampler was created (for the shard report).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    private long _rejected;

    public Frame GenerateBlock(long block)
    {
        var rows = BlockMath.RowsIn(this, block);
        var frame = new Frame(Columns, rows);
        var rng = Xoshiro256StarStar.ForStream(_seed, (ulong)block, 0);
        Fill(frame, 0, rows, block * BlockRows, ref rng);
        return frame;
    }

    /// <summary>Fills rows [start, start + count) of <paramref name="frame"/>; the first gets global index <paramref name="firstRow"/>.</summary>
    public void Fill(Frame frame, int start, int count, long firstRow, ref Xoshiro256StarStar rng)
    {
        var columns = _model.Columns.Count;
        Span<double> e = _m <= 256 ? stackalloc double[_m] : new double[_m];
        Span<double> tokens = columns <= 256 ? stackalloc double[columns] : new double[columns];
        long rejected = 0;
        for (var r = start; r < start + count; r++)
        {
            var attempts = 0;
            while (true)
            {
                DrawRow(ref rng, e, tokens);
                if (!_guard.IsExactCopy(tokens) && !_guard.IsNearCopy(tokens))
                {
                    break;
                }
                rejected++;
                if (++attempts >= MaxAttempts)
                {
                    throw new SynthGenerationException("synth.privacy.exhausted",
                        $"{MaxAttempts} draws in a row copied a sample row: the sample is too small or too discrete for its privacy guard; "
                        + "lower privacy.minDistance or give a larger sample.");
                }
            }
            Store(frame, r, tokens, firstRow + (r - start));
        }
        if (rejected > 0)
        {
            Interlocked.Add(ref _rejected, rejected);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void DrawRow(ref Xoshiro256StarStar rng, Span<double> e, Span<double> tokens)
    {
        for (var k = 0; k < _m; k++)
        {
            e[k] = rng.NextGaussian();
        }
        var p = 0;
        for (var k = 0; k < _m; k++)
        {
            var z = 0.0;
            for (var j = 0; j <= k; j++)
            {
                z += _cholesky[p++] * e[j];
            }
            var c = _copulaColumn[k];
            if (_leveled[k])
            {
                var thresholds = _thresholds[k];
                var level = 0;
                while (level < thresholds.Length && z >= thresholds[level])
                {
                    level++;
                }
                tokens[c] = level;
            }
            else
            {
                var f = (z + ZMax) * InvStep;
                var table = _tables[k];
                double x;
                if (f <= 0)
                {
                    x = table[0];
                }
                else if (f >= TableSize)
                {
                    x = table[TableSize];
                }
                else
                {
                    var i = (int)f;
                    var t = f - i;
                    x = table[i] + (t * (table[i + 1] - table[i]));
                }
                tokens[c] = _round[k](x);
            }
        }
        foreach (var c in _missingColumns)
        {
            if (rng.NextDouble() < _model.Columns[c].MissingRate)
            {
                tokens[c] = double.NaN;
            }
        }
        foreach (var c in _uniqueColumns)
        {
            tokens[c] = double.NaN;
        }
    }

    private void Store(Frame frame, int r, ReadOnlySpan<double> tokens, long globalRow)
    {
        for (var c = 0; c < tokens.Length; c++)
        {
            var col = _model.Columns[c];
            var v = tokens[c];
            if (col.Unique)
            {
                frame.Numbers[c][r] = col.KeyStart + globalRow;
            }
            else if (col.Kind == ColumnKind.Categorical)
            {
                frame.Texts[c][r] = double.IsNaN(v) ? null : col.Levels![(int)v];
            }
            else if (col.Kind == ColumnKind.Boolean)
            {
                frame.Numbers[c][r] = double.IsNaN(v) ? double.NaN : col.Levels![(int)v] == "true" ? 1 : 0;
            }
            else
            {
                frame.Numbers[c][r] = v;
            }
        }
    }

    /// <summary>z_i = -ZMax + i h ↦ Q(Φ(z_i)), Q the piecewise-linear quantile function of the column.</summary>
    private static double[] BuildTable(double[] q)
    {
        var table = new double[TableSize + 1];
        var k = q.Length - 1;
        for (var i = 0; i <= TableSize; i++)
        {
            var z = -ZMax + (i / InvStep);
            var u = DetMath.NormalCdf(z);
            var pos = u * k;
            var j = (int)pos;
            if (j >= k)
            {
                table[i] = q[k];
            }
            else
            {
                table[i] = q[j] + ((pos - j) * (q[j + 1] - q[j]));
            }
        }
        return table;
    }

    /// <summary>Rounds a value to the precision the sample was written in (decimals, whole numbers, days).</summary>
    private static Func<double, double> Rounding(ColumnModel col) => col.Kind switch
    {
        ColumnKind.Integer => Math.Round,
        ColumnKind.DateTime => col.Precision switch
        {
            TimePrecision.Date => v => Math.Round(v / 86400) * 86400,
            TimePrecision.Milliseconds => v => Math.Round(v * 1000) / 1000,
            _ => Math.Round,
        },
        _ when col.Decimals is int d => v => Math.Round(v, d),
        _ => v => v,
    };
}
