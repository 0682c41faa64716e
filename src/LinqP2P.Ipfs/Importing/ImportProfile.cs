namespace LinqP2P.Ipfs.Importing;

/// <summary>How a directory's size is estimated when deciding to turn it into a HAMT shard.</summary>
public enum ShardSplitStrategy
{
    /// <summary>Sum of link name bytes plus CID bytes (go-unixfsnode's estimate).</summary>
    LinksBytes,

    /// <summary>The exact size of the encoded directory block.</summary>
    BlockBytes,
}

/// <summary>
/// The parameters that decide a UnixFS DAG and so its CID. The named profiles reproduce
/// ipfs-unixfs-importer 17 (and Kubo's import profiles of the same names) byte for byte. SPEC.md §6.
/// </summary>
public sealed record ImportProfile(
    string Name,
    int CidVersion,
    bool RawLeaves,
    int ChunkSize,
    int MaxLinksPerNode,
    ShardSplitStrategy ShardSplitStrategy,
    int ShardSplitThresholdBytes = 262_144)
{
    /// <summary>The HAMT fanout the importer uses: 256 buckets, 8 bits of murmur3-x64-64 per level.</summary>
    public const int HamtFanout = 256;

    /// <summary>CIDv1, raw leaves, 1 MiB chunks, balanced DAG of up to 1024 links, exact-size shard split.</summary>
    public static readonly ImportProfile UnixFsV1_2025 = new("unixfs-v1-2025", 1, true, 1_048_576, 1024, ShardSplitStrategy.BlockBytes);

    /// <summary>CIDv0, dag-pb leaves, 256 KiB chunks, balanced DAG of up to 174 links, links-bytes shard split.</summary>
    public static readonly ImportProfile UnixFsV0_2015 = new("unixfs-v0-2015", 0, false, 262_144, 174, ShardSplitStrategy.LinksBytes);

    /// <summary>What the importer does with no profile: CIDv1, raw leaves, 256 KiB chunks, 174 links.</summary>
    public static readonly ImportProfile ImporterDefault = new("importer-default", 1, true, 262_144, 174, ShardSplitStrategy.LinksBytes);

    /// <summary>The default of this store.</summary>
    public static ImportProfile Default => UnixFsV1_2025;

    public static IReadOnlyList<ImportProfile> All { get; } = [UnixFsV1_2025, UnixFsV0_2015, ImporterDefault];

    public static ImportProfile Parse(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"unknown import profile '{name}': use one of {string.Join(", ", All.Select(p => p.Name))}", nameof(name));
}
