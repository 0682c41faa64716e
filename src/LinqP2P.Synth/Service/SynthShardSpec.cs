using System.Text.Json;
using System.Text.Json.Serialization;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Images;

namespace LinqP2P.Synth.Service;

/// <summary>
/// Everything a shard of a synthetic data job needs besides its index and its input file (SPEC.md §9.7):
/// the generator, the dataset seed, the size, the output format and the generator's settings. The same
/// spec, input, index and count give the same bytes on every machine. It travels as the job variable
/// <c>SYNTH_SPEC</c> (compact JSON, at most <see cref="MaxJsonBytes"/>).
/// </summary>
public sealed record SynthShardSpec
{
    public const string CurrentFormat = "linq-synth-shard/1";
    public const int MaxJsonBytes = 16 * 1024;

    /// <summary>The generators a shard can run.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["tabular", "schema", "transactions", "network", "sensor", "images"];

    public string Format { get; init; } = CurrentFormat;

    /// <summary>One of <see cref="Kinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The dataset seed: block b draws only from streams (Seed, b, s), whatever the shard count.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Rows of a tabular or schema dataset (0 for schema: the schema's own 'rows').</summary>
    public long Rows { get; init; }

    /// <summary>Rows per block for tabular and schema; null keeps the generator's default.</summary>
    public int? BlockRows { get; init; }

    public DatasetFormat OutputFormat { get; init; } = DatasetFormat.Csv;

    public TransactionsOptions? Transactions { get; init; }

    public NetworkOptions? Network { get; init; }

    public SensorOptions? Sensor { get; init; }

    public ImageOptions? Images { get; init; }

    /// <summary>
    /// SHA-256 (hex) of the input file a tabular (model.json) or schema (schema.yaml) shard reads; a shard
    /// refuses to run on any other file, so a wrong or altered input is an error and not a silent mismatch.
    /// </summary>
    public string? InputSha256 { get; init; }

    /// <summary>The input file name the shard reads, or null when the generator needs none.</summary>
    [JsonIgnore]
    public string? InputFile => Kind switch
    {
        "tabular" => "model.json",
        "schema" => "schema.yaml",
        _ => null,
    };

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 8,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses and validates; any problem is a <see cref="SynthInputException"/> naming the field.</summary>
    public static SynthShardSpec FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxJsonBytes)
        {
            throw new SynthInputException("synth.spec.too_large", $"the shard spec is over {MaxJsonBytes} bytes: keep large inputs in files.", field: "SYNTH_SPEC");
        }
        SynthShardSpec? spec;
        try
        {
            spec = JsonSerializer.Deserialize<SynthShardSpec>(json, Json);
        }
        catch (JsonException e)
        {
            throw new SynthInputException("synth.spec.json", $"the shard spec is not valid JSON for {CurrentFormat}: {e.Message}", field: e.Path ?? "SYNTH_SPEC", inner: e);
        }
        if (spec is null)
        {
            throw new SynthInputException("synth.spec.json", "the shard spec is empty.", field: "SYNTH_SPEC");
        }
        spec.Validate();
        return spec;
    }

    public void Validate()
    {
        if (Format != CurrentFormat)
        {
            throw new SynthInputException("synth.spec.format", $"shard spec format '{Format}' is not supported: this worker reads {CurrentFormat}; use a matching worker image.", field: "format");
        }
        if (!Kinds.Contains(Kind))
        {
            throw new SynthInputException("synth.spec.kind", $"unknown generator '{Kind}': use one of {string.Join(", ", Kinds)}.", field: "kind");
        }
        if (Rows < 0 || (Kind == "tabular" && Rows == 0))
        {
            throw new SynthInputException("synth.rows.invalid", "rows must be positive (schema: 0 takes the schema's own).", field: "rows");
        }
        if (BlockRows is < 1 or > 1_000_000)
        {
            throw new SynthInputException("synth.spec.block_rows", "blockRows must lie in 1..1000000.", field: "blockRows");
        }
        if (InputFile is not null && (InputSha256 is null || InputSha256.Length != 64 || !InputSha256.All(char.IsAsciiHexDigitLower)))
        {
            throw new SynthInputException("synth.spec.input", $"a {Kind} shard needs inputSha256, the lower-case hex SHA-256 of its {InputFile}.", field: "inputSha256");
        }
        var needed = Kind switch
        {
            "transactions" => Transactions is null ? "transactions" : null,
            "network" => Network is null ? "network" : null,
            "sensor" => Sensor is null ? "sensor" : null,
            "images" => Images is null ? "images" : null,
            _ => null,
        };
        if (needed is not null)
        {
            throw new SynthInputException("synth.spec.options", $"a {Kind} shard needs its '{needed}' settings.", field: needed);
        }
        // Block sizes decide allocations and divisions in every generator: bound them here, before any is built.
        foreach (var (name, blockRows) in new[] { ("transactions", Transactions?.BlockRows), ("network", Network?.BlockRows), ("sensor", Sensor?.BlockRows) })
        {
            if (blockRows is < 1 or > 1_000_000)
            {
                throw new SynthInputException("synth.spec.block_rows", $"{name}.blockRows must lie in 1..1000000.", field: name + ".blockRows");
            }
        }
    }
}
