using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Streams;

namespace LinqP2P.Libp2p.Yamux;

/// <summary>
/// One Yamux stream. Received data is buffered only up to the receive window: the window is granted back
/// to the sender as the application reads, so a slow reader stalls the sender instead of growing a buffer.
/// Writes wait for send window.
/// </summary>
public sealed class YamuxStream : P2PStream
{
    private readonly YamuxSession _session;
    private readonly object _sync = new();
    private readonly Queue<byte[]> _received = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private TaskCompletionSource _readSignal = NewSignal();
    private TaskCompletionSource _windowSignal = NewSignal();
    private byte[]? _current;
    private int _currentOffset;
    private long _receiveWindow;
    private int _consumed;
    private long _sendWindow;
    private bool _remoteClosed;
    private bool _localClosed;
    private bool _reset;
    private IConnection? _connection;

    internal YamuxStream(YamuxSession session, uint id, Direction direction)
    {
        _session = session;
        Id = id;
        Direction = direction;
        _receiveWindow = session.Options.WindowSize;
        // Both sides start from the spec's 256 KiB; larger windows are granted by window updates.
        _sendWindow = 256 * 1024;
    }

    public uint Id { get; }

    public Direction Direction { get; }

    public override IConnection Connection => _connection ?? throw new InvalidOperationException("the stream is not attached to a connection");

    internal void Attach(IConnection connection) => _connection = connection;

    public bool IsReset
    {
        get
        {
            lock (_sync)
            {
                return _reset;
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal void OnData(byte[] payload)
    {
        lock (_sync)
        {
            if (_reset || _remoteClosed)
            {
                return;
            }
            if (payload.Length > _receiveWindow)
            {
                throw new Libp2pProtocolException("yamux.window", $"stream {Id} received {payload.Length} bytes with only {_receiveWindow} of window left");
            }
            _receiveWindow -= payload.Length;
            _received.Enqueue(payload);
            _readSignal.TrySetResult();
        }
    }

    internal void OnWindowUpdate(uint delta)
    {
        lock (_sync)
        {
            _sendWindow += delta;
            if (_sendWindow > uint.MaxValue)
            {
                throw new Libp2pProtocolException("yamux.window", $"stream {Id}'s send window grew past 2^32-1");
            }
            _windowSignal.TrySetResult();
        }
    }

    internal void OnRemoteFin()
    {
        bool forget;
        lock (_sync)
        {
            _remoteClosed = true;
            _readSignal.TrySetResult();
            forget = _localClosed;
        }
        if (forget)
        {
            _session.Forget(Id);
        }
    }

    internal void OnRemoteReset()
    {
        lock (_sync)
        {
            _reset = true;
            _readSignal.TrySetResult();
            _windowSignal.TrySetResult();
        }
        _session.Forget(Id);
    }

    internal void OnSessionClosed()
    {
        lock (_sync)
        {
            if (!(_remoteClosed && _localClosed))
            {
                _reset = true;
            }
            _readSignal.TrySetResult();
            _windowSignal.TrySetResult();
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0)
        {
            return 0;
        }
        int read;
        while (true)
        {
            Task wait;
            lock (_sync)
            {
                if (_current is null && _received.Count > 0)
                {
                    _current = _received.Dequeue();
                    _currentOffset = 0;
                }
                if (_current is not null)
                {
                    var n = Math.Min(buffer.Length, _current.Length - _currentOffset);
                    _current.AsSpan(_currentOffset, n).CopyTo(buffer.Span);
                    _currentOffset += n;
                    if (_currentOffset == _current.Length)
                    {
                        _current = null;
                    }
                    _consumed += n;
                    read = n;
                    break;
                }
                if (_reset)
                {
                    throw new Libp2pConnectionException("stream_reset", $"stream {Id} was reset");
                }
                if (_remoteClosed)
                {
                    return 0;
                }
                _readSignal = NewSignal();
                wait = _readSignal.Task;
            }
            await wait.WaitAsync(cancellationToken);
        }
        await GrantWindowIfDueAsync(cancellationToken);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private async Task GrantWindowIfDueAsync(CancellationToken cancellationToken)
    {
        uint delta = 0;
        lock (_sync)
        {
            // Grant window back in large steps (half the window) to keep window-update traffic low.
            if (!_remoteClosed && !_reset && _consumed >= _session.Options.WindowSize / 2)
            {
                delta = (uint)_consumed;
                _receiveWindow += _consumed;
                _consumed = 0;
            }
        }
        if (delta > 0)
        {
            await _session.SendAsync(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.None, Id, delta), default, cancellationToken);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            while (buffer.Length > 0)
            {
                int chunk;
                Task? wait = null;
                lock (_sync)
                {
                    if (_reset)
                    {
                        throw new Libp2pConnectionException("stream_reset", $"stream {Id} was reset");
                    }
                    if (_localClosed)
                    {
                        throw new InvalidOperationException("the stream was closed for writing");
                    }
                    chunk = (int)Math.Min(Math.Min(buffer.Length, _sendWindow), _session.Options.MaxFramePayload);
                    if (chunk == 0)
                    {
                        _windowSignal = NewSignal();
                        wait = _windowSignal.Task;
                    }
                    else
                    {
                        _sendWindow -= chunk;
                    }
                }
                if (wait is not null)
                {
                    await wait.WaitAsync(cancellationToken);
                    continue;
                }
                await _session.SendAsync(new YamuxHeader(YamuxFrameType.Data, YamuxFlags.None, Id, (uint)chunk), buffer[..chunk], cancellationToken);
                buffer = buffer[chunk..];
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task CloseWriteAsync(CancellationToken cancellationToken = default)
    {
        bool forget;
        lock (_sync)
        {
            if (_localClosed || _reset)
            {
                return;
            }
            _localClosed = true;
            forget = _remoteClosed;
        }
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await _session.SendAsync(new YamuxHeader(YamuxFrameType.Data, YamuxFlags.Fin, Id, 0), default, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
        if (forget)
        {
            _session.Forget(Id);
        }
    }

    public override void Reset()
    {
        lock (_sync)
        {
            if (_reset)
            {
                return;
            }
            _reset = true;
            _readSignal.TrySetResult();
            _windowSignal.TrySetResult();
        }
        _session.Forget(Id);
        if (!_session.IsClosed)
        {
            _session.SendControl(new YamuxHeader(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, Id, 0));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await CloseWriteAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            Reset();
        }
        // We will not read any more: forget the stream so late data is dropped by the session.
        _session.Forget(Id);
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _session.Forget(Id);
        }
        base.Dispose(disposing);
    }
}
