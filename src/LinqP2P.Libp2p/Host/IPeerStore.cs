using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Host;

/// <summary>What this node knows about one peer.</summary>
public sealed record PeerRecord(
    PeerId Peer,
    IReadOnlyList<Multiaddr> Addresses,
    IReadOnlyList<string> Protocols,
    PublicKey? PublicKey,
    string? AgentVersion,
    string? ProtocolVersion,
    DateTimeOffset LastSeen);

/// <summary>Known peers: their addresses, keys and protocols, learned from dials and identify. Persistent (LiteDB).</summary>
public interface IPeerStore
{
    PeerRecord? Get(PeerId peer);

    IReadOnlyList<PeerRecord> All();

    void AddAddresses(PeerId peer, IEnumerable<Multiaddr> addresses);

    /// <summary>Records the result of identify (replacing protocols and addresses the peer announced before).</summary>
    void Update(PeerId peer, PublicKey? key, IEnumerable<Multiaddr>? addresses, IEnumerable<string>? protocols, string? agentVersion, string? protocolVersion);

    void Remove(PeerId peer);
}
