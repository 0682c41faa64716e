using LinqP2P.Libp2p.Identity;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Bitswap;

/// <summary>Everything the service keeps about one peer: its ledger, the wants it asked us to serve, our sender.</summary>
internal sealed class PeerState(PeerId peer)
{
    public PeerId Peer { get; } = peer;

    public PeerLedger Ledger { get; } = new(peer);

    public object Gate { get; } = new();

    /// <summary>The peer's wantlist as we hold it (at most <see cref="BitswapOptions.MaxWantsServedPerPeer"/>), under <see cref="Gate"/>.</summary>
    public Dictionary<Multihash, WantEntry> Wants { get; } = [];

    /// <summary>Wants not answered yet, in arrival order, under <see cref="Gate"/>.</summary>
    public Queue<Multihash> Pending { get; } = new();

    /// <summary>A serve loop is running for this peer (under <see cref="Gate"/>).</summary>
    public bool Serving { get; set; }

    public int InboundStreams;

    public MessageSender? Sender { get; set; }

    public int WantCount
    {
        get
        {
            lock (Gate)
            {
                return Wants.Count;
            }
        }
    }
}
