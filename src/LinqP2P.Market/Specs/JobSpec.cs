using System.Numerics;

namespace LinqP2P.Market.Specs;

/// <summary>
/// What a requester asks the network to run: the contents of a <c>resource.yaml</c> (SPEC.md §7.1),
/// after validation. Every value here has been checked; build one with <see cref="JobSpecParser"/>.
/// </summary>
public sealed record JobSpec
{
    public required int Version { get; init; }

    public required string Name { get; init; }

    public required ImageReference Image { get; init; }

    /// <summary>The entrypoint and arguments; empty means the image's own.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<JobInput> Inputs { get; init; } = [];

    /// <summary>Absolute folders inside the container whose contents are the shard's result.</summary>
    public required IReadOnlyList<string> Outputs { get; init; }

    public required ResourceRequest Resources { get; init; }

    /// <summary>The most a shard may run before it is killed.</summary>
    public required TimeSpan Duration { get; init; }

    public required TokenAmount PricePerShard { get; init; }

    public required ShardPlan Shards { get; init; }

    /// <summary>How many providers run each shard; above 1 their result hashes are compared.</summary>
    public int Redundancy { get; init; } = 1;

    public NetworkNeeds Network { get; init; } = NetworkNeeds.None;

    public TeeKind Tee { get; init; } = TeeKind.None;

    /// <summary>The environment a shard's container sees: the spec's, its shard parameters, and the LINQ_ variables.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentFor(string jobId, int shardIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shardIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shardIndex, Shards.Count);
        var env = new Dictionary<string, string>(Environment, StringComparer.Ordinal);
        foreach (var (key, value) in Shards.ParametersOf(shardIndex))
        {
            env["LINQ_PARAM_" + key.ToUpperInvariant()] = value;
        }
        env["LINQ_JOB_ID"] = jobId;
        env["LINQ_SHARD_INDEX"] = shardIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["LINQ_SHARD_COUNT"] = Shards.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return env;
    }
}

/// <summary>A container image: a registry reference, or <c>ipfs://CID</c> of a <c>docker save</c> tarball.</summary>
public sealed record ImageReference(string Value)
{
    public const string IpfsScheme = "ipfs://";

    public bool IsIpfs => Value.StartsWith(IpfsScheme, StringComparison.Ordinal);

    /// <summary>The CID text of an <c>ipfs://</c> image, else null.</summary>
    public string? Cid => IsIpfs ? Value[IpfsScheme.Length..] : null;

    public override string ToString() => Value;
}

/// <summary>Content mounted read-only into every shard's container at <see cref="Path"/>.</summary>
public sealed record JobInput(string Cid, string Path);

public sealed record ResourceRequest(double CpuCores, long MemoryBytes, long DiskBytes, GpuRequest? Gpu);

public sealed record GpuRequest(int Count, string? Model, long? VramBytes);

/// <summary>How the job is split: <see cref="Count"/> shards, each with optional named parameters.</summary>
public sealed record ShardPlan(int Count, IReadOnlyList<IReadOnlyDictionary<string, string>> Parameters)
{
    public IReadOnlyDictionary<string, string> ParametersOf(int index) =>
        index < Parameters.Count ? Parameters[index] : EmptyParameters;

    private static readonly IReadOnlyDictionary<string, string> EmptyParameters = new Dictionary<string, string>();
}

/// <summary>Whether the shards of one job talk to each other over mesh links, and on which ports.</summary>
public sealed record NetworkNeeds(bool Mesh, IReadOnlyList<int> Ports)
{
    public static readonly NetworkNeeds None = new(false, []);
}

public enum TeeKind
{
    None,
    Sgx,
    SevSnp,
    Tdx,
}

/// <summary>An amount of LNQ in its smallest unit (18 decimals, like wei for ether).</summary>
public readonly record struct TokenAmount(BigInteger BaseUnits)
{
    public const int Decimals = 18;

    public static readonly BigInteger OneToken = BigInteger.Pow(10, Decimals);

    public override string ToString()
    {
        var whole = BigInteger.DivRem(BaseUnits, OneToken, out var fraction);
        if (fraction.IsZero)
        {
            return $"{whole} LNQ";
        }
        var digits = fraction.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(Decimals, '0').TrimEnd('0');
        return $"{whole}.{digits} LNQ";
    }
}
