using System.Collections.Concurrent;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Libp2p;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Streams;
using LinqP2P.Multiformats;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LinqP2P.Ipfs.Bitswap;

/// <summary>
/// Bitswap 1.2.0 / 1.1.0 / 1.0.0 over an <see cref="IHost"/>: serves the wants of peers from
/// <see cref="IBlockStore"/> and fetches blocks and whole DAGs from chosen providers into it. See SPEC.md §6.8.
/// </summary>
public sealed class BitswapService : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly IBlockStore _store;
    private readonly BitswapOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<PeerId, PeerState> _peers = new();
    private readonly ConcurrentDictionary<Multihash, int> _wanted = new();
    private readonly ConcurrentDictionary<Multihash, long> _recentlyUnwanted = new();
    private readonly ConcurrentDictionary<FetchSession, byte> _sessions = new();
    private readonly SemaphoreSlim _streamSlots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeProvider _time;
    private bool _started;
    private int _disposed;

    public BitswapService(IHost host, IBlockStore store, BitswapOptions options, ILogger? logger = null)
        : this(host, store, options, logger, TimeProvider.System)
    {
    }

    internal BitswapService(IHost host, IBlockStore store, BitswapOptions options, ILogger? logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _host = host;
        _store = store;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = time;
        _streamSlots = new SemaphoreSlim(options.MaxConcurrentStreams, options.MaxConcurrentStreams);
    }

    public BitswapOptions Options => _options;

    internal IBlockStore Store => _store;

    internal TimeProvider Time => _time;

    internal ILogger Logger => _logger;

    /// <summary>Registers the stream handlers for every inbound Bitswap version and watches disconnects.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_started)
        {
            return Task.CompletedTask;
        }
        _started = true;
        foreach (var protocol in _options.InboundProtocols)
        {
            _host.SetHandler(protocol, HandleStreamAsync);
        }
        _host.Disconnected += OnDisconnected;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Fetches the block <paramref name="root"/> and, following dag-pb links, every block under it into the
    /// local store, asking <paramref name="providers"/> in parallel. Blocks already stored are not fetched again.
    /// Throws <see cref="BitswapFetchException"/> when some block cannot be had from any provider.
    /// </summary>
    public Task<FetchResult> FetchDagAsync(Cid root, IReadOnlyCollection<PeerId> providers, IProgress<FetchProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(providers);
        EnsureStarted();
        return RunSessionAsync(root, providers, followLinks: true, progress, cancellationToken);
    }

    /// <summary>
    /// One block, from the local store or else from <paramref name="providers"/> (every connected peer
    /// when null). Throws <see cref="BitswapFetchException"/> when no provider has it.
    /// </summary>
    public async Task<Block> GetBlockAsync(Cid cid, IReadOnlyCollection<PeerId>? providers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cid);
        EnsureStarted();
        var local = await _store.TryGetAsync(cid, cancellationToken);
        if (local is not null)
        {
            return Block.Verified(cid, local);
        }
        providers ??= [.. _host.Connections.Select(c => c.RemotePeer).Distinct()];
        await RunSessionAsync(cid, providers, followLinks: false, null, cancellationToken);
        var data = await _store.TryGetAsync(cid, cancellationToken)
            ?? throw new BitswapFetchException("evicted", $"block {cid} was fetched but is no longer in the store (garbage collected?): fetch it again", cid.ToString());
        return Block.Verified(cid, data);
    }

    /// <summary>The ledger of <paramref name="peer"/>, or null when we never exchanged anything with it.</summary>
    public PeerLedgerSnapshot? GetLedger(PeerId peer) =>
        _peers.TryGetValue(peer, out var state) ? state.Ledger.Snapshot(state.WantCount) : null;

    /// <summary>Ledgers of every peer we exchanged messages with.</summary>
    public IReadOnlyList<PeerLedgerSnapshot> Ledgers => [.. _peers.Values.Select(s => s.Ledger.Snapshot(s.WantCount))];

    /// <summary>
    /// Tells the service blocks were added to the store by other means (an import), so that peers
    /// already wanting them are answered now.
    /// </summary>
    public void NotifyNewBlocks(IEnumerable<Cid> cids)
    {
        ArgumentNullException.ThrowIfNull(cids);
        var hashes = cids.Select(c => c.Hash).ToHashSet();
        foreach (var state in _peers.Values)
        {
            var any = false;
            lock (state.Gate)
            {
                foreach (var h in hashes)
                {
                    if (state.Wants.ContainsKey(h))
                    {
                        state.Pending.Enqueue(h);
                        any = true;
                    }
                }
            }
            if (any)
            {
                StartServing(state);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (_started)
        {
            foreach (var protocol in _options.InboundProtocols)
            {
                _host.RemoveHandler(protocol);
            }
            _host.Disconnected -= OnDisconnected;
        }
        await _stopping.CancelAsync();
        foreach (var session in _sessions.Keys)
        {
            session.Post(new SessionEvent.Stopped());
        }
        foreach (var state in _peers.Values)
        {
            if (state.Sender is { } sender)
            {
                await sender.DisposeAsync();
            }
        }
        _stopping.Dispose();
        _streamSlots.Dispose();
    }

    // ---- used by sessions ----

    internal bool IsBanned(PeerId peer) => _peers.TryGetValue(peer, out var s) && s.Ledger.IsBanned(_time.GetUtcNow());

    internal void AddWanted(Multihash hash) => _wanted.AddOrUpdate(hash, 1, (_, n) => n + 1);

    internal void RemoveWanted(Multihash hash)
    {
        while (_wanted.TryGetValue(hash, out var n))
        {
            if (n <= 1 ? _wanted.TryRemove(new KeyValuePair<Multihash, int>(hash, n)) : _wanted.TryUpdate(hash, n - 1, n))
            {
                if (n <= 1)
                {
                    // Blocks already on the wire for a want we dropped are late, not unsolicited.
                    _recentlyUnwanted[hash] = _time.GetUtcNow().UtcTicks;
                }
                return;
            }
        }
    }

    internal async Task SendAsync(PeerId peer, BitswapMessage message, CancellationToken cancellationToken)
    {
        var state = StateOf(peer);
        var sender = SenderOf(state);
        await sender.EnqueueAsync(message, cancellationToken);
    }

    // ---- internals ----

    private void EnsureStarted()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (!_started)
        {
            throw new InvalidOperationException("call BitswapService.StartAsync before fetching");
        }
    }

    private async Task<FetchResult> RunSessionAsync(Cid root, IReadOnlyCollection<PeerId> providers, bool followLinks, IProgress<FetchProgress>? progress, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var session = new FetchSession(this, [.. providers.Where(p => p != _host.PeerId).Distinct()], followLinks, progress);
        _sessions[session] = 0;
        try
        {
            var result = await session.RunAsync(root, linked.Token);
            Log.Fetched(_logger, root.ToString(), result.Blocks, result.Bytes, result.BlocksFetched, result.Elapsed);
            return result;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(BitswapService), "the Bitswap service stopped during the fetch");
        }
        finally
        {
            _sessions.TryRemove(session, out _);
        }
    }

    private PeerState StateOf(PeerId peer) => _peers.GetOrAdd(peer, p => new PeerState(p));

    private MessageSender SenderOf(PeerState state)
    {
        if (state.Sender is { } existing)
        {
            return existing;
        }
        lock (state.Gate)
        {
            return state.Sender ??= new MessageSender(_host, state.Peer, state.Ledger, _options, _logger, OnSendFailed);
        }
    }

    private void OnSendFailed(PeerId peer, Exception reason) => Broadcast(new SessionEvent.PeerFailed(peer));

    private void OnDisconnected(object? sender, ConnectionEventArgs e)
    {
        var peer = e.Connection.RemotePeer;
        if (_host.Connections.Any(c => c.RemotePeer == peer && !c.IsClosed))
        {
            return;
        }
        if (_peers.TryGetValue(peer, out var state))
        {
            lock (state.Gate)
            {
                state.Wants.Clear();
                state.Pending.Clear();
            }
            state.Sender?.ResetStream();
        }
        Broadcast(new SessionEvent.PeerFailed(peer));
    }

    private void Broadcast(SessionEvent e)
    {
        foreach (var session in _sessions.Keys)
        {
            session.Post(e);
        }
    }

    private async Task HandleStreamAsync(P2PStream stream, CancellationToken cancellationToken)
    {
        var peer = stream.RemotePeer;
        var state = StateOf(peer);
        if (state.Ledger.IsBanned(_time.GetUtcNow()))
        {
            Log.StreamRefused(_logger, peer, "banned");
            stream.Reset();
            return;
        }
        if (!_streamSlots.Wait(0))
        {
            Log.StreamRefused(_logger, peer, $"{_options.MaxConcurrentStreams} Bitswap streams already open");
            stream.Reset();
            return;
        }
        try
        {
            if (Interlocked.Increment(ref state.InboundStreams) > _options.MaxStreamsPerPeer)
            {
                Log.StreamRefused(_logger, peer, $"the peer already has {_options.MaxStreamsPerPeer} Bitswap streams open");
                stream.Reset();
                return;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            while (true)
            {
                var frame = await LengthPrefixed.ReadAsync(stream, _options.Limits.MaxMessageSize, linked.Token);
                if (frame is null)
                {
                    return;
                }
                state.Ledger.Received(frame.Length);
                BitswapMessage message;
                try
                {
                    message = BitswapCodec.Decode(frame, _options.Limits);
                }
                catch (BitswapProtocolException)
                {
                    state.Ledger.Malformed();
                    throw;
                }
                if (!await HandleMessageAsync(state, message, linked.Token))
                {
                    stream.Reset();
                    return;
                }
            }
        }
        catch (Exception e) when (e is BitswapProtocolException or Libp2pProtocolException or Libp2pConnectionException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Log.InboundFailed(_logger, peer, e.Message);
            stream.Reset();
        }
        finally
        {
            Interlocked.Decrement(ref state.InboundStreams);
            if (_disposed == 0)
            {
                _streamSlots.Release();
            }
        }
    }

    /// <summary>Applies one message; false when the peer was banned for it.</summary>
    internal async Task<bool> HandleMessageAsync(PeerState state, BitswapMessage message, CancellationToken cancellationToken)
    {
        var peer = state.Peer;
        if (state.Ledger.IsBanned(_time.GetUtcNow()))
        {
            return false;
        }
        if (message.Full || message.Wants.Count > 0)
        {
            ApplyWants(state, message);
        }
        foreach (var block in message.Blocks)
        {
            var hash = block.Cid.Hash;
            if (_wanted.ContainsKey(hash))
            {
                await _store.PutAsync(block, cancellationToken);
                state.Ledger.BlockReceived();
                Broadcast(new SessionEvent.BlockArrived(peer, block));
                NotifyNewBlocks([block.Cid]);
            }
            else if (IsRecentlyUnwanted(hash) || await _store.HasAsync(block.Cid, cancellationToken))
            {
                state.Ledger.Duplicate();
            }
            else
            {
                // Nobody asked for a block with this hash: the peer answered a want with bytes that do
                // not hash to it (corrupt), or pushes blocks unasked. Either way it is not trusted again.
                await PenaliseAsync(state, block.Cid);
                return false;
            }
        }
        foreach (var presence in message.Presences)
        {
            Broadcast(new SessionEvent.Presence(peer, presence.Cid.Hash, presence.Have));
        }
        return true;
    }

    private bool IsRecentlyUnwanted(Multihash hash)
    {
        if (!_recentlyUnwanted.TryGetValue(hash, out var ticks))
        {
            return false;
        }
        var now = _time.GetUtcNow().UtcTicks;
        if (now - ticks < TimeSpan.FromMinutes(1).Ticks)
        {
            return true;
        }
        _recentlyUnwanted.TryRemove(hash, out _);
        return false;
    }

    private async Task PenaliseAsync(PeerState state, Cid cid)
    {
        var until = _time.GetUtcNow() + _options.BanDuration;
        state.Ledger.Corrupt();
        state.Ledger.Ban(until);
        Log.PeerPenalised(_logger, state.Peer, cid.ToString(), until);
        lock (state.Gate)
        {
            state.Wants.Clear();
            state.Pending.Clear();
        }
        Broadcast(new SessionEvent.PeerFailed(state.Peer));
        try
        {
            await _host.HangUpAsync(state.Peer);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or Core.LinqException)
        {
        }
    }

    private void ApplyWants(PeerState state, BitswapMessage message)
    {
        var added = false;
        lock (state.Gate)
        {
            if (message.Full)
            {
                state.Wants.Clear();
                state.Pending.Clear();
            }
            foreach (var w in message.Wants)
            {
                var hash = w.Cid.Hash;
                if (w.Cancel)
                {
                    state.Wants.Remove(hash);
                    continue;
                }
                if (state.Wants.ContainsKey(hash))
                {
                    // A want-block after a want-have upgrades it; the reverse keeps the stronger want.
                    if (w.WantType == WantType.Block)
                    {
                        state.Wants[hash] = w;
                        state.Pending.Enqueue(hash);
                        added = true;
                    }
                    continue;
                }
                if (state.Wants.Count >= _options.MaxWantsServedPerPeer)
                {
                    continue;
                }
                state.Wants[hash] = w;
                state.Pending.Enqueue(hash);
                added = true;
            }
        }
        if (added)
        {
            StartServing(state);
        }
    }

    private void StartServing(PeerState state)
    {
        lock (state.Gate)
        {
            if (state.Serving || state.Pending.Count == 0 || _disposed != 0)
            {
                return;
            }
            state.Serving = true;
        }
        _ = Task.Run(() => ServeAsync(state));
    }

    /// <summary>Answers a peer's pending wants in arrival order, packing blocks into messages of about TargetMessageSize.</summary>
    private async Task ServeAsync(PeerState state)
    {
        var token = _stopping.Token;
        try
        {
            var blocks = new List<Block>();
            var presences = new List<BlockPresence>();
            var size = 0;
            while (!token.IsCancellationRequested)
            {
                WantEntry? want = null;
                lock (state.Gate)
                {
                    while (state.Pending.TryDequeue(out var hash))
                    {
                        if (state.Wants.TryGetValue(hash, out want))
                        {
                            break;
                        }
                    }
                    if (want is null && blocks.Count == 0 && presences.Count == 0)
                    {
                        state.Serving = false;
                        return;
                    }
                }
                if (want is null)
                {
                    await FlushAsync();
                    continue;
                }
                if (want.WantType == WantType.Block)
                {
                    var data = await _store.TryGetAsync(want.Cid, token);
                    if (data is not null)
                    {
                        if (size > 0 && size + data.Length > _options.TargetMessageSize)
                        {
                            await FlushAsync();
                        }
                        blocks.Add(Block.Verified(want.Cid, data));
                        size += data.Length + 64;
                    }
                    else if (want.SendDontHave)
                    {
                        presences.Add(new BlockPresence(want.Cid, false));
                        size += 64;
                    }
                }
                else
                {
                    var have = await _store.HasAsync(want.Cid, token);
                    if (have || want.SendDontHave)
                    {
                        presences.Add(new BlockPresence(want.Cid, have));
                        size += 64;
                    }
                }
                // Answered (or not had, without send-dont-have): the want leaves the ledger, as in Helia.
                lock (state.Gate)
                {
                    if (state.Wants.TryGetValue(want.Cid.Hash, out var current) && ReferenceEquals(current, want))
                    {
                        state.Wants.Remove(want.Cid.Hash);
                    }
                }
                if (size >= _options.TargetMessageSize)
                {
                    await FlushAsync();
                }
            }

            async Task FlushAsync()
            {
                if (blocks.Count == 0 && presences.Count == 0)
                {
                    return;
                }
                var message = new BitswapMessage { Blocks = [.. blocks], Presences = [.. presences] };
                blocks.Clear();
                presences.Clear();
                size = 0;
                await SendAsync(state.Peer, message, token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException or Core.LinqException)
        {
            lock (state.Gate)
            {
                state.Serving = false;
            }
        }
    }
}
