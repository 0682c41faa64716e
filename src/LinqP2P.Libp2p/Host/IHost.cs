using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Streams;

namespace LinqP2P.Libp2p.Host;

/// <summary>
/// Handles one inbound stream whose protocol was negotiated. The host disposes the stream when the
/// handler returns; a handler that throws resets only that stream.
/// </summary>
public delegate Task StreamHandler(P2PStream stream, CancellationToken cancellationToken);

/// <summary>A connection opened or closed.</summary>
public sealed class ConnectionEventArgs(IConnection connection, Exception? closeReason = null) : EventArgs
{
    public IConnection Connection { get; } = connection;

    /// <summary>For a closed connection, the fault that closed it (null when closed normally by either side).</summary>
    public Exception? CloseReason { get; } = closeReason;
}

/// <summary>Identify finished with a peer: what it runs and which protocols it speaks.</summary>
public sealed class PeerIdentifiedEventArgs(PeerId peer, IConnection connection, IReadOnlyList<string> protocols, string? agentVersion) : EventArgs
{
    public PeerId Peer { get; } = peer;

    public IConnection Connection { get; } = connection;

    public IReadOnlyList<string> Protocols { get; } = protocols;

    public string? AgentVersion { get; } = agentVersion;
}

/// <summary>
/// A libp2p node: listens, dials, authenticates peers, and routes inbound streams to protocol handlers
/// by protocol id. Protocol implementations (ping, identify, gossipsub, ...) depend only on this interface.
/// See SPEC.md §5.
/// </summary>
public interface IHost : IAsyncDisposable
{
    PeerId PeerId { get; }

    KeyPair Identity { get; }

    /// <summary>Addresses we accept connections on (with the port the OS chose), without /p2p/.</summary>
    IReadOnlyList<Multiaddr> ListenAddresses { get; }

    /// <summary>The protocol ids that have a handler, as announced by identify.</summary>
    IReadOnlyCollection<string> Protocols { get; }

    IPeerStore PeerStore { get; }

    /// <summary>Open connections, at most one usable one per peer after dial de-duplication.</summary>
    IReadOnlyCollection<IConnection> Connections { get; }

    /// <summary>Starts accepting connections on <paramref name="address"/> (/ip4|ip6/HOST/tcp/PORT; port 0 picks one).</summary>
    Task<Multiaddr> ListenAsync(Multiaddr address, CancellationToken cancellationToken);

    /// <summary>Registers the handler for inbound streams of <paramref name="protocol"/>, replacing any previous one.</summary>
    void SetHandler(string protocol, StreamHandler handler);

    void RemoveHandler(string protocol);

    /// <summary>
    /// Connects to the peer at <paramref name="address"/>. When the address ends in /p2p/ID the remote
    /// must prove it is ID. An existing connection to that peer is reused, and concurrent dials to the
    /// same peer share one attempt.
    /// </summary>
    Task<IConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken);

    /// <summary>Connects to <paramref name="peer"/> using the addresses in the peer store (or reuses a connection).</summary>
    Task<IConnection> DialAsync(PeerId peer, CancellationToken cancellationToken);

    /// <summary>Opens a stream to <paramref name="peer"/> for the first protocol of <paramref name="protocols"/> it supports, dialing if needed.</summary>
    Task<P2PStream> NewStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken);

    /// <summary>Closes every connection to <paramref name="peer"/>.</summary>
    Task HangUpAsync(PeerId peer);

    event EventHandler<ConnectionEventArgs>? Connected;

    event EventHandler<ConnectionEventArgs>? Disconnected;

    event EventHandler<PeerIdentifiedEventArgs>? PeerIdentified;
}
