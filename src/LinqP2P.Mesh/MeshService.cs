using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LinqP2P.Libp2p;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Streams;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LinqP2P.Mesh;

/// <summary>A mesh link this node refused, or that a remote node refused for one of our containers.</summary>
public sealed class MeshRefusalEventArgs(string? jobId, PeerId peer, MeshStatus status, string reason, bool inbound) : EventArgs
{
    /// <summary>Null when the header did not decode.</summary>
    public string? JobId { get; } = jobId;

    /// <summary>The remote peer (inbound: the dialer; outbound: the peer we dialed, or ourselves).</summary>
    public PeerId Peer { get; } = peer;

    public MeshStatus Status { get; } = status;

    public string Reason { get; } = reason;

    /// <summary>True when this node refused a stream it received.</summary>
    public bool Inbound { get; } = inbound;
}

/// <summary>
/// Serves <c>/linq/mesh/1.0.0</c> (SPEC.md §8.8): bridges the loopback sockets of the job containers
/// on this node to the containers of the same job on other nodes, over authenticated libp2p streams,
/// only as <see cref="MeshAuthorizations"/> allows. Containers are attached with
/// <see cref="CreateStartHook"/> (through the executor) or <see cref="AttachAsync"/>.
/// </summary>
public sealed partial class MeshService : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Job, int Shard), MeshAttachment> _attachments = new();
    private readonly ConcurrentDictionary<string, MeshJobCounters> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<PeerId, MeshJobCounters> _peers = new();
    private readonly ConcurrentDictionary<Relay, (MeshAttachment? A, MeshAttachment? B)> _relays = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _sweeper;

    public MeshService(IHost host, MeshAuthorizations authorizations, MeshOptions? options = null, ILogger<MeshService>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(authorizations);
        Options = options ?? new MeshOptions();
        Options.Validate();
        _host = host;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Authorizations = authorizations;
        Authorizations.Revoked += OnRevoked;
        _host.SetHandler(MeshProtocol.Id, HandleInboundAsync);
        _sweeper = SweepIdleAsync(_stopping.Token);
    }

    public MeshOptions Options { get; }

    public MeshAuthorizations Authorizations { get; }

    /// <summary>Raised (and logged) for every refused link, on either side.</summary>
    public event EventHandler<MeshRefusalEventArgs>? Refused;

    /// <summary>Counters of one job on this node, kept until the job is revoked (zeros for a job without links).</summary>
    public MeshJobStats Stats(string jobId) => _jobs.TryGetValue(jobId, out var c) ? c.Snapshot() : new MeshJobStats(0, 0, 0, 0, 0);

    /// <summary>
    /// The executor hook for shard <paramref name="shardIndex"/> of a job: sets <c>LINQ_MESH_LISTEN</c> and
    /// <c>LINQ_MESH_PEERS</c> and attaches the container before its command starts.
    /// </summary>
    public Execution.IExecutionStartHook CreateStartHook(string jobId, int shardIndex, int shardCount) =>
        new MeshStartHook(this, jobId, shardIndex, shardCount);

    /// <summary>
    /// Opens, inside the network namespace of <paramref name="containerPid"/>, a listener on
    /// <c>127.0.0.1:BasePort+K</c> for every other shard K, and makes this container the target of
    /// inbound links to its shard. Dispose the attachment when the container is gone.
    /// </summary>
    public async Task<MeshAttachment> AttachAsync(string jobId, int shardIndex, int shardCount, int containerPid, CancellationToken cancellationToken)
    {
        if (!MeshHeader.IsValidJobId(jobId))
        {
            throw new ArgumentException("the job id must be 1-128 characters of letters, digits, '.', '-', '_'", nameof(jobId));
        }
        if (shardCount is < 1 or > MeshHeader.MaxShards || shardIndex < 0 || shardIndex >= shardCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shardIndex), $"shard {shardIndex} of {shardCount} is not a mesh shard (at most {MeshHeader.MaxShards})");
        }
        var ns = NetworkNamespace.OfProcess(containerPid);
        var attachment = new MeshAttachment(this, jobId, shardIndex, shardCount, ns);
        if (!_attachments.TryAdd((jobId, shardIndex), attachment))
        {
            ns.Dispose();
            throw new InvalidOperationException($"shard {shardIndex} of job '{jobId}' is already attached on this node");
        }
        try
        {
            for (var peer = 0; peer < shardCount; peer++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (peer != shardIndex)
                {
                    attachment.AddListener(peer, await ns.ListenAsync(Options.PortOf(peer), Options.ListenBacklog));
                }
            }
        }
        catch
        {
            await attachment.DisposeAsync();
            throw;
        }
        attachment.StartAccepting();
        LogAttached(jobId, shardIndex, shardCount, containerPid);
        return attachment;
    }

    /// <summary>The <c>LINQ_MESH_PEERS</c> value: <c>K=127.0.0.1:PORT</c> for every other shard, comma-separated, ascending.</summary>
    public string PeersVariable(int shardIndex, int shardCount) => string.Join(',',
        Enumerable.Range(0, shardCount).Where(k => k != shardIndex)
            .Select(k => string.Create(CultureInfo.InvariantCulture, $"{k}=127.0.0.1:{Options.PortOf(k)}")));

    public async ValueTask DisposeAsync()
    {
        _host.RemoveHandler(MeshProtocol.Id);
        Authorizations.Revoked -= OnRevoked;
        await _stopping.CancelAsync();
        foreach (var attachment in _attachments.Values)
        {
            await attachment.DisposeAsync();
        }
        foreach (var relay in _relays.Keys)
        {
            relay.Abort("the mesh service stopped");
        }
        try
        {
            await _sweeper;
        }
        catch (OperationCanceledException)
        {
        }
        _stopping.Dispose();
    }

    internal void Detach(MeshAttachment attachment)
    {
        _attachments.TryRemove(new KeyValuePair<(string, int), MeshAttachment>((attachment.JobId, attachment.ShardIndex), attachment));
        foreach (var (relay, owners) in _relays)
        {
            if (owners.A == attachment || owners.B == attachment)
            {
                relay.Abort("the container's mesh attachment closed");
            }
        }
    }

    /// <summary>A container connected to its listener for <paramref name="targetShard"/>: open the link. Never throws.</summary>
    internal async Task HandleOutboundAsync(MeshAttachment source, int targetShard, Socket socket)
    {
        try
        {
            await OpenOutboundAsync(source, targetShard, socket);
        }
        catch (Exception e)
        {
            socket.Dispose();
            LogLinkReset(source.JobId, "outbound link failed: " + e.Message);
        }
    }

    private async Task OpenOutboundAsync(MeshAttachment source, int targetShard, Socket socket)
    {
        var job = source.JobId;
        var counters = Counters(job);
        var local = RelayEnd.Of(socket);
        var peer = Authorizations.PeerOf(job, targetShard);
        if (peer is null)
        {
            RefuseOutbound(job, _host.PeerId, MeshStatus.NotAuthorized, $"no peer is awarded shard {targetShard}", counters, local);
            return;
        }
        if (!counters.TryOpen(Options.MaxStreamsPerJob))
        {
            RefuseOutbound(job, peer, MeshStatus.LimitReached, $"the job has {Options.MaxStreamsPerJob} links open", counters, local);
            return;
        }
        try
        {
            RelayEnd remote;
            MeshAttachment? target = null;
            if (peer == _host.PeerId)
            {
                // Both shards run here: connect the two containers directly.
                if (!_attachments.TryGetValue((job, targetShard), out target))
                {
                    RefuseOutbound(job, peer, MeshStatus.UnknownTarget, $"shard {targetShard} is not running on this node", counters, local);
                    return;
                }
                var connected = await ConnectTargetAsync(target, Options.PortOf(targetShard), _stopping.Token);
                if (connected is null)
                {
                    RefuseOutbound(job, peer, MeshStatus.TargetUnreachable, $"shard {targetShard} did not accept on port {Options.PortOf(targetShard)}", counters, local);
                    return;
                }
                remote = RelayEnd.Of(connected);
            }
            else
            {
                var header = new MeshHeader(job, source.ShardIndex, targetShard, Options.PortOf(targetShard));
                var (stream, reply) = await OpenStreamAsync(peer, header);
                if (reply.Status != MeshStatus.Ok)
                {
                    stream?.Reset();
                    RefuseOutbound(job, peer, reply.Status, reply.Reason, counters, local);
                    return;
                }
                remote = RelayEnd.Of(stream!);
            }
            await RunRelayAsync(job, local, remote, counters, source, target);
        }
        finally
        {
            counters.Close();
        }
    }

    private async Task<(P2PStream? Stream, MeshReply Reply)> OpenStreamAsync(PeerId peer, MeshHeader header)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(Options.HandshakeTimeout);
        P2PStream? stream = null;
        try
        {
            stream = await _host.NewStreamAsync(peer, [MeshProtocol.Id], timeout.Token);
            await LengthPrefixed.WriteAsync(stream, header.Encode(), timeout.Token);
            var frame = await LengthPrefixed.ReadAsync(stream, MeshProtocol.MaxFrameLength, timeout.Token)
                ?? throw new MeshException("reply.truncated", "the remote node closed the stream before replying");
            return (stream, MeshReply.Decode(frame));
        }
        catch (Exception e) when (e is LinqP2P.Core.LinqException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            stream?.Reset();
            var reason = e is OperationCanceledException ? $"no reply within {Options.HandshakeTimeout.TotalSeconds:0.#} s" : e.Message;
            return (null, new MeshReply(MeshStatus.TargetUnreachable, "the mesh stream could not be opened: " + reason));
        }
    }

    private async Task HandleInboundAsync(P2PStream stream, CancellationToken cancellationToken)
    {
        var remotePeer = stream.RemotePeer;
        MeshHeader header;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token))
        {
            timeout.CancelAfter(Options.HandshakeTimeout);
            try
            {
                var frame = await LengthPrefixed.ReadAsync(stream, MeshProtocol.MaxFrameLength, timeout.Token)
                    ?? throw new MeshException("header.truncated", "the stream ended before the mesh header");
                header = MeshHeader.Decode(frame);
            }
            catch (Exception e) when (e is MeshException or Libp2pProtocolException or OperationCanceledException)
            {
                var reason = e is OperationCanceledException ? "no mesh header in time" : e.Message;
                await RefuseInboundAsync(stream, null, remotePeer, MeshStatus.BadHeader, reason, null);
                return;
            }
        }

        var job = header.JobId;
        var counters = Authorizations.Knows(job) ? Counters(job) : null;
        if (!Authorizations.IsAllowed(job, remotePeer, header.SourceShard))
        {
            await RefuseInboundAsync(stream, job, remotePeer, MeshStatus.NotAuthorized,
                $"peer {remotePeer} is not awarded shard {header.SourceShard} of job '{job}'", counters);
            return;
        }
        counters ??= Counters(job);
        var target = await WaitForAttachmentAsync(job, header.TargetShard, cancellationToken);
        if (target is null)
        {
            await RefuseInboundAsync(stream, job, remotePeer, MeshStatus.UnknownTarget,
                $"shard {header.TargetShard} of job '{job}' is not running on this node", counters);
            return;
        }
        if (header.TargetPort != Options.PortOf(header.TargetShard))
        {
            await RefuseInboundAsync(stream, job, remotePeer, MeshStatus.PortNotAllowed,
                $"shard {header.TargetShard} is reached only on port {Options.PortOf(header.TargetShard)}, not {header.TargetPort}", counters);
            return;
        }
        var perPeer = _peers.GetOrAdd(remotePeer, _ => new MeshJobCounters());
        if (!perPeer.TryOpen(Options.MaxStreamsPerPeer))
        {
            await RefuseInboundAsync(stream, job, remotePeer, MeshStatus.LimitReached, $"peer has {Options.MaxStreamsPerPeer} links open", counters);
            return;
        }
        try
        {
            if (!counters.TryOpen(Options.MaxStreamsPerJob))
            {
                await RefuseInboundAsync(stream, job, remotePeer, MeshStatus.LimitReached, $"the job has {Options.MaxStreamsPerJob} links open", counters);
                return;
            }
            try
            {
                Socket? socket;
                try
                {
                    socket = await ConnectTargetAsync(target, header.TargetPort, cancellationToken);
                }
                catch (MeshException)
                {
                    socket = null; // the container's namespace is gone
                }
                if (socket is null)
                {
                    await RefuseInboundAsync(stream, job, remotePeer, MeshStatus.TargetUnreachable,
                        $"nothing in shard {header.TargetShard}'s container accepted on 127.0.0.1:{header.TargetPort}", counters);
                    return;
                }
                var local = RelayEnd.Of(socket);
                try
                {
                    await LengthPrefixed.WriteAsync(stream, new MeshReply(MeshStatus.Ok, "").Encode(), cancellationToken);
                }
                catch
                {
                    local.Abort();
                    throw;
                }
                LogLinkOpened(job, header.SourceShard, header.TargetShard, remotePeer);
                await RunRelayAsync(job, local, RelayEnd.Of(stream), counters, target, null);
            }
            finally
            {
                counters.Close();
            }
        }
        finally
        {
            perPeer.Close();
        }
    }

    /// <summary>
    /// The local container of (job, shard); waits up to <see cref="MeshOptions.TargetConnectTimeout"/> for it,
    /// since the shards of a job start at about the same time on different nodes.
    /// </summary>
    private async Task<MeshAttachment?> WaitForAttachmentAsync(string job, int shard, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)Options.TargetConnectTimeout.TotalMilliseconds;
        while (true)
        {
            if (_attachments.TryGetValue((job, shard), out var target))
            {
                return target;
            }
            if (Environment.TickCount64 >= deadline || cancellationToken.IsCancellationRequested || _stopping.IsCancellationRequested
                || !Authorizations.Knows(job))
            {
                return null;
            }
            await Task.Delay(50, CancellationToken.None);
        }
    }

    /// <summary>Connects to 127.0.0.1:port in the container, retrying refusals (the job may still be starting); null on failure.</summary>
    private async Task<Socket?> ConnectTargetAsync(MeshAttachment target, int port, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + (long)Options.TargetConnectTimeout.TotalMilliseconds;
        var delay = 20;
        while (true)
        {
            var socket = await target.Namespace.CreateSocketAsync();
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
                attempt.CancelAfter(TimeSpan.FromSeconds(5));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), attempt.Token);
                return socket;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                if (cancellationToken.IsCancellationRequested || _stopping.IsCancellationRequested || target.IsClosed
                    || Environment.TickCount64 + delay > deadline)
                {
                    return null;
                }
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            await Task.Delay(delay, CancellationToken.None);
            delay = Math.Min(delay * 2, 250);
        }
    }

    private async Task RunRelayAsync(string job, RelayEnd local, RelayEnd remote, MeshJobCounters counters, MeshAttachment? a, MeshAttachment? b)
    {
        var relay = new Relay(job, local, remote, Options.RelayBufferBytes, counters);
        _relays[relay] = (a, b);
        try
        {
            // A revocation between the check and this registration must not be missed.
            if (!Authorizations.Knows(job))
            {
                relay.Abort("the job's mesh authorization was revoked");
            }
            await relay.RunAsync();
        }
        finally
        {
            _relays.TryRemove(relay, out _);
            if (relay.AbortReason is { } reason)
            {
                LogLinkReset(job, reason);
            }
        }
    }

    private void RefuseOutbound(string job, PeerId peer, MeshStatus status, string reason, MeshJobCounters counters, RelayEnd local)
    {
        counters.Refused();
        local.Abort();
        LogRefusedOutbound(job, peer, status, reason);
        Refused?.Invoke(this, new MeshRefusalEventArgs(job, peer, status, reason, inbound: false));
    }

    private async Task RefuseInboundAsync(P2PStream stream, string? job, PeerId peer, MeshStatus status, string reason, MeshJobCounters? counters)
    {
        counters?.Refused();
        LogRefusedInbound(job ?? "?", peer, status, reason);
        Refused?.Invoke(this, new MeshRefusalEventArgs(job, peer, status, reason, inbound: true));
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await LengthPrefixed.WriteAsync(stream, new MeshReply(status, reason).Encode(), timeout.Token);
            await stream.CloseWriteAsync(timeout.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or LinqP2P.Core.LinqException)
        {
            // The dialer is gone; the refusal is logged all the same.
        }
    }

    private MeshJobCounters Counters(string job) => _jobs.GetOrAdd(job, _ => new MeshJobCounters());

    /// <summary>Links open on this node right now, all jobs together.</summary>
    public int OpenLinks => _relays.Count;

    private void OnRevoked(object? sender, string job)
    {
        _jobs.TryRemove(job, out _);
        foreach (var relay in _relays.Keys)
        {
            if (relay.JobId == job)
            {
                relay.Abort("the job's mesh authorization was revoked");
            }
        }
        LogRevoked(job);
    }

    private async Task SweepIdleAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromMilliseconds(Math.Clamp(Options.IdleTimeout.TotalMilliseconds / 4, 50, 5000));
        using var timer = new PeriodicTimer(period);
        var idleMs = (long)Options.IdleTimeout.TotalMilliseconds;
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            foreach (var relay in _relays.Keys)
            {
                if (relay.IdleMilliseconds > idleMs)
                {
                    relay.Abort($"idle for more than {Options.IdleTimeout.TotalSeconds:0.#} s");
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "mesh: job {JobId} shard {Shard}/{Count} attached (container pid {Pid})")]
    private partial void LogAttached(string jobId, int shard, int count, int pid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "mesh: job {JobId} link {Source} -> {Target} from {Peer} opened")]
    private partial void LogLinkOpened(string jobId, int source, int target, PeerId peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "mesh: job {JobId} link reset: {Reason}")]
    private partial void LogLinkReset(string jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mesh: refused inbound link of job {JobId} from {Peer}: {Status} ({Reason})")]
    private partial void LogRefusedInbound(string jobId, PeerId peer, MeshStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mesh: outbound link of job {JobId} to {Peer} refused: {Status} ({Reason})")]
    private partial void LogRefusedOutbound(string jobId, PeerId peer, MeshStatus status, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "mesh: job {JobId} revoked, its links were reset")]
    private partial void LogRevoked(string jobId);
}
