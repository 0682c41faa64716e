namespace LinqP2P.Ipfs;

/// <summary>Size limits shared by every codec and store in this project (SPEC.md §6).</summary>
public static class Limits
{
    /// <summary>The largest block accepted anywhere: 2 MiB, the limit Bitswap peers enforce too.</summary>
    public const int MaxBlockSize = 2 * 1024 * 1024;

    /// <summary>Longest CID accepted inside a dag-pb link or CAR section.</summary>
    public const int MaxCidLength = 256;
}
