using System.Globalization;
using System.Text;
using System.Text.Json;
using LinqP2P.Market.Specs;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Service;

namespace LinqP2P.Synth.Jobs;

/// <summary>
/// A requester's order for a dataset (SPEC.md §9.7): what to generate (<see cref="Spec"/>), in how many
/// shards, with which input (the fitted model or the schema, already added to the store), on which image
/// and at what price. <see cref="SynthJobMapper"/> turns it into a job spec.
/// </summary>
public sealed record SynthRequest
{
    /// <summary>The worker image every request runs unless told otherwise (built by scripts/build-synth-image.sh).</summary>
    public const string DefaultImage = "linq/synth-worker:1";

    public required SynthShardSpec Spec { get; init; }

    /// <summary>Shards (1..10000); the dataset does not depend on it, only the speed does.</summary>
    public int Shards { get; init; } = 1;

    /// <summary>CID of the model.json or schema.yaml the spec's <see cref="SynthShardSpec.InputSha256"/> names.</summary>
    public string? InputCid { get; init; }

    /// <summary><c>name:tag</c> of the worker image, or <c>ipfs://CID</c> of its <c>docker save</c> tarball.</summary>
    public string Image { get; init; } = DefaultImage;

    public string? Name { get; init; }

    /// <summary>CPU cores per shard; default 1.</summary>
    public double CpuCores { get; init; } = 1;

    /// <summary>Memory per shard, as the job spec writes it; default 1GiB.</summary>
    public string Memory { get; init; } = "1GiB";

    /// <summary>Longest a shard may run, as the job spec writes it; default 1h.</summary>
    public string Duration { get; init; } = "1h";

    /// <summary>Price per shard, as the job spec writes it; default 0.01 LNQ.</summary>
    public string Price { get; init; } = "0.01 LNQ";

    /// <summary>Providers per shard (1..5); above 1 their result hashes are compared.</summary>
    public int Redundancy { get; init; } = 1;
}

/// <summary>One shard's place in the dataset, as the requester planned it.</summary>
public sealed record PlannedShard(int Index, long FirstRow, long Rows);

/// <summary>A request turned into a job: the resource.yaml text, the validated spec and the shard plan.</summary>
public sealed record SynthJob(string Yaml, JobSpec Spec, IReadOnlyList<PlannedShard> Shards);

/// <summary>
/// Maps a <see cref="SynthRequest"/> to a job spec (SPEC.md §9.8): one shard per index with parameters
/// <c>first_row</c> and <c>rows</c> (the worker checks them against its own plan), the shard spec as the job
/// variable <c>SYNTH_SPEC</c>, the input mounted at <c>/linq/in/model</c> or <c>/linq/in/schema</c>, and the
/// whole of <c>/linq/out</c> as the result.
/// </summary>
public static class SynthJobMapper
{
    public static SynthJob Map(SynthRequest request, string? inputText)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Spec.Validate();
        if (request.Shards is < 1 or > JobSpecParser.MaxShards)
        {
            throw new SynthInputException("synth.shards.invalid", $"--shards must lie in 1..{JobSpecParser.MaxShards}.", field: "shards");
        }
        if (request.Spec.InputFile is not null)
        {
            if (request.InputCid is null)
            {
                throw new SynthInputException("synth.request.input", $"a {request.Spec.Kind} request needs the CID of its {request.Spec.InputFile}: add it to the store first.", field: "inputCid");
            }
            if (inputText is null || TestSha(inputText) != request.Spec.InputSha256)
            {
                throw new SynthInputException("synth.request.input", $"the {request.Spec.InputFile} given does not have the SHA-256 the spec names.", field: "inputSha256");
            }
        }
        var plan = Plan(request.Spec, inputText, request.Shards);
        var yaml = Yaml(request, plan);
        return new SynthJob(yaml, JobSpecParser.Parse(yaml, "synth request"), plan);
    }

    /// <summary>The rows (or images) each shard makes; the same function the worker uses.</summary>
    public static IReadOnlyList<PlannedShard> Plan(SynthShardSpec spec, string? inputText, int shards) =>
        ShardWork.Plan(spec, inputText, shards).Select((p, k) => new PlannedShard(k, p.FirstRow, p.Rows)).ToList();

    private static string TestSha(string text) => SynthRunner.Sha256Hex(text);

    private static string Yaml(SynthRequest request, IReadOnlyList<PlannedShard> plan)
    {
        static string Q(string s) => JsonSerializer.Serialize(s); // a JSON string is a valid YAML double-quoted scalar
        static string N(long v) => Q(v.ToString(CultureInfo.InvariantCulture));
        var spec = request.Spec;
        var sb = new StringBuilder();
        sb.Append("version: 1\n");
        sb.Append("name: ").Append(Q(request.Name ?? $"synth-{spec.Kind}")).Append('\n');
        sb.Append("image: ").Append(Q(request.Image)).Append('\n');
        sb.Append("env:\n  SYNTH_SPEC: ").Append(Q(spec.ToJson())).Append('\n');
        if (spec.InputFile is not null)
        {
            sb.Append("inputs:\n  - { cid: ").Append(Q(request.InputCid!)).Append(", path: ")
              .Append(Q(spec.Kind == "tabular" ? "/linq/in/model" : "/linq/in/schema")).Append(" }\n");
        }
        sb.Append("outputs: [\"/linq/out\"]\n");
        sb.Append("resources:\n  cpu: ").Append(request.CpuCores.ToString("R", CultureInfo.InvariantCulture))
          .Append("\n  memory: ").Append(Q(request.Memory)).Append('\n');
        sb.Append("duration: ").Append(Q(request.Duration)).Append('\n');
        sb.Append("price: ").Append(Q(request.Price)).Append('\n');
        sb.Append("redundancy: ").Append(request.Redundancy.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("shards:\n  count: ").Append(plan.Count.ToString(CultureInfo.InvariantCulture)).Append("\n  params:\n");
        foreach (var shard in plan)
        {
            sb.Append("    - { first_row: ").Append(N(shard.FirstRow)).Append(", rows: ").Append(N(shard.Rows)).Append(" }\n");
        }
        return sb.ToString();
    }
}
