using LinqP2P.Core;

namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>
/// A gossipsub RPC frame or message was malformed, over a limit, or badly signed (SPEC.md §5 Gossipsub).
/// The peer that sent it is at fault; the router drops the frame and penalises the peer.
/// </summary>
public sealed class GossipsubException : LinqException
{
    public GossipsubException(string code, string message)
        : base("gossipsub." + code, message, retryable: false) { }
}
