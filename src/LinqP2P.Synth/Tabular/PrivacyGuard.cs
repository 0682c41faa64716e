using System.Runtime.CompilerServices;
using LinqP2P.Synth.Data;

namespace LinqP2P.Synth.Tabular;

/// <summary>
/// Decides whether a candidate row copies a sample row exactly, or falls in the same near-copy grid cell
/// as one, from the salted fingerprints of <see cref="PrivacyModel"/> alone.
/// Rows are handled as tokens: a level index for leveled columns, the value for numeric ones, NaN for missing.
/// </summary>
public sealed class PrivacyGuard
{
    private readonly TabularModel _model;
    private readonly bool[] _leveled;
    private readonly bool[] _skip;
    private readonly double[] _origin;
    private readonly double[] _width;
    private readonly Dictionary<string, int>[] _levelIndex;
    private readonly HashSet<ulong> _rows;
    private readonly HashSet<ulong> _cells;

    public PrivacyGuard(TabularModel model)
    {
        _model = model;
        var n = model.Columns.Count;
        _leveled = new bool[n];
        _skip = new bool[n];
        _origin = new double[n];
        _width = new double[n];
        _levelIndex = new Dictionary<string, int>[n];
        for (var c = 0; c < n; c++)
        {
            var col = model.Columns[c];
            _skip[c] = col.Unique;
            _leveled[c] = col.IsLeveled;
            _levelIndex[c] = col.Levels is null ? [] : col.Levels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i, StringComparer.Ordinal);
            if (col.Quantiles is { Length: > 0 } q)
            {
                _origin[c] = q[0];
                _width[c] = model.Privacy.MinDistance * (q[^1] - q[0]);
            }
        }
        _rows = [.. model.Privacy.RowFingerprints];
        _cells = [.. model.Privacy.CellFingerprints];
    }

    public bool GuardsNearCopies => _model.Privacy.MinDistance > 0 && _cells.Count > 0;

    /// <summary>The token of column <paramref name="c"/> at row <paramref name="r"/> of a frame with the model's columns.</summary>
    public double Encode(int c, Frame frame, int r)
    {
        if (_skip[c] || frame.IsMissing(c, r))
        {
            return double.NaN;
        }
        if (!_leveled[c])
        {
            return frame.Numbers[c][r];
        }
        var text = frame.Columns[c].IsText ? frame.Texts[c][r]! : frame.Numbers[c][r] != 0 ? "true" : "false";
        return _levelIndex[c].TryGetValue(text, out var i) ? i : -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong RowFingerprint(ReadOnlySpan<double> tokens)
    {
        var h = _model.Privacy.Salt;
        for (var c = 0; c < tokens.Length; c++)
        {
            if (!_skip[c])
            {
                h = Tabular.RowFingerprint.Fold(h, _leveled[c] && !double.IsNaN(tokens[c]) ? (long)tokens[c] : Tabular.RowFingerprint.NumberToken(tokens[c]));
            }
        }
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong CellFingerprint(ReadOnlySpan<double> tokens)
    {
        var h = ~_model.Privacy.Salt;
        for (var c = 0; c < tokens.Length; c++)
        {
            if (!_skip[c])
            {
                h = Tabular.RowFingerprint.Fold(h, _leveled[c] && !double.IsNaN(tokens[c])
                    ? (long)tokens[c]
                    : Tabular.RowFingerprint.CellToken(tokens[c], _origin[c], _width[c]));
            }
        }
        return h;
    }

    /// <summary>True when the row equals a sample row on every column.</summary>
    public bool IsExactCopy(ReadOnlySpan<double> tokens) => _rows.Contains(RowFingerprint(tokens));

    /// <summary>True when the row shares a grid cell with a sample row on every column.</summary>
    public bool IsNearCopy(ReadOnlySpan<double> tokens) => GuardsNearCopies && _cells.Contains(CellFingerprint(tokens));
}
