using System.Text.Json;
using System.Text.Json.Serialization;
using LinqP2P.Synth.Data;

namespace LinqP2P.Synth.Tabular;

/// <summary>
/// A fitted Gaussian-copula model (SPEC.md §9.4): per-column marginals, the correlation of normal scores,
/// and the privacy guard's salted row fingerprints. It carries no sample row, so a requester can hand it
/// to providers who never see the sample.
/// </summary>
public sealed record TabularModel
{
    public const string CurrentFormat = "linq-synth-tabular/1";

    public string Format { get; init; } = CurrentFormat;

    /// <summary>Rows of the sample the model was fitted on.</summary>
    public int SampleRows { get; init; }

    public required IReadOnlyList<ColumnModel> Columns { get; init; }

    /// <summary>Indices into <see cref="Columns"/> of the columns joined by the copula, in matrix order.</summary>
    public required IReadOnlyList<int> CopulaColumns { get; init; }

    /// <summary>The repaired (positive definite, unit diagonal) correlation of normal scores, row by row.</summary>
    public required IReadOnlyList<double[]> Correlation { get; init; }

    public required PrivacyModel Privacy { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses and checks a model; a malformed one is a <see cref="SynthInputException"/> naming the field.</summary>
    public static TabularModel FromJson(string json)
    {
        TabularModel? model;
        try
        {
            model = JsonSerializer.Deserialize<TabularModel>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new SynthInputException("synth.model.json",
                $"the model is not valid JSON ({e.Message}): refit with `linq synth local tabular --fit`.", e.LineNumber + 1, e.Path, e);
        }
        if (model is null)
        {
            throw new SynthInputException("synth.model.json", "the model is empty: refit with `linq synth local tabular --fit`.");
        }
        model.Validate();
        return model;
    }

    public void Validate()
    {
        if (Format != CurrentFormat)
        {
            throw new SynthInputException("synth.model.format", $"model format '{Format}' is not {CurrentFormat}: refit with this version.", field: "format");
        }
        if (Columns is null || CopulaColumns is null || Correlation is null || Privacy is null
            || Privacy.RowFingerprints is null || Privacy.CellFingerprints is null
            || Columns.Any(c => c is null || c.Name is null) || Correlation.Any(r => r is null))
        {
            throw new SynthInputException("synth.model.json", "the model lacks columns, copulaColumns, correlation or privacy: refit it.");
        }
        if (Columns.Count == 0)
        {
            throw new SynthInputException("synth.model.columns", "the model has no columns: refit on a sample with columns.", field: "columns");
        }
        foreach (var c in Columns)
        {
            c.Validate();
        }
        var m = CopulaColumns.Count;
        if (Correlation.Count != m || Correlation.Any(r => r.Length != m))
        {
            throw new SynthInputException("synth.model.correlation", $"the correlation matrix must be {m}x{m}: refit the model.", field: "correlation");
        }
        for (var i = 0; i < m; i++)
        {
            if (CopulaColumns[i] < 0 || CopulaColumns[i] >= Columns.Count)
            {
                throw new SynthInputException("synth.model.copula", $"copula column index {CopulaColumns[i]} is out of range: refit the model.", field: "copulaColumns");
            }
            for (var j = 0; j < m; j++)
            {
                var v = Correlation[i][j];
                if (!double.IsFinite(v) || v < -1 || v > 1 || v != Correlation[j][i] || (i == j && v != 1))
                {
                    throw new SynthInputException("synth.model.correlation",
                        $"correlation[{i}][{j}] = {v} is not a symmetric unit-diagonal correlation: refit the model.", field: "correlation");
                }
            }
        }
        if (Privacy.MinDistance is < 0 or >= 1)
        {
            throw new SynthInputException("synth.model.privacy", "privacy.minDistance must lie in [0, 1).", field: "privacy.minDistance");
        }
    }
}

/// <summary>One column's marginal.</summary>
public sealed record ColumnModel
{
    public required string Name { get; init; }

    public required ColumnKind Kind { get; init; }

    public int? Decimals { get; init; }

    public TimePrecision Precision { get; init; } = TimePrecision.Seconds;

    /// <summary>Share of missing values in the sample, drawn independently of the other columns.</summary>
    public double MissingRate { get; init; }

    /// <summary>
    /// Numeric columns: the empirical quantile function at evenly spaced probabilities 0, 1/(K-1), ..., 1;
    /// sampled by linear interpolation, so values stay within [min, max] of the sample.
    /// </summary>
    public double[]? Quantiles { get; init; }

    /// <summary>Categorical and boolean columns: the levels in their sort order, and their probabilities.</summary>
    public string[]? Levels { get; init; }

    public double[]? Probabilities { get; init; }

    /// <summary>A unique key: written as <see cref="KeyStart"/> + global row index, never copied from the sample.</summary>
    public bool Unique { get; init; }

    public long KeyStart { get; init; }

    public ColumnSpec ToSpec() => new(Name, Kind) { Decimals = Decimals, Precision = Precision };

    public bool IsLeveled => Kind is ColumnKind.Categorical or ColumnKind.Boolean;

    public void Validate()
    {
        if (MissingRate is < 0 or > 1 || double.IsNaN(MissingRate))
        {
            throw new SynthInputException("synth.model.column", "missingRate must lie in [0, 1].", field: $"columns[{Name}].missingRate");
        }
        if (Unique)
        {
            return;
        }
        if (IsLeveled)
        {
            if (Levels is null || Probabilities is null || Levels.Length == 0 || Levels.Length != Probabilities.Length
                || Probabilities.Any(p => p < 0 || !double.IsFinite(p)) || Math.Abs(Probabilities.Sum() - 1) > 1e-6)
            {
                throw new SynthInputException("synth.model.column",
                    "levels and probabilities must be non-empty, of equal length and sum to 1.", field: $"columns[{Name}].probabilities");
            }
        }
        else if (Quantiles is null || Quantiles.Length < 2 || Quantiles.Any(q => !double.IsFinite(q))
            || Quantiles.Zip(Quantiles.Skip(1)).Any(p => p.Second < p.First))
        {
            throw new SynthInputException("synth.model.column",
                "quantiles must hold at least 2 finite, non-decreasing values.", field: $"columns[{Name}].quantiles");
        }
    }
}

/// <summary>The privacy guard carried by a model (SPEC.md §9.4).</summary>
public sealed record PrivacyModel
{
    /// <summary>Salt of the row fingerprints, so they cannot be matched against another model's.</summary>
    public ulong Salt { get; init; }

    /// <summary>Fingerprints of every sample row: a synthetic row with one of them is an exact copy and is redrawn.</summary>
    public required ulong[] RowFingerprints { get; init; }

    /// <summary>
    /// Grid cell width as a share of each numeric column's range; 0 turns the near-copy guard off.
    /// A synthetic row in the same cell as a sample row on every column is a near copy and is redrawn.
    /// </summary>
    public double MinDistance { get; init; }

    /// <summary>Fingerprints of the grid cells holding a sample row (empty when <see cref="MinDistance"/> is 0).</summary>
    public required ulong[] CellFingerprints { get; init; }
}
