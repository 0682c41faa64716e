namespace LinqP2P.Ethereum.Rlp;

/// <summary>
/// Bounds on what the decoder accepts, so input from a peer cannot make it build huge trees or recurse deeply.
/// Lengths are checked against the input before anything is allocated, so no length field can force an allocation.
/// </summary>
public sealed record RlpLimits
{
    /// <summary>Largest input accepted. Default 16 MiB (well above the largest transaction a node relays).</summary>
    public int MaxInputLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>Deepest list nesting accepted. Default 64; transactions need 3.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Most items (strings and lists together) in one decoded value. Default 1,000,000.</summary>
    public int MaxItems { get; init; } = 1_000_000;

    public static RlpLimits Default { get; } = new();
}
