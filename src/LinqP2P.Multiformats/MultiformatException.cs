using LinqP2P.Core;

namespace LinqP2P.Multiformats;

/// <summary>A varint, multibase string, multihash or CID was malformed, truncated or out of bounds.</summary>
public sealed class MultiformatException : LinqException
{
    public MultiformatException(string code, string message)
        : base("multiformats." + code, message, retryable: false) { }
}
