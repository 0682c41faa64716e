using LinqP2P.Ipfs.Blocks;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Bitswap;

/// <summary>The Bitswap protocol versions, oldest first (SPEC.md §6.8).</summary>
public enum BitswapVersion
{
    /// <summary><c>/ipfs/bitswap/1.0.0</c>: CIDv0 wants, blocks without CID prefixes, no presences.</summary>
    V100,

    /// <summary><c>/ipfs/bitswap/1.1.0</c>: any CID, blocks carry a CID prefix.</summary>
    V110,

    /// <summary><c>/ipfs/bitswap/1.2.0</c>: want-have, send-dont-have, HAVE / DONT_HAVE presences.</summary>
    V120,
}

public static class BitswapProtocols
{
    public const string V100 = "/ipfs/bitswap/1.0.0";
    public const string V110 = "/ipfs/bitswap/1.1.0";
    public const string V120 = "/ipfs/bitswap/1.2.0";

    /// <summary>Newest first, the order offered when opening a stream.</summary>
    public static IReadOnlyList<string> All { get; } = [V120, V110, V100];

    public static BitswapVersion VersionOf(string protocol) => protocol switch
    {
        V120 => BitswapVersion.V120,
        V110 => BitswapVersion.V110,
        V100 => BitswapVersion.V100,
        _ => throw new ArgumentException($"not a Bitswap protocol id: {protocol}", nameof(protocol)),
    };

    public static string IdOf(BitswapVersion version) => version switch
    {
        BitswapVersion.V120 => V120,
        BitswapVersion.V110 => V110,
        _ => V100,
    };
}

public enum WantType
{
    Block = 0,
    Have = 1,
}

/// <summary>One wantlist entry: want (or cancel) a block or only a HAVE for it.</summary>
public sealed record WantEntry(Cid Cid, int Priority = 1, bool Cancel = false, WantType WantType = WantType.Block, bool SendDontHave = false);

/// <summary>HAVE / DONT_HAVE for one CID (1.2.0).</summary>
public sealed record BlockPresence(Cid Cid, bool Have);

/// <summary>
/// One Bitswap message, decoded and validated: CIDs parsed, each block's CID computed from its data.
/// <see cref="Full"/> means the wantlist replaces the previous one; otherwise it is a delta.
/// </summary>
public sealed class BitswapMessage
{
    public IReadOnlyList<WantEntry> Wants { get; init; } = [];

    public bool Full { get; init; }

    /// <summary>Blocks carried, each with the CID computed from its prefix (1.1.0+) or as CIDv0 (1.0.0) and a hash of its data.</summary>
    public IReadOnlyList<Block> Blocks { get; init; } = [];

    public IReadOnlyList<BlockPresence> Presences { get; init; } = [];

    public int PendingBytes { get; init; }

    public bool IsEmpty => Wants.Count == 0 && !Full && Blocks.Count == 0 && Presences.Count == 0;
}
