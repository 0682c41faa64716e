using LinqP2P.Core;

namespace LinqP2P.Libp2p;

/// <summary>
/// Text or bytes handed to a parser (a multiaddr, a peer id, a key) were malformed. The input will not get
/// better by retrying: fix it at the source. Codes start with <c>p2p.format.</c>.
/// </summary>
public sealed class Libp2pFormatException : LinqException
{
    public Libp2pFormatException(string code, string message, Exception? inner = null)
        : base("p2p.format." + code, message, retryable: false, inner) { }
}

/// <summary>
/// A remote peer broke a wire protocol (a malformed, truncated or oversized frame, a bad signature, an
/// unexpected message). Only the connection or stream it came on is closed. Codes start with <c>p2p.protocol.</c>.
/// </summary>
public sealed class Libp2pProtocolException : LinqException
{
    public Libp2pProtocolException(string code, string message, Exception? inner = null)
        : base("p2p.protocol." + code, message, retryable: false, inner) { }
}

/// <summary>
/// A connection or stream could not be set up or was lost (refused, timed out, reset, closed, limited).
/// Retrying later, or with another address, may succeed. Codes start with <c>p2p.connection.</c>.
/// </summary>
public sealed class Libp2pConnectionException : LinqException
{
    public Libp2pConnectionException(string code, string message, bool retryable = true, Exception? inner = null)
        : base("p2p.connection." + code, message, retryable, inner) { }
}

/// <summary>
/// The remote peer supports none of the protocols offered in multistream-select. Offer another protocol
/// or upgrade one of the peers. Code <c>p2p.negotiation.unsupported</c>.
/// </summary>
public sealed class ProtocolNotSupportedException : LinqException
{
    public ProtocolNotSupportedException(IReadOnlyList<string> offered)
        : base("p2p.negotiation.unsupported", "the remote peer supports none of: " + string.Join(", ", offered), retryable: false)
    {
        Offered = offered;
    }

    public IReadOnlyList<string> Offered { get; }
}
