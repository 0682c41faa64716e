using System.Collections.Concurrent;
using System.Threading.Channels;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Streams;

namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>
/// Runs a <see cref="GossipsubRouter"/> over an <see cref="IHost"/> (SPEC.md §5 Gossipsub): one outbound
/// stream per peer for our RPCs (/meshsub/1.1.0, else /meshsub/1.0.0), the peer's inbound stream for
/// theirs, uvarint length-prefixed frames of at most <see cref="RpcLimits.MaxRpcSize"/>. Every router call
/// runs on one loop task, so the router needs no locks; per-peer send queues are bounded and drop new
/// frames when full (gossip repairs what is lost).
/// </summary>
public sealed class GossipsubService : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly GossipsubRouter _router;
    private readonly GossipsubOptions _options;
    private readonly Channel<Action> _inbox = Channel.CreateBounded<Action>(new BoundedChannelOptions(8_192) { SingleReader = true });
    private readonly ConcurrentDictionary<PeerId, PeerLink> _links = new();
    private readonly ConcurrentDictionary<string, List<Channel<GossipsubMessage>>> _subscribers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private Task? _heartbeat;
    private long _droppedFrames;

    public GossipsubService(IHost host, GossipsubOptions? options = null, TimeProvider? time = null)
    {
        _host = host;
        _options = options ?? new GossipsubOptions();
        _router = new GossipsubRouter(_options, new KeyPairPubsubSigner(host.Identity), PubsubSignatureVerifier.Instance, time);
    }

    /// <summary>Raised on the router loop when a peer's score moved noticeably (see <see cref="PeerScoreChanged"/>).</summary>
    public event EventHandler<PeerScoreChanged>? ScoreChanged;

    /// <summary>Frames dropped because a peer's send queue was full.</summary>
    public long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    public PeerId LocalPeer => _router.LocalPeer;

    /// <summary>Registers the stream handlers, hooks connection events, opens streams to already connected peers and starts the heartbeat.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var protocol in GossipsubProtocolIds.All)
        {
            _host.SetHandler(protocol, HandleInboundStreamAsync);
        }
        _host.Connected += OnConnected;
        _host.Disconnected += OnDisconnected;
        _loop = Task.Run(RunLoopAsync, CancellationToken.None);
        _heartbeat = Task.Run(RunHeartbeatAsync, CancellationToken.None);
        foreach (var c in _host.Connections)
        {
            EnsureLink(c.RemotePeer, c);
        }
        return Task.CompletedTask;
    }

    /// <summary>Sets the validator for <paramref name="topic"/>; it runs on the router loop, so it must be quick and must not block.</summary>
    public Task SetValidatorAsync(string topic, Func<GossipsubMessage, ValidationResult> validator, CancellationToken cancellationToken) =>
        CallAsync(() => { _router.SetValidator(topic, validator); return true; }, cancellationToken);

    /// <summary>
    /// Joins <paramref name="topic"/>. Messages arrive on the returned reader (bounded at 4,096; the oldest
    /// unread message is dropped when the application falls behind). Disposing the subscription leaves the
    /// topic once no other subscription to it remains.
    /// </summary>
    public async Task<GossipsubSubscription> SubscribeAsync(string topic, CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<GossipsubMessage>(new BoundedChannelOptions(4_096) { FullMode = BoundedChannelFullMode.DropOldest });
        var list = _subscribers.GetOrAdd(topic, _ => []);
        lock (list)
        {
            list.Add(channel);
        }
        await CallAsync(() => { _router.Subscribe(topic); return true; }, cancellationToken);
        return new GossipsubSubscription(topic, channel.Reader, () => UnsubscribeAsync(topic, channel));
    }

    /// <summary>Publishes to <paramref name="topic"/> (subscribed or not: fanout covers the latter).</summary>
    public Task<PublishResult> PublishAsync(string topic, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        CallAsync(() => _router.Publish(topic, data.Span), cancellationToken);

    public Task<IReadOnlyCollection<PeerId>> MeshPeersAsync(string topic, CancellationToken cancellationToken) =>
        CallAsync(() => _router.MeshPeers(topic), cancellationToken);

    public Task<IReadOnlyCollection<PeerId>> TopicPeersAsync(string topic, CancellationToken cancellationToken) =>
        CallAsync(() => _router.TopicPeers(topic), cancellationToken);

    public Task<double> ScoreAsync(PeerId peer, CancellationToken cancellationToken) =>
        CallAsync(() => _router.Score(peer), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _host.Connected -= OnConnected;
        _host.Disconnected -= OnDisconnected;
        foreach (var protocol in GossipsubProtocolIds.All)
        {
            _host.RemoveHandler(protocol);
        }
        await _stopping.CancelAsync();
        _inbox.Writer.TryComplete();
        foreach (var link in _links.Values)
        {
            link.Close();
        }
        foreach (var t in new[] { _loop, _heartbeat })
        {
            if (t is not null)
            {
                try
                {
                    await t;
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        _stopping.Dispose();
    }

    private async Task UnsubscribeAsync(string topic, Channel<GossipsubMessage> channel)
    {
        channel.Writer.TryComplete();
        var last = false;
        if (_subscribers.TryGetValue(topic, out var list))
        {
            lock (list)
            {
                list.Remove(channel);
                last = list.Count == 0;
            }
        }
        if (last && !_stopping.IsCancellationRequested)
        {
            await CallAsync(() => { _router.Unsubscribe(topic); return true; }, CancellationToken.None);
        }
    }

    // ---------- the router loop ----------

    private async Task<T> CallAsync<T>(Func<T> call, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _inbox.Writer.WriteAsync(() =>
        {
            try
            {
                done.TrySetResult(call());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        }, cancellationToken);
        return await done.Task.WaitAsync(cancellationToken);
    }

    private async Task RunLoopAsync()
    {
        await foreach (var action in _inbox.Reader.ReadAllAsync())
        {
            action();
            Dispatch(_router.TakeOutputs());
        }
    }

    private async Task RunHeartbeatAsync()
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await _inbox.Writer.WriteAsync(_router.Heartbeat, _stopping.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }

    private void Dispatch(List<GossipsubOutput> outputs)
    {
        foreach (var output in outputs)
        {
            switch (output)
            {
                case SendRpc send:
                    if (_links.TryGetValue(send.Peer, out var link) && !link.Outgoing.Writer.TryWrite(RpcCodec.Encode(send.Rpc)))
                    {
                        Interlocked.Increment(ref _droppedFrames);
                    }
                    break;
                case DeliverMessage deliver:
                    if (_subscribers.TryGetValue(deliver.Message.Topic, out var list))
                    {
                        lock (list)
                        {
                            foreach (var c in list)
                            {
                                c.Writer.TryWrite(deliver.Message);
                            }
                        }
                    }
                    break;
                case PeerScoreChanged changed:
                    ScoreChanged?.Invoke(this, changed);
                    break;
                case PeerExchangeSuggested px:
                    // Only peers whose addresses we already know can be dialled: there are no signed records yet.
                    if (_host.PeerStore.Get(px.Peer) is { Addresses.Count: > 0 })
                    {
                        _ = DialQuietlyAsync(px.Peer);
                    }
                    break;
                default:
                    break;
            }
        }
    }

    private async Task DialQuietlyAsync(PeerId peer)
    {
        try
        {
            await _host.DialAsync(peer, _stopping.Token);
        }
        catch (Exception)
        {
            // Peer exchange is a hint; an unreachable suggestion is not an error.
        }
    }

    private void Post(Action action)
    {
        if (!_inbox.Writer.TryWrite(action))
        {
            _ = _inbox.Writer.WriteAsync(action, _stopping.Token).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    // ---------- streams ----------

    private void OnConnected(object? sender, ConnectionEventArgs e) => EnsureLink(e.Connection.RemotePeer, e.Connection);

    private void OnDisconnected(object? sender, ConnectionEventArgs e)
    {
        var peer = e.Connection.RemotePeer;
        if (_host.Connections.Any(c => c.RemotePeer.Equals(peer) && !c.IsClosed))
        {
            return;
        }
        if (_links.TryRemove(peer, out var link))
        {
            link.Close();
        }
        Post(() => _router.RemovePeer(peer));
    }

    private PeerLink EnsureLink(PeerId peer, IConnection connection)
    {
        var created = false;
        var link = _links.GetOrAdd(peer, _ =>
        {
            created = true;
            return new PeerLink(Channel.CreateBounded<byte[]>(new BoundedChannelOptions(_options.MaxQueuedRpcsPerPeer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }));
        });
        if (created)
        {
            link.Writer = Task.Run(() => RunWriterAsync(peer, connection, link));
        }
        return link;
    }

    private async Task RunWriterAsync(PeerId peer, IConnection connection, PeerLink link)
    {
        P2PStream? stream = null;
        var added = false;
        try
        {
            stream = await connection.OpenStreamAsync(GossipsubProtocolIds.All, link.Closing.Token);
            var protocol = GossipsubProtocolIds.Parse(stream.Protocol) ?? GossipsubProtocol.MeshsubV10;
            var outbound = connection.Direction == Direction.Outbound;
            var ip = IpOf(connection.RemoteAddress);
            Post(() => _router.AddPeer(peer, protocol, outbound, ip));
            added = true;
            await foreach (var frame in link.Outgoing.Reader.ReadAllAsync(link.Closing.Token))
            {
                await LengthPrefixed.WriteAsync(stream, frame, link.Closing.Token);
            }
        }
        catch (Exception)
        {
            // The peer does not speak gossipsub, or the stream broke: forget the link so a later
            // connection or inbound stream can build a new one.
            if (_links.TryGetValue(peer, out var current) && ReferenceEquals(current, link))
            {
                _links.TryRemove(peer, out _);
                if (added && !_stopping.IsCancellationRequested)
                {
                    Post(() => _router.RemovePeer(peer));
                }
            }
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private async Task HandleInboundStreamAsync(P2PStream stream, CancellationToken cancellationToken)
    {
        var peer = stream.RemotePeer;
        EnsureLink(peer, stream.Connection);
        var protocol = GossipsubProtocolIds.Parse(stream.Protocol) ?? GossipsubProtocol.MeshsubV10;
        var outbound = stream.Connection.Direction == Direction.Outbound;
        var ip = IpOf(stream.Connection.RemoteAddress);
        // The peer may speak before our own stream to it is open; it must be known to the router first.
        Post(() => _router.AddPeer(peer, protocol, outbound, ip));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        while (true)
        {
            var frame = await LengthPrefixed.ReadAsync(stream, _options.Limits.MaxRpcSize, linked.Token);
            if (frame is null)
            {
                return;
            }
            await _inbox.Writer.WriteAsync(() => _router.HandleFrame(peer, frame), linked.Token);
        }
    }

    private static string? IpOf(Multiaddr address) =>
        address.TryGetTcpEndpoint(out var host, out _, out _) ? host : null;

    private sealed class PeerLink(Channel<byte[]> outgoing)
    {
        public Channel<byte[]> Outgoing { get; } = outgoing;

        public CancellationTokenSource Closing { get; } = new();

        public Task? Writer { get; set; }

        public void Close()
        {
            Outgoing.Writer.TryComplete();
            Closing.Cancel();
        }
    }
}

/// <summary>A subscription to one topic; dispose it to stop receiving (and leave the topic if it was the last).</summary>
public sealed class GossipsubSubscription(string topic, ChannelReader<GossipsubMessage> messages, Func<Task> unsubscribe) : IAsyncDisposable
{
    private int _disposed;

    public string Topic { get; } = topic;

    public ChannelReader<GossipsubMessage> Messages { get; } = messages;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await unsubscribe();
        }
    }
}
