using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Multistream;
using LinqP2P.Libp2p.Noise;
using LinqP2P.Libp2p.Protocols;
using LinqP2P.Libp2p.Streams;
using LinqP2P.Libp2p.Yamux;

namespace LinqP2P.Libp2p.Host;

/// <summary>
/// The libp2p host over TCP: connections are upgraded with multistream-select to Noise, then to Yamux
/// (SPEC.md §5). Inbound streams are routed by protocol id to the registered <see cref="StreamHandler"/>s.
/// Identify and Ping are built in (see <see cref="HostOptions"/>). A fault on one connection (a malformed
/// frame, a failed handshake) closes that connection only.
/// </summary>
public sealed class Libp2pHost : IHost
{
    private readonly HostOptions _options;
    private readonly ConcurrentDictionary<string, StreamHandler> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Connection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<Connection>>> _pendingDials = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PeerId, byte> _keepConnected = new();
    private readonly List<TcpListener> _listeners = [];
    private readonly List<Multiaddr> _listenAddresses = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly LiteDbPeerStore _peerStore;
    private int _disposed;

    public Libp2pHost(KeyPair identity, HostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        _options = options ?? new HostOptions();
        _options.Validate();
        Identity = identity;
        ConnectionManager = new ConnectionManager(_options.Limits);
        _peerStore = new LiteDbPeerStore(_options.PeerStorePath);
        Identify = new IdentifyService(this, _options);
        Ping = new PingService(this);
        if (_options.EnableIdentify)
        {
            Identify.Register();
        }
        if (_options.EnablePing)
        {
            Ping.Register();
        }
    }

    public PeerId PeerId => Identity.PeerId;

    public KeyPair Identity { get; }

    public HostOptions Options => _options;

    public ConnectionManager ConnectionManager { get; }

    public IdentifyService Identify { get; }

    public PingService Ping { get; }

    public IPeerStore PeerStore => _peerStore;

    public IReadOnlyList<Multiaddr> ListenAddresses
    {
        get
        {
            lock (_listenAddresses)
            {
                return [.. _listenAddresses];
            }
        }
    }

    public IReadOnlyCollection<string> Protocols => [.. _handlers.Keys.Order(StringComparer.Ordinal)];

    public IReadOnlyCollection<IConnection> Connections => [.. _connections.Values.Where(c => !c.IsClosed)];

    public event EventHandler<ConnectionEventArgs>? Connected;

    public event EventHandler<ConnectionEventArgs>? Disconnected;

    public event EventHandler<PeerIdentifiedEventArgs>? PeerIdentified;

    /// <summary>Raised after our protocol list changed (identify push uses it).</summary>
    internal event EventHandler? ProtocolsChanged;

    public async Task<Multiaddr> ListenAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.TryGetTcpEndpoint(out var host, out var port, out _) || !IPAddress.TryParse(host, out var ip))
        {
            throw new Libp2pFormatException("multiaddr", $"can only listen on /ip4|ip6/ADDRESS/tcp/PORT, not {address}");
        }
        var listener = new TcpListener(ip, port);
        try
        {
            listener.Start(backlog: 128);
        }
        catch (SocketException e)
        {
            throw new Libp2pConnectionException("listen_failed", $"cannot listen on {address}: {e.Message}; pick another port or stop the other process", retryable: false, inner: e);
        }
        var bound = Multiaddr.FromEndPoint((IPEndPoint)listener.LocalEndpoint);
        lock (_listenAddresses)
        {
            _listeners.Add(listener);
            _listenAddresses.Add(bound);
        }
        _ = Task.Run(() => AcceptLoopAsync(listener), CancellationToken.None);
        await Task.CompletedTask;
        return bound;
    }

    public void SetHandler(string protocol, StreamHandler handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        ArgumentNullException.ThrowIfNull(handler);
        if (!protocol.StartsWith('/') || protocol.Length > MultistreamSelect.MaxProtocolLength)
        {
            throw new ArgumentException("a protocol id starts with '/' and has at most 1024 characters", nameof(protocol));
        }
        var added = !_handlers.ContainsKey(protocol);
        _handlers[protocol] = handler;
        if (added)
        {
            ProtocolsChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    public void RemoveHandler(string protocol)
    {
        if (_handlers.TryRemove(protocol, out _))
        {
            ProtocolsChanged?.Invoke(this, EventArgs.Empty);
        }
    }

    public async Task<IConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var peer = address.PeerId;
        if (peer is not null)
        {
            if (peer == PeerId)
            {
                throw new Libp2pConnectionException("self", "refusing to dial ourselves", retryable: false);
            }
            var existing = FindConnection(peer);
            if (existing is not null)
            {
                return existing;
            }
        }
        // Concurrent dials to the same peer (or address, when the peer is unknown) share one attempt.
        var key = peer?.ToString() ?? address.ToString();
        var lazy = _pendingDials.GetOrAdd(key, _ => new Lazy<Task<Connection>>(() => DialNewAsync([address], peer)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (lazy.Value.IsCompleted)
            {
                _pendingDials.TryRemove(new KeyValuePair<string, Lazy<Task<Connection>>>(key, lazy));
            }
        }
    }

    public async Task<IConnection> DialAsync(PeerId peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var existing = FindConnection(peer);
        if (existing is not null)
        {
            return existing;
        }
        var addresses = PeerStore.Get(peer)?.Addresses ?? [];
        if (addresses.Count == 0)
        {
            throw new Libp2pConnectionException("no_address", $"no known address for {peer}; add one to the peer store or dial a multiaddr", retryable: false);
        }
        var key = peer.ToString();
        var lazy = _pendingDials.GetOrAdd(key, _ => new Lazy<Task<Connection>>(() => DialNewAsync(addresses, peer)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            if (lazy.Value.IsCompleted)
            {
                _pendingDials.TryRemove(new KeyValuePair<string, Lazy<Task<Connection>>>(key, lazy));
            }
        }
    }

    public async Task<P2PStream> NewStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken cancellationToken)
    {
        var connection = await DialAsync(peer, cancellationToken);
        return await connection.OpenStreamAsync(protocols, cancellationToken);
    }

    public async Task HangUpAsync(PeerId peer)
    {
        _keepConnected.TryRemove(peer, out _);
        foreach (var c in _connections.Values.Where(c => c.RemotePeer == peer).ToList())
        {
            await c.CloseAsync();
        }
    }

    /// <summary>
    /// Keeps a connection to <paramref name="peer"/>: when it closes, the host redials its known addresses
    /// with exponential backoff (<see cref="ConnectionLimits.ReconnectInitialBackoff"/>..<see cref="ConnectionLimits.ReconnectMaxBackoff"/>)
    /// until it succeeds, <see cref="HangUpAsync"/> is called, or the host stops.
    /// </summary>
    public void KeepConnected(PeerId peer) => _keepConnected[peer] = 0;

    internal Connection? FindConnection(PeerId peer) =>
        _connections.Values.Where(c => c.RemotePeer == peer && !c.IsClosed).OrderBy(c => c.OpenedAt).FirstOrDefault();

    internal void RaisePeerIdentified(PeerIdentifiedEventArgs args) => PeerIdentified?.Invoke(this, args);

    private async Task<Connection> DialNewAsync(IReadOnlyList<Multiaddr> addresses, PeerId? peer)
    {
        // Run without the caller's token: a shared dial must not fail for everyone when one caller gives up.
        await Task.Yield();
        if (!ConnectionManager.CanDial(_connections.Count))
        {
            throw new Libp2pConnectionException("limit", $"the host already has {_options.Limits.MaxConnections} connections");
        }
        Exception? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await DialOneAsync(address, peer ?? address.PeerId);
            }
            catch (Exception e) when (e is Libp2pConnectionException or Libp2pProtocolException or SocketException or IOException or OperationCanceledException or ObjectDisposedException or ProtocolNotSupportedException)
            {
                last = e;
            }
        }
        throw last is Libp2pProtocolException or ProtocolNotSupportedException || (last is Libp2pConnectionException && addresses.Count == 1)
            ? last
            : new Libp2pConnectionException("dial_failed", $"could not connect to {peer?.ToString() ?? addresses[0].ToString()}: {last?.Message}", inner: last);
    }

    private async Task<Connection> DialOneAsync(Multiaddr address, PeerId? expected)
    {
        if (!address.TryGetTcpEndpoint(out var host, out var port, out var family))
        {
            throw new Libp2pConnectionException("unsupported_address", $"only TCP addresses can be dialed, not {address}", retryable: false);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.DialTimeout);
        var socket = family == AddressFamily.Unspecified
            ? new Socket(SocketType.Stream, ProtocolType.Tcp)
            : new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            try
            {
                await socket.ConnectAsync(host, port, timeout.Token);
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                throw new Libp2pConnectionException("dial_timeout", $"TCP connect to {address} took longer than {_options.DialTimeout}");
            }
            timeout.CancelAfter(_options.UpgradeTimeout);
            try
            {
                return await UpgradeAsync(socket, Direction.Outbound, expected, timeout.Token);
            }
            catch (Exception e) when (timeout.IsCancellationRequested && !_stopping.IsCancellationRequested && e is not Libp2pProtocolException)
            {
                throw new Libp2pConnectionException("upgrade_timeout", $"{address} accepted TCP but did not finish the libp2p handshake within {_options.UpgradeTimeout}", inner: e);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            if (!ConnectionManager.TryAdmitInbound(_connections.Count))
            {
                socket.Dispose();
                continue;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    socket.NoDelay = true;
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                    cts.CancelAfter(_options.UpgradeTimeout);
                    await UpgradeAsync(socket, Direction.Inbound, null, cts.Token);
                }
                catch (Exception)
                {
                    // A failed inbound handshake (garbage, timeout, bad signature) costs only this socket.
                    socket.Dispose();
                }
                finally
                {
                    ConnectionManager.UpgradeFinished();
                }
            });
        }
    }

    private async Task<Connection> UpgradeAsync(Socket socket, Direction direction, PeerId? expected, CancellationToken cancellationToken)
    {
        var local = Multiaddr.FromEndPoint((IPEndPoint)socket.LocalEndPoint!);
        var remote = Multiaddr.FromEndPoint((IPEndPoint)socket.RemoteEndPoint!);
        var raw = new NetworkStream(socket, ownsSocket: true);
        // Cancellation aborts the socket, so that reads blocked inside the handshake end too.
        await using var abort = cancellationToken.Register(() => socket.Dispose());
        NoiseHandshake.Result secured;
        string muxer;
        if (direction == Direction.Outbound)
        {
            await MultistreamSelect.SelectAsync(raw, [NoiseHandshake.ProtocolId], cancellationToken);
            secured = await NoiseHandshake.InitiateAsync(raw, Identity, expected, cancellationToken);
            muxer = await MultistreamSelect.SelectAsync(secured.Stream, [YamuxSession.ProtocolId], cancellationToken);
        }
        else
        {
            await MultistreamSelect.HandleAsync(raw, p => p == NoiseHandshake.ProtocolId, () => [NoiseHandshake.ProtocolId], cancellationToken);
            secured = await NoiseHandshake.RespondAsync(raw, Identity, cancellationToken);
            muxer = await MultistreamSelect.HandleAsync(secured.Stream, p => p == YamuxSession.ProtocolId, () => [YamuxSession.ProtocolId], cancellationToken);
        }
        cancellationToken.ThrowIfCancellationRequested();
        Connection? connection = null;
        var session = new YamuxSession(secured.Stream, direction == Direction.Outbound, _options.Yamux, stream => HandleInboundStreamAsync(connection!, stream));
        connection = new Connection(session, secured.RemotePeer, secured.RemoteKey, local, remote, direction, _options.StreamNegotiationTimeout);
        _ = muxer;
        session.Start();
        Register(connection);
        return connection;
    }

    private void Register(Connection connection)
    {
        _connections[connection.Id] = connection;
        // The peer store may touch the disk: keep it off the connection's critical path.
        _ = Task.Run(() =>
        {
            try
            {
                if (connection.Direction == Direction.Outbound)
                {
                    PeerStore.AddAddresses(connection.RemotePeer, [connection.RemoteAddress]);
                }
                PeerStore.Update(connection.RemotePeer, connection.RemotePublicKey, null, null, null, null);
            }
            catch (ObjectDisposedException)
            {
                // The host stopped meanwhile.
            }
        });
        _ = connection.Completion.ContinueWith(_ => OnClosed(connection), TaskScheduler.Default);
        Connected?.Invoke(this, new ConnectionEventArgs(connection));
        if (_options.EnableIdentify)
        {
            _ = Task.Run(() => Identify.IdentifyAsync(connection, _stopping.Token));
        }
    }

    private void OnClosed(Connection connection)
    {
        if (!_connections.TryRemove(connection.Id, out _))
        {
            return;
        }
        Disconnected?.Invoke(this, new ConnectionEventArgs(connection, connection.Session.CloseReason));
        if (_keepConnected.ContainsKey(connection.RemotePeer) && !_stopping.IsCancellationRequested && FindConnection(connection.RemotePeer) is null)
        {
            _ = Task.Run(() => ReconnectAsync(connection.RemotePeer));
        }
    }

    private async Task ReconnectAsync(PeerId peer)
    {
        for (var attempt = 0; _keepConnected.ContainsKey(peer) && !_stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                await Task.Delay(ConnectionManager.Backoff(attempt), _stopping.Token);
                if (FindConnection(peer) is not null)
                {
                    return;
                }
                await DialAsync(peer, _stopping.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is Libp2pConnectionException or Libp2pProtocolException)
            {
                // Keep trying with a longer wait.
            }
        }
    }

    private async Task HandleInboundStreamAsync(Connection connection, YamuxStream stream)
    {
        stream.Attach(connection);
        StreamHandler? handler = null;
        try
        {
            using (var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
            {
                cts.CancelAfter(_options.StreamNegotiationTimeout);
                stream.Protocol = await MultistreamSelect.HandleAsync(stream, p => _handlers.ContainsKey(p), () => _handlers.Keys, cts.Token);
            }
            if (!_handlers.TryGetValue(stream.Protocol, out handler))
            {
                stream.Reset();
                return;
            }
            await handler(stream, _stopping.Token);
            await stream.DisposeAsync();
        }
        catch (Exception)
        {
            // A misbehaving stream (bad negotiation, handler fault) is reset; the connection stays.
            stream.Reset();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _keepConnected.Clear();
        await _stopping.CancelAsync();
        lock (_listenAddresses)
        {
            foreach (var l in _listeners)
            {
                l.Stop();
            }
        }
        await Task.WhenAll(_connections.Values.Select(c => c.CloseAsync()));
        _peerStore.Dispose();
        _stopping.Dispose();
    }
}
