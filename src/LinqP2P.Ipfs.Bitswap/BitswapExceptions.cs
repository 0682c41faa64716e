using LinqP2P.Core;

namespace LinqP2P.Ipfs.Bitswap;

/// <summary>
/// A peer sent a Bitswap message that is malformed, oversized or breaks the protocol (SPEC.md §6.8). Only
/// the stream it came on is reset. Codes start with <c>bitswap.protocol.</c>.
/// </summary>
public sealed class BitswapProtocolException : LinqException
{
    public BitswapProtocolException(string code, string message, Exception? inner = null)
        : base("bitswap.protocol." + code, message, retryable: false, inner) { }
}

/// <summary>
/// A fetch could not complete: no provider had a block, every provider timed out or misbehaved.
/// Retrying later, or with other providers, may succeed. Codes start with <c>bitswap.fetch.</c>.
/// </summary>
public sealed class BitswapFetchException : LinqException
{
    public BitswapFetchException(string code, string message, string? cid = null, Exception? inner = null)
        : base("bitswap.fetch." + code, message, retryable: true, inner)
    {
        Cid = cid;
    }

    /// <summary>The block that could not be fetched, when one is to blame.</summary>
    public string? Cid { get; }
}
