using LinqP2P.Ipfs.Blocks;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Bitswap;

/// <summary>What the service tells running fetch sessions.</summary>
internal abstract record SessionEvent
{
    /// <summary>A wanted block arrived from <paramref name="Peer"/> and is already in the store.</summary>
    public sealed record BlockArrived(PeerId Peer, Block Block) : SessionEvent;

    public sealed record Presence(PeerId Peer, Multihash Hash, bool Have) : SessionEvent;

    /// <summary>The peer disconnected, could not be reached, or was banned.</summary>
    public sealed record PeerFailed(PeerId Peer) : SessionEvent;

    public sealed record Stopped : SessionEvent;

    /// <summary>Content routing named a provider of the session's root.</summary>
    public sealed record ProviderFound(PeerId Peer) : SessionEvent;

    /// <summary>The content-routing search ended (found enough, ran out of peers or time).</summary>
    public sealed record SearchEnded(int Found, string? Error) : SessionEvent;
}
