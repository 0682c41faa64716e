using System.Buffers;
using System.Net.Sockets;
using LinqP2P.Libp2p.Streams;

namespace LinqP2P.Mesh;

/// <summary>One side of a relayed link: a byte stream that can be half-closed and aborted.</summary>
internal abstract class RelayEnd : IAsyncDisposable
{
    public abstract Stream Stream { get; }

    /// <summary>Forwards end-of-stream (TCP FIN / Yamux FIN).</summary>
    public abstract Task CloseWriteAsync();

    /// <summary>Tears the link down hard (TCP RST / Yamux RST).</summary>
    public abstract void Abort();

    public abstract ValueTask DisposeAsync();

    public static RelayEnd Of(Socket socket) => new SocketEnd(socket);

    public static RelayEnd Of(P2PStream stream) => new StreamEnd(stream);

    private sealed class SocketEnd(Socket socket) : RelayEnd
    {
        private readonly NetworkStream _stream = new(socket, ownsSocket: true);

        public override Stream Stream => _stream;

        public override Task CloseWriteAsync()
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
            return Task.CompletedTask;
        }

        public override void Abort()
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
            socket.Dispose();
        }

        public override ValueTask DisposeAsync() => _stream.DisposeAsync();
    }

    private sealed class StreamEnd(P2PStream stream) : RelayEnd
    {
        public override Stream Stream => stream;

        public override Task CloseWriteAsync() => stream.CloseWriteAsync();

        public override void Abort() => stream.Reset();

        public override ValueTask DisposeAsync() => stream.DisposeAsync();
    }
}

/// <summary>
/// Copies bytes both ways between a container socket and its peer (a mesh stream, or another container's
/// socket). One buffer per direction, each write awaited before the next read: memory is bounded and a
/// slow reader slows the writer (TCP and Yamux windows carry the back-pressure). A half-close is
/// forwarded as a half-close; any error, <see cref="Abort"/> or the idle timeout resets both sides.
/// </summary>
internal sealed class Relay
{
    private readonly RelayEnd _local;
    private readonly RelayEnd _remote;
    private readonly int _bufferBytes;
    private readonly MeshJobCounters _counters;
    private readonly CancellationTokenSource _abort = new();
    private long _lastActivity = Environment.TickCount64;

    public Relay(string jobId, RelayEnd local, RelayEnd remote, int bufferBytes, MeshJobCounters counters)
    {
        JobId = jobId;
        _local = local;
        _remote = remote;
        _bufferBytes = bufferBytes;
        _counters = counters;
    }

    public string JobId { get; }

    /// <summary>Milliseconds since a byte last moved either way.</summary>
    public long IdleMilliseconds => Environment.TickCount64 - Interlocked.Read(ref _lastActivity);

    public string? AbortReason { get; private set; }

    /// <summary>Relays until both directions ended or the link was aborted; never throws.</summary>
    public async Task RunAsync()
    {
        try
        {
            var up = GuardedPumpAsync(_local, _remote, toPeers: true);
            var down = GuardedPumpAsync(_remote, _local, toPeers: false);
            await Task.WhenAll(up, down);
        }
        catch (Exception e)
        {
            Abort(AbortReason ?? e.Message);
        }
        finally
        {
            await Quietly(_local);
            await Quietly(_remote);
            _abort.Dispose();
        }
    }

    /// <summary>Resets both sides; pending reads and writes end at once.</summary>
    public void Abort(string reason)
    {
        lock (_abort)
        {
            if (AbortReason is not null)
            {
                return;
            }
            AbortReason = reason;
        }
        _local.Abort();
        _remote.Abort();
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>A failed direction (a reset from either side) resets the whole link, so the other direction ends too.</summary>
    private async Task GuardedPumpAsync(RelayEnd from, RelayEnd to, bool toPeers)
    {
        try
        {
            await PumpAsync(from, to, toPeers);
        }
        catch (Exception e)
        {
            Abort(AbortReason ?? (toPeers ? "the container side failed: " : "the peer side failed: ") + e.Message);
        }
    }

    private async Task PumpAsync(RelayEnd from, RelayEnd to, bool toPeers)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_bufferBytes);
        try
        {
            var token = _abort.Token;
            while (true)
            {
                var n = await from.Stream.ReadAsync(buffer.AsMemory(0, _bufferBytes), token);
                if (n == 0)
                {
                    await to.CloseWriteAsync();
                    return;
                }
                Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);
                await to.Stream.WriteAsync(buffer.AsMemory(0, n), token);
                _counters.Add(toPeers, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task Quietly(RelayEnd end)
    {
        try
        {
            await end.DisposeAsync();
        }
        catch
        {
            // The link is over; a failed close changes nothing.
        }
    }
}
