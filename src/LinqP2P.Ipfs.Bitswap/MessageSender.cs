using System.Threading.Channels;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Streams;
using Microsoft.Extensions.Logging;

namespace LinqP2P.Ipfs.Bitswap;

/// <summary>
/// Our side of the conversation with one peer: a bounded queue of messages written, in order, on one
/// long-lived outbound stream (as boxo does). The stream is opened on demand, closed when idle (Helia
/// resets idle inbound streams) and reopened once when a write fails.
/// </summary>
internal sealed class MessageSender : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly PeerId _peer;
    private readonly PeerLedger _ledger;
    private readonly BitswapOptions _options;
    private readonly ILogger _logger;
    private readonly Action<PeerId, Exception> _onFailed;
    private readonly Channel<BitswapMessage> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private P2PStream? _stream;
    private BitswapVersion _version;

    public MessageSender(IHost host, PeerId peer, PeerLedger ledger, BitswapOptions options, ILogger logger, Action<PeerId, Exception> onFailed)
    {
        _host = host;
        _peer = peer;
        _ledger = ledger;
        _options = options;
        _logger = logger;
        _onFailed = onFailed;
        _queue = Channel.CreateBounded<BitswapMessage>(new BoundedChannelOptions(options.SendQueueLength)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a message, waiting while the queue is full.</summary>
    public ValueTask EnqueueAsync(BitswapMessage message, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(message, cancellationToken);

    /// <summary>Drops the current stream (the connection went away); the next message opens a new one.</summary>
    public void ResetStream()
    {
        var s = Interlocked.Exchange(ref _stream, null);
        s?.Reset();
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (_queue.Reader.TryRead(out var message))
                {
                    await SendAsync(message, token);
                    continue;
                }
                if (_stream is null)
                {
                    if (!await _queue.Reader.WaitToReadAsync(token))
                    {
                        return;
                    }
                    continue;
                }
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(token);
                idle.CancelAfter(_options.IdleStreamTimeout);
                try
                {
                    if (!await _queue.Reader.WaitToReadAsync(idle.Token))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    await CloseStreamAsync();
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        finally
        {
            await CloseStreamAsync();
        }
    }

    private async Task SendAsync(BitswapMessage message, CancellationToken token)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(_options.SendTimeout);
            try
            {
                var stream = _stream;
                if (stream is null)
                {
                    stream = await _host.NewStreamAsync(_peer, _options.OutboundProtocols, timeout.Token);
                    _version = BitswapProtocols.VersionOf(stream.Protocol);
                    _stream = stream;
                }
                var frame = BitswapCodec.EncodeFrame(message, _version);
                await stream.WriteAsync(frame, timeout.Token);
                long blockBytes = 0;
                foreach (var b in message.Blocks)
                {
                    blockBytes += b.Data.Length;
                }
                _ledger.Sent(message.Blocks.Count, blockBytes);
                return;
            }
            catch (Exception e) when (!token.IsCancellationRequested && e is not OutOfMemoryException)
            {
                ResetStream();
                if (attempt >= 1)
                {
                    Log.SendFailed(_logger, _peer, e.Message);
                    _onFailed(_peer, e);
                    return;
                }
            }
        }
    }

    private async Task CloseStreamAsync()
    {
        var s = Interlocked.Exchange(ref _stream, null);
        if (s is null)
        {
            return;
        }
        try
        {
            await s.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or Core.LinqException)
        {
            s.Reset();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
