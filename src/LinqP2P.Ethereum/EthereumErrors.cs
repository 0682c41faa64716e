using LinqP2P.Core;

namespace LinqP2P.Ethereum;

/// <summary>Why an encoded value was refused. Every decoder in this project reports one of these.</summary>
public enum DecodeError
{
    /// <summary>The input ended before the value it announced.</summary>
    Truncated,

    /// <summary>The value is well-formed but not in the single canonical form the spec requires.</summary>
    NonCanonical,

    /// <summary>A length, count or depth exceeds the limit the caller set (or what the format allows).</summary>
    Oversized,

    /// <summary>Bytes remain after the value.</summary>
    TrailingBytes,

    /// <summary>The structure is not what was expected here (a list where a string belongs, a bad type byte, ...).</summary>
    Malformed,

    /// <summary>An offset points outside the data or backwards.</summary>
    OffsetOutOfRange,
}

/// <summary>
/// Bytes from outside (a peer, a node, a file) that an Ethereum codec refused. The <see cref="LinqException.Code"/>
/// is <c>eth.{format}.{error}</c>, e.g. <c>eth.rlp.truncated</c> or <c>eth.abi.offset-out-of-range</c>.
/// </summary>
public sealed class EthereumDecodeException : LinqException
{
    public EthereumDecodeException(string format, DecodeError error, string message, Exception? inner = null)
        : base($"eth.{format}.{Kebab(error)}", message, retryable: false, inner)
    {
        Format = format;
        Error = error;
    }

    /// <summary>The codec that refused the input: <c>rlp</c>, <c>abi</c>, <c>tx</c>, <c>eip712</c>, <c>keystore</c>.</summary>
    public string Format { get; }

    public DecodeError Error { get; }

    private static string Kebab(DecodeError error) => error switch
    {
        DecodeError.Truncated => "truncated",
        DecodeError.NonCanonical => "non-canonical",
        DecodeError.Oversized => "oversized",
        DecodeError.TrailingBytes => "trailing-bytes",
        DecodeError.Malformed => "malformed",
        DecodeError.OffsetOutOfRange => "offset-out-of-range",
        _ => "invalid",
    };
}
