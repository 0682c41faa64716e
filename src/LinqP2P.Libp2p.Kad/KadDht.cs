using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Kad.Providers;
using LinqP2P.Libp2p.Kad.Routing;
using LinqP2P.Libp2p.Streams;
using LinqP2P.Multiformats;

namespace LinqP2P.Libp2p.Kad;

/// <summary>
/// The libp2p Kademlia DHT, /ipfs/kad/1.0.0 (specs/kad-dht, SPEC.md §5 "Kademlia DHT"): k-bucket routing
/// table over sha256(peer id) with liveness checks, iterative lookups with alpha requests in flight,
/// provider records (ADD_PROVIDER / GET_PROVIDERS) with expiry and republish, FIND_NODE and PING.
/// Value records (PUT_VALUE / GET_VALUE) are not stored: GET_VALUE is answered with closer peers only,
/// PUT_VALUE streams are reset. One request per outbound stream; an inbound stream may carry several.
/// </summary>
public sealed class KadDht : IAsyncDisposable
{
    public const string DefaultProtocolId = "/ipfs/kad/1.0.0";

    private readonly IHost _host;
    private readonly KadOptions _options;
    private readonly PeerRateLimiter _limiter;
    private readonly ConcurrentDictionary<PeerId, byte> _livenessChecks = new();
    private readonly ConcurrentDictionary<Cid, DateTimeOffset> _provided = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _maintenance;
    private int _started;

    public KadDht(IHost host, KadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
        _options = options ?? new KadOptions();
        _options.Validate();
        RoutingTable = new RoutingTable(host.PeerId, _options.BucketSize, _options.Time);
        Providers = new ProviderStore(_options.ProviderTtl, _options.MaxProviderKeys, _options.MaxProvidersPerKey, _options.Time);
        _limiter = new PeerRateLimiter(_options.MaxRequestsPerSecondPerPeer, _options.MaxRequestBurstPerPeer, _options.Time);
    }

    public KadOptions Options => _options;

    public RoutingTable RoutingTable { get; }

    public ProviderStore Providers { get; }

    /// <summary>Inbound requests refused by the per-peer rate limit, for tests and metrics.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    private long _rateLimited;

    /// <summary>
    /// Starts answering requests (server mode), adds identified peers that speak the DHT protocol to the
    /// routing table, and starts the refresh loop (every <see cref="KadOptions.RefreshInterval"/>).
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return Task.CompletedTask;
        }
        if (_options.Mode == KadMode.Server)
        {
            _host.SetHandler(_options.ProtocolId, HandleStreamAsync);
        }
        _host.PeerIdentified += OnPeerIdentified;
        foreach (var record in _host.PeerStore.All())
        {
            if (record.Protocols.Contains(_options.ProtocolId) && _host.Connections.Any(c => c.RemotePeer == record.Peer))
            {
                _ = AddPeerAsync(record.Peer);
            }
        }
        _maintenance = Task.Run(() => MaintenanceLoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Fills the routing table: a lookup for our own id, then one for a random key in every bucket below
    /// the highest non-empty one. Call it after connecting to bootstrap peers. Returns the table size.
    /// </summary>
    public async Task<int> BootstrapAsync(CancellationToken cancellationToken)
    {
        await GetClosestPeersAsync(_host.PeerId.ToBytes(), cancellationToken);
        var highest = Math.Min(RoutingTable.HighestNonEmptyBucket(), 15);
        for (var cpl = 0; cpl < highest; cpl++)
        {
            var target = RoutingTable.SelfKey.RandomWithPrefixLength(cpl);
            await LookupAsync(null, target, KadMessageType.FindNode, null, cancellationToken);
        }
        return RoutingTable.Count;
    }

    /// <summary>The k peers closest to <paramref name="key"/> that answered an iterative FIND_NODE lookup, closest first.</summary>
    public async Task<IReadOnlyList<PeerId>> GetClosestPeersAsync(byte[] key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return await LookupAsync(key, KadKey.FromBytes(key), KadMessageType.FindNode, null, cancellationToken);
    }

    /// <summary>
    /// Finds the addresses of <paramref name="peer"/>: from an open connection or the routing table, else
    /// through a FIND_NODE lookup. Returns null when no peer in the lookup knew it. Found addresses go to the peer store.
    /// </summary>
    public async Task<KadPeer?> FindPeerAsync(PeerId peer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var known = _host.PeerStore.Get(peer)?.Addresses ?? [];
        if (known.Count > 0 && (RoutingTable.Contains(peer) || _host.Connections.Any(c => c.RemotePeer == peer && !c.IsClosed)))
        {
            return new KadPeer(peer, known);
        }
        KadPeer? found = null;
        await LookupAsync(peer.ToBytes(), KadKey.FromPeer(peer), KadMessageType.FindNode, (_, response) =>
        {
            var match = response.CloserPeers.FirstOrDefault(p => p.Peer == peer && p.Addresses.Count > 0);
            if (match is not null)
            {
                found = match;
                return true;
            }
            return false;
        }, cancellationToken);
        return found;
    }

    /// <summary>
    /// Announces that this node provides <paramref name="cid"/>: stores the record locally and sends
    /// ADD_PROVIDER to the k peers closest to the CID's multihash. Republished every
    /// <see cref="KadOptions.ProviderRepublishInterval"/> while the DHT runs. Returns how many peers were told.
    /// </summary>
    public async Task<int> ProvideAsync(Cid cid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cid);
        var key = MultihashBytes(cid);
        var self = new KadPeer(_host.PeerId, _host.ListenAddresses);
        Providers.Add(key, _host.PeerId, self.Addresses);
        _provided[cid] = _options.Time.GetUtcNow();
        var closest = await GetClosestPeersAsync(key, cancellationToken);
        var message = new KadMessage(KadMessageType.AddProvider, key, [], [self]);
        var sent = await Task.WhenAll(closest.Select(async p =>
        {
            try
            {
                await SendAsync(p, message, expectResponse: false, cancellationToken);
                return 1;
            }
            catch (Exception e) when (IsPeerFault(e))
            {
                return 0;
            }
        }));
        return sent.Sum();
    }

    /// <summary>
    /// Streams up to <paramref name="max"/> distinct providers of <paramref name="cid"/>: first from the local
    /// store, then from an iterative GET_PROVIDERS lookup as answers arrive. Provider addresses go to the peer store.
    /// </summary>
    public async IAsyncEnumerable<KadPeer> FindProvidersAsync(Cid cid, int max, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var key = MultihashBytes(cid);
        var seen = new HashSet<PeerId>();
        foreach (var p in Providers.Get(key))
        {
            if (seen.Add(p.Peer))
            {
                yield return p;
                if (seen.Count >= max)
                {
                    yield break;
                }
            }
        }
        var channel = Channel.CreateUnbounded<KadPeer>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var lookup = Task.Run(async () =>
        {
            try
            {
                await LookupAsync(key, KadKey.FromBytes(key), KadMessageType.GetProviders, (_, response) =>
                {
                    foreach (var p in response.ProviderPeers)
                    {
                        channel.Writer.TryWrite(p);
                    }
                    return false;
                }, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var p in channel.Reader.ReadAllAsync(cancellationToken))
            {
                if (p.Peer == _host.PeerId || !seen.Add(p.Peer))
                {
                    continue;
                }
                yield return p;
                if (seen.Count >= max)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await lookup;
        }
    }

    /// <summary>Sends a DHT PING; true when the peer answered in time.</summary>
    public async Task<bool> PingAsync(PeerId peer, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(peer, KadMessage.Request(KadMessageType.Ping, []), expectResponse: true, cancellationToken);
            return true;
        }
        catch (Exception e) when (IsPeerFault(e))
        {
            return false;
        }
    }

    /// <summary>
    /// Offers <paramref name="peer"/> (known to run a DHT server) to the routing table. When its bucket is
    /// full, the least recently seen entry is pinged and replaced only if it does not answer.
    /// </summary>
    public async Task AddPeerAsync(PeerId peer)
    {
        var result = RoutingTable.TryAdd(peer, out var oldest);
        if (result != RoutingTableAddResult.BucketFull || oldest is null || !_livenessChecks.TryAdd(oldest, 0))
        {
            return;
        }
        try
        {
            if (await PingAsync(oldest, _stopping.Token))
            {
                RoutingTable.MarkSeen(oldest);
            }
            else
            {
                RoutingTable.Remove(oldest);
                RoutingTable.TryAdd(peer, out _);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _livenessChecks.TryRemove(oldest, out _);
        }
    }

    /// <summary>One refresh round: bootstrap lookups, liveness checks of stale entries, provider expiry and republish.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = _options.Time.GetUtcNow();
        Providers.RemoveExpired();
        var stale = RoutingTable.Entries().Where(e => now - e.LastSeen >= _options.LivenessInterval).ToList();
        await Task.WhenAll(stale.Select(async e =>
        {
            if (await PingAsync(e.Peer, cancellationToken))
            {
                RoutingTable.MarkSeen(e.Peer);
            }
            else
            {
                RoutingTable.Remove(e.Peer);
            }
        }));
        if (RoutingTable.Count > 0)
        {
            await BootstrapAsync(cancellationToken);
        }
        foreach (var (cid, at) in _provided.ToList())
        {
            if (now - at >= _options.ProviderRepublishInterval)
            {
                await ProvideAsync(cid, cancellationToken);
            }
        }
    }

    internal static byte[] MultihashBytes(Cid cid)
    {
        var bytes = new byte[cid.Hash.EncodedLength];
        cid.Hash.WriteTo(bytes);
        return bytes;
    }

    private static bool IsPeerFault(Exception e) =>
        e is Libp2pConnectionException or Libp2pProtocolException or ProtocolNotSupportedException or IOException or ObjectDisposedException or TimeoutException;

    private async Task MaintenanceLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.RefreshInterval, _options.Time, cancellationToken);
                await RefreshAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is LinqP2P.Core.LinqException or IOException or OperationCanceledException)
            {
                // A failed round is retried at the next interval.
            }
        }
    }

    private void OnPeerIdentified(object? sender, PeerIdentifiedEventArgs e)
    {
        if (e.Protocols.Contains(_options.ProtocolId))
        {
            _ = AddPeerAsync(e.Peer);
        }
        else
        {
            // A peer that stopped announcing the protocol went to client mode.
            RoutingTable.Remove(e.Peer);
        }
    }

    /// <summary>
    /// The iterative lookup (specs/kad-dht "Peer routing"): keep the candidates sorted by distance to
    /// <paramref name="target"/>, query the closest unqueried ones, at most alpha at a time, and stop when the
    /// k closest candidates that did not fail have all answered, or when <paramref name="onResponse"/> says so.
    /// </summary>
    private async Task<IReadOnlyList<PeerId>> LookupAsync(byte[]? key, KadKey target, KadMessageType type, Func<PeerId, KadMessage, bool>? onResponse, CancellationToken cancellationToken)
    {
        var requestKey = key ?? target.ToArray();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(_options.LookupTimeout);
        var k = _options.BucketSize;
        var states = new Dictionary<PeerId, (KadKey Distance, QueryState State)>();
        void AddCandidate(PeerId p)
        {
            if (p != _host.PeerId && !states.ContainsKey(p))
            {
                states[p] = (KadKey.FromPeer(p).Xor(target), QueryState.NotQueried);
            }
        }
        foreach (var p in RoutingTable.NearestPeers(target, k))
        {
            AddCandidate(p);
        }
        var inFlight = new Dictionary<Task<KadMessage?>, PeerId>();
        var request = KadMessage.Request(type, requestKey);
        var stop = false;
        while (!stop)
        {
            var closest = states.Where(s => s.Value.State != QueryState.Failed)
                .OrderBy(s => s.Value.Distance, DistanceComparer.Instance)
                .Take(k)
                .ToList();
            if (closest.All(s => s.Value.State == QueryState.Answered))
            {
                break;
            }
            foreach (var (peer, _) in closest.Where(s => s.Value.State == QueryState.NotQueried))
            {
                if (inFlight.Count >= _options.Alpha)
                {
                    break;
                }
                states[peer] = (states[peer].Distance, QueryState.Querying);
                inFlight[QueryAsync(peer, request, timeout.Token)] = peer;
            }
            if (inFlight.Count == 0)
            {
                break;
            }
            Task<KadMessage?> done;
            try
            {
                done = await Task.WhenAny(inFlight.Keys).WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_stopping.IsCancellationRequested)
            {
                break; // The lookup ran out of time: return what it has.
            }
            var from = inFlight[done];
            inFlight.Remove(done);
            var response = await done;
            if (response is null)
            {
                states[from] = (states[from].Distance, QueryState.Failed);
                continue;
            }
            states[from] = (states[from].Distance, QueryState.Answered);
            _ = AddPeerAsync(from);
            foreach (var p in response.CloserPeers)
            {
                if (p.Peer == _host.PeerId)
                {
                    continue;
                }
                if (p.Addresses.Count > 0)
                {
                    _host.PeerStore.AddAddresses(p.Peer, p.Addresses);
                }
                AddCandidate(p.Peer);
            }
            foreach (var p in response.ProviderPeers.Where(p => p.Addresses.Count > 0 && p.Peer != _host.PeerId))
            {
                _host.PeerStore.AddAddresses(p.Peer, p.Addresses);
            }
            if (onResponse is not null && onResponse(from, response))
            {
                stop = true;
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        return states.Where(s => s.Value.State == QueryState.Answered)
            .OrderBy(s => s.Value.Distance, DistanceComparer.Instance)
            .Take(k)
            .Select(s => s.Key)
            .ToList();
    }

    private async Task<KadMessage?> QueryAsync(PeerId peer, KadMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(peer, request, expectResponse: true, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null; // The lookup ended; its loop reports why.
        }
        catch (Exception e) when (IsPeerFault(e))
        {
            if (e is Libp2pConnectionException or ProtocolNotSupportedException)
            {
                RoutingTable.Remove(peer);
            }
            return null;
        }
    }

    /// <summary>Sends one request on a new stream and reads the answer (of the same type) when one is expected.</summary>
    internal async Task<KadMessage?> SendAsync(PeerId peer, KadMessage request, bool expectResponse, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            await using var stream = await _host.NewStreamAsync(peer, [_options.ProtocolId], timeout.Token);
            await LengthPrefixed.WriteAsync(stream, KadMessageCodec.Encode(request), timeout.Token);
            if (!expectResponse)
            {
                await stream.CloseWriteAsync(timeout.Token);
                return null;
            }
            var bytes = await LengthPrefixed.ReadAsync(stream, _options.MaxMessageLength, timeout.Token)
                ?? throw new Libp2pProtocolException("kad.no_response", $"{peer} closed the DHT stream without answering");
            var response = KadMessageCodec.Decode(bytes, _options.MaxMessageLength);
            if (response.Type != request.Type)
            {
                throw new Libp2pProtocolException("kad.response_type", $"{peer} answered a {request.Type} with a {response.Type}");
            }
            RoutingTable.MarkSeen(peer);
            return response;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{peer} did not answer a DHT {request.Type} within {_options.RequestTimeout}", e);
        }
    }

    private async Task HandleStreamAsync(P2PStream stream, CancellationToken cancellationToken)
    {
        var from = stream.RemotePeer;
        while (true)
        {
            byte[]? bytes;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                // A stream left open without requests is closed after the request timeout.
                idle.CancelAfter(_options.RequestTimeout);
                bytes = await LengthPrefixed.ReadAsync(stream, _options.MaxMessageLength, idle.Token);
            }
            if (bytes is null)
            {
                return;
            }
            if (!_limiter.TryTake(from))
            {
                Interlocked.Increment(ref _rateLimited);
                throw new Libp2pProtocolException("kad.rate_limited", $"{from} sent more than {_options.MaxRequestsPerSecondPerPeer} DHT requests per second");
            }
            var request = KadMessageCodec.Decode(bytes, _options.MaxMessageLength);
            var response = Answer(from, request);
            if (response is not null)
            {
                await LengthPrefixed.WriteAsync(stream, KadMessageCodec.Encode(response), cancellationToken);
            }
        }
    }

    /// <summary>The server side of each request type; null for ADD_PROVIDER, which has no answer.</summary>
    internal KadMessage? Answer(PeerId from, KadMessage request)
    {
        switch (request.Type)
        {
            case KadMessageType.Ping:
                return KadMessage.Request(KadMessageType.Ping, request.Key);
            case KadMessageType.FindNode:
            case KadMessageType.GetValue:
                return new KadMessage(request.Type, request.Key, CloserPeers(from, request.Key), []);
            case KadMessageType.GetProviders:
                {
                    var providers = Providers.Get(request.Key)
                        .Select(p => p.Peer == _host.PeerId ? new KadPeer(p.Peer, _host.ListenAddresses) : WithKnownAddresses(p))
                        .ToList();
                    return new KadMessage(request.Type, request.Key, CloserPeers(from, request.Key), providers);
                }
            case KadMessageType.AddProvider:
                foreach (var p in request.ProviderPeers)
                {
                    // Only the sender can announce itself (specs/kad-dht "Content provider advertisement").
                    if (p.Peer != from)
                    {
                        continue;
                    }
                    var addresses = p.Addresses.Count > 0 ? p.Addresses : _host.PeerStore.Get(from)?.Addresses ?? [];
                    if (addresses.Count > 0)
                    {
                        _host.PeerStore.AddAddresses(from, addresses);
                    }
                    Providers.Add(request.Key, from, addresses);
                }
                return null;
            default:
                throw new Libp2pProtocolException("kad.unsupported", "this node stores no DHT value records (PUT_VALUE)");
        }
    }

    private List<KadPeer> CloserPeers(PeerId from, byte[] key) =>
        RoutingTable.NearestPeers(KadKey.FromBytes(key), _options.BucketSize)
            .Where(p => p != from)
            .Select(p => new KadPeer(p, _host.PeerStore.Get(p)?.Addresses ?? []))
            .Where(p => p.Addresses.Count > 0)
            .ToList();

    private KadPeer WithKnownAddresses(KadPeer p) =>
        p.Addresses.Count > 0 ? p : new KadPeer(p.Peer, _host.PeerStore.Get(p.Peer)?.Addresses ?? []);

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        _host.PeerIdentified -= OnPeerIdentified;
        if (_options.Mode == KadMode.Server && _started == 1)
        {
            _host.RemoveHandler(_options.ProtocolId);
        }
        await _stopping.CancelAsync();
        if (_maintenance is not null)
        {
            await _maintenance;
        }
        _stopping.Dispose();
    }

    private enum QueryState
    {
        NotQueried,
        Querying,
        Answered,
        Failed,
    }

    private sealed class DistanceComparer : IComparer<KadKey>
    {
        public static readonly DistanceComparer Instance = new();

        public int Compare(KadKey x, KadKey y) => default(KadKey).CompareDistance(x, y);
    }
}
