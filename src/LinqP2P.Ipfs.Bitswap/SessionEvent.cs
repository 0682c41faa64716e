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
}
