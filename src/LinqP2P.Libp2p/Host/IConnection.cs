using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Streams;

namespace LinqP2P.Libp2p.Host;

/// <summary>Who opened a connection or stream.</summary>
public enum Direction
{
    Inbound,
    Outbound,
}

/// <summary>
/// A secured, multiplexed connection to one authenticated peer (TCP + Noise + Yamux, SPEC.md §5).
/// </summary>
public interface IConnection
{
    /// <summary>A process-unique id for logs.</summary>
    string Id { get; }

    PeerId RemotePeer { get; }

    /// <summary>The key the remote proved it holds during the Noise handshake.</summary>
    PublicKey RemotePublicKey { get; }

    Multiaddr LocalAddress { get; }

    Multiaddr RemoteAddress { get; }

    Direction Direction { get; }

    DateTimeOffset OpenedAt { get; }

    bool IsClosed { get; }

    /// <summary>Streams open on this connection now.</summary>
    int StreamCount { get; }

    /// <summary>
    /// Opens a stream and negotiates the first of <paramref name="protocols"/> the remote supports
    /// (multistream-select). Throws <see cref="ProtocolNotSupportedException"/> when it supports none.
    /// </summary>
    Task<P2PStream> OpenStreamAsync(IReadOnlyList<string> protocols, CancellationToken cancellationToken);

    /// <summary>Closes the connection (Yamux GoAway, then the socket) and resets its streams.</summary>
    Task CloseAsync();

    /// <summary>Completes when the connection has closed for any reason.</summary>
    Task Completion { get; }
}
