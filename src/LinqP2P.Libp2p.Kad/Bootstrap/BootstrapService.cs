using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Kad.Bootstrap;

/// <summary>
/// Keeps this node connected to configured bootstrap peers (multiaddrs ending in /p2p/ID): each is dialed
/// with exponential backoff until it answers, then handed to the host's
/// <see cref="Libp2pHost.KeepConnected"/>, which redials with the same backoff whenever the connection
/// drops. After the first successful connection the DHT, if any, is bootstrapped. SPEC.md §5 "Discovery".
/// </summary>
public sealed class BootstrapService : IAsyncDisposable
{
    private readonly Libp2pHost _host;
    private readonly KadDht? _dht;
    private readonly IReadOnlyList<(PeerId Peer, Multiaddr Address)> _peers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _tasks = [];
    private int _dhtBootstrapped;

    /// <summary>Throws <see cref="Libp2pFormatException"/> for an address without a /p2p/ peer id.</summary>
    public BootstrapService(Libp2pHost host, IEnumerable<Multiaddr> peers, KadDht? dht = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(peers);
        _host = host;
        _dht = dht;
        var list = new List<(PeerId, Multiaddr)>();
        foreach (var address in peers)
        {
            var peer = address.PeerId
                ?? throw new Libp2pFormatException("bootstrap", $"bootstrap address {address} has no /p2p/<peer id>; add the peer id of the node at that address");
            if (peer != host.PeerId)
            {
                list.Add((peer, address));
            }
        }
        _peers = list;
    }

    /// <summary>Bootstrap peers currently connected.</summary>
    public int ConnectedCount => _peers.Count(p => _host.Connections.Any(c => c.RemotePeer == p.Peer && !c.IsClosed));

    /// <summary>Raised once the DHT bootstrap lookup after the first connection has finished.</summary>
    public event EventHandler? DhtBootstrapped;

    /// <summary>Starts dialing every bootstrap peer in the background and returns at once.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (peer, address) in _peers)
        {
            _host.PeerStore.AddAddresses(peer, [address.WithoutPeerId()]);
            _host.KeepConnected(peer);
            _tasks.Add(Task.Run(() => DialWithBackoffAsync(address, _stopping.Token), CancellationToken.None));
        }
        return Task.CompletedTask;
    }

    private async Task DialWithBackoffAsync(Multiaddr address, CancellationToken cancellationToken)
    {
        for (var attempt = 0; !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await _host.DialAsync(address, cancellationToken);
                break;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is Libp2pConnectionException or Libp2pProtocolException or ProtocolNotSupportedException)
            {
                try
                {
                    await Task.Delay(_host.ConnectionManager.Backoff(attempt), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        if (_dht is not null && Interlocked.Exchange(ref _dhtBootstrapped, 1) == 0)
        {
            try
            {
                // Wait (up to 5 s) for identify to tell the DHT whether this peer is a server.
                var peer = address.PeerId!;
                for (var i = 0; i < 100 && !_dht.RoutingTable.Contains(peer) && (_host.PeerStore.Get(peer)?.Protocols.Count ?? 0) == 0; i++)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
                }
                await _dht.BootstrapAsync(cancellationToken);
                DhtBootstrapped?.Invoke(this, EventArgs.Empty);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e) when (e is LinqP2P.Core.LinqException or IOException or TimeoutException)
            {
                // The refresh loop of the DHT tries again later.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync();
        await Task.WhenAll(_tasks);
        _stopping.Dispose();
    }
}
