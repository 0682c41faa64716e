using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;

namespace LinqP2P.Libp2p.Yamux;

/// <summary>
/// A Yamux session (specs/yamux, hashicorp/yamux spec.md; SPEC.md §5) over a secured byte stream. The
/// dialer opens odd stream ids, the listener even ones. One read loop dispatches frames; writers share a
/// lock so frames never interleave; the read loop never waits for a writer (its replies go through a
/// bounded control queue), so two peers cannot deadlock each other on full socket buffers.
/// </summary>
public sealed class YamuxSession : IAsyncDisposable
{
    public const string ProtocolId = "/yamux/1.0.0";

    private const uint GoAwayNormal = 0;
    private const uint GoAwayProtocolError = 1;
    private const uint GoAwayInternalError = 2;

    private readonly Stream _transport;
    private readonly Func<YamuxStream, Task> _onInbound;
    private readonly ConcurrentDictionary<uint, YamuxStream> _streams = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<YamuxHeader> _control;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _nextId;
    private int _closed;
    private bool _remoteGoAway;
    private uint _pingSent;
    private uint _pingAcked;
    private long _pingStarted;
    private Task? _readLoop;

    public YamuxSession(Stream transport, bool isInitiator, YamuxOptions options, Func<YamuxStream, Task> onInbound)
    {
        ArgumentNullException.ThrowIfNull(options);
        _transport = transport;
        Options = options;
        _onInbound = onInbound;
        _nextId = isInitiator ? 1u : 2u;
        _control = Channel.CreateBounded<YamuxHeader>(new BoundedChannelOptions(options.MaxPendingControlFrames) { SingleReader = true });
    }

    public YamuxOptions Options { get; }

    /// <summary>Streams open now.</summary>
    public int StreamCount => _streams.Count;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Completes when the session has closed; faulted sessions complete too (the reason is in <see cref="CloseReason"/>).</summary>
    public Task Completion => _completion.Task;

    /// <summary>Why the session closed, when it was not closed by us or cleanly by the remote.</summary>
    public Exception? CloseReason { get; private set; }

    /// <summary>Round-trip time of the last answered keep-alive ping.</summary>
    public TimeSpan? LastPingRtt { get; private set; }

    public void Start()
    {
        _readLoop = Task.Run(ReadLoopAsync);
        _ = Task.Run(ControlWriterAsync);
        if (Options.KeepAliveInterval > TimeSpan.Zero)
        {
            _ = Task.Run(KeepAliveAsync);
        }
    }

    /// <summary>Opens a stream (SYN). Fails when the session is closed, the remote sent GoAway, or the stream cap is reached.</summary>
    public async Task<YamuxStream> OpenStreamAsync(CancellationToken cancellationToken)
    {
        if (IsClosed || _remoteGoAway)
        {
            throw new Libp2pConnectionException("closed", "the connection is closed or going away; dial again");
        }
        if (_streams.Count >= Options.MaxStreams)
        {
            throw new Libp2pConnectionException("stream_limit", $"the connection already has {Options.MaxStreams} streams; close some first");
        }
        var id = Interlocked.Add(ref _nextId, 2) - 2;
        var stream = new YamuxStream(this, id, Host.Direction.Outbound);
        _streams[id] = stream;
        await SendAsync(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Syn, id, InitialWindowGrant), default, cancellationToken);
        return stream;
    }

    /// <summary>
    /// What our receive window holds beyond the spec's initial 256 KiB, granted with the SYN or ACK (as
    /// go-yamux does); without it a larger <see cref="YamuxOptions.WindowSize"/> is never announced and the
    /// sender stalls at 256 KiB while we wait for half the larger window before updating.
    /// </summary>
    private uint InitialWindowGrant => (uint)(Options.WindowSize - (256 * 1024));

    internal async Task SendAsync(YamuxHeader header, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (IsClosed)
        {
            throw new Libp2pConnectionException("closed", "the connection is closed");
        }
        await _writeLock.WaitAsync(cancellationToken);
        // Rented per frame so that an idle session holds no write buffer.
        var frame = ArrayPool<byte>.Shared.Rent(YamuxHeader.Size + payload.Length);
        try
        {
            // Header and payload in one write: one Noise message per frame.
            header.Write(frame);
            payload.Span.CopyTo(frame.AsSpan(YamuxHeader.Size));
            await _transport.WriteAsync(frame.AsMemory(0, YamuxHeader.Size + payload.Length), cancellationToken);
            await _transport.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Abort(new Libp2pConnectionException("closed", "the connection was lost while writing", inner: e));
            throw new Libp2pConnectionException("closed", "the connection was lost while writing", inner: e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
            _writeLock.Release();
        }
    }

    /// <summary>Queues a control frame from the read loop; a peer that provokes more than the queue holds is cut off.</summary>
    internal void SendControl(YamuxHeader header)
    {
        if (!_control.Writer.TryWrite(header) && !IsClosed)
        {
            Abort(new Libp2pProtocolException("yamux.control_flood", "the peer provoked more control frames than we queue"));
        }
    }

    internal void Forget(uint id) => _streams.TryRemove(id, out _);

    private async Task ControlWriterAsync()
    {
        try
        {
            await foreach (var header in _control.Reader.ReadAllAsync(_closing.Token))
            {
                await SendAsync(header, default, _closing.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or Libp2pConnectionException)
        {
        }
    }

    private async Task KeepAliveAsync()
    {
        try
        {
            while (!IsClosed)
            {
                await Task.Delay(Options.KeepAliveInterval, _closing.Token);
                if (_pingSent != Volatile.Read(ref _pingAcked))
                {
                    Abort(new Libp2pConnectionException("keepalive", $"no keep-alive answer within {Options.KeepAliveInterval}"));
                    return;
                }
                _pingSent++;
                _pingStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                await SendAsync(new YamuxHeader(YamuxFrameType.Ping, YamuxFlags.Syn, 0, _pingSent), default, _closing.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or Libp2pConnectionException)
        {
        }
    }

    private async Task ReadLoopAsync()
    {
        var headerBytes = new byte[YamuxHeader.Size];
        Exception? reason = null;
        try
        {
            while (!IsClosed)
            {
                if (!await ReadExactOrEndAsync(headerBytes))
                {
                    break;
                }
                var header = YamuxHeader.Read(headerBytes);
                await HandleFrameAsync(header);
            }
        }
        catch (Libp2pProtocolException e)
        {
            reason = e;
            await TrySendGoAwayAsync(GoAwayProtocolError);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or Libp2pConnectionException)
        {
            reason = IsClosed ? null : e;
        }
        catch (Exception e)
        {
            reason = e;
            await TrySendGoAwayAsync(GoAwayInternalError);
        }
        Abort(reason);
    }

    private async Task HandleFrameAsync(YamuxHeader header)
    {
        switch (header.Type)
        {
            case YamuxFrameType.Ping:
                if (header.Flags.HasFlag(YamuxFlags.Syn))
                {
                    SendControl(new YamuxHeader(YamuxFrameType.Ping, YamuxFlags.Ack, 0, header.Length));
                }
                else if (header.Flags.HasFlag(YamuxFlags.Ack) && header.Length == _pingSent)
                {
                    LastPingRtt = System.Diagnostics.Stopwatch.GetElapsedTime(_pingStarted);
                    Volatile.Write(ref _pingAcked, header.Length);
                }
                return;
            case YamuxFrameType.GoAway:
                _remoteGoAway = true;
                return;
        }

        var stream = GetOrAccept(header);
        if (header.Type == YamuxFrameType.Data)
        {
            if (header.Length > (uint)Options.WindowSize)
            {
                throw new Libp2pProtocolException("yamux.window", $"a data frame of {header.Length} bytes exceeds the {Options.WindowSize}-byte window");
            }
            if (header.Length > 0)
            {
                var payload = new byte[header.Length];
                if (!await ReadExactOrEndAsync(payload))
                {
                    throw new Libp2pProtocolException("yamux.truncated", "the connection ended inside a data frame");
                }
                stream?.OnData(payload);
            }
        }
        else if (stream is not null && header.Length > 0)
        {
            stream.OnWindowUpdate(header.Length);
        }
        if (stream is null)
        {
            return;
        }
        if (header.Flags.HasFlag(YamuxFlags.Rst))
        {
            stream.OnRemoteReset();
        }
        else if (header.Flags.HasFlag(YamuxFlags.Fin))
        {
            stream.OnRemoteFin();
        }
    }

    private YamuxStream? GetOrAccept(YamuxHeader header)
    {
        if (!header.Flags.HasFlag(YamuxFlags.Syn))
        {
            // Frames for streams we already forgot (reset or fully closed) are dropped.
            return _streams.GetValueOrDefault(header.StreamId);
        }
        var ours = (header.StreamId % 2) == (_nextId % 2);
        if (ours || _streams.ContainsKey(header.StreamId))
        {
            throw new Libp2pProtocolException("yamux.stream_id", $"the peer opened stream {header.StreamId}, which is ours or already open");
        }
        if (_streams.Count >= Options.MaxStreams || _remoteGoAway || IsClosed)
        {
            SendControl(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, header.StreamId, 0));
            return null;
        }
        var stream = new YamuxStream(this, header.StreamId, Host.Direction.Inbound);
        _streams[header.StreamId] = stream;
        SendControl(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Ack, header.StreamId, InitialWindowGrant));
        _ = Task.Run(async () =>
        {
            try
            {
                await _onInbound(stream);
            }
            catch (Exception)
            {
                stream.Reset();
            }
        });
        return stream;
    }

    private async Task<bool> ReadExactOrEndAsync(Memory<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await _transport.ReadAsync(buffer[read..], _closing.Token);
            if (n == 0)
            {
                if (read == 0)
                {
                    return false;
                }
                throw new Libp2pProtocolException("yamux.truncated", "the connection ended inside a frame");
            }
            read += n;
        }
        return true;
    }

    private async Task TrySendGoAwayAsync(uint code)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await SendAsync(new YamuxHeader(YamuxFrameType.GoAway, YamuxFlags.None, 0, code), default, cts.Token);
        }
        catch (Exception)
        {
            // Best effort: the connection is being torn down anyway.
        }
    }

    /// <summary>Closes the session: GoAway, then the transport; every stream is reset.</summary>
    public async Task CloseAsync()
    {
        if (!IsClosed)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await SendAsync(new YamuxHeader(YamuxFrameType.GoAway, YamuxFlags.None, 0, GoAwayNormal), default, cts.Token);
            }
            catch (Exception)
            {
                // The peer may already be gone; closing goes on.
            }
        }
        Abort(null);
        if (_readLoop is not null)
        {
            await _readLoop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private void Abort(Exception? reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        CloseReason = reason;
        _closing.Cancel();
        _control.Writer.TryComplete();
        foreach (var s in _streams.Values)
        {
            s.OnSessionClosed();
        }
        _streams.Clear();
        try
        {
            _transport.Dispose();
        }
        catch (Exception)
        {
        }
        _completion.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _closing.Dispose();
    }
}
