using System.Text;
using Docker.DotNet;
using LinqP2P.Execution;

namespace LinqP2P.Execution.Docker;

/// <summary>
/// Reads the attached, multiplexed stdout/stderr of a job, splits it into lines per stream and passes
/// them to the sink as they arrive, under a streamed-bytes cap; keeps the last bytes as the tail.
/// Reading never stops early: a job blocks when nobody drains its pipes.
/// </summary>
internal sealed class LogPump
{
    private readonly IExecutionLogSink _sink;
    private readonly int _maxLine;
    private readonly long _maxStreamed;
    private readonly int _tailBytes;
    private readonly Queue<string> _tail = new();
    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();
    private long _tailSize;
    private long _streamed;
    private bool _capNoticeSent;

    public LogPump(IExecutionLogSink sink, int maxLine, long maxStreamed, int tailBytes)
    {
        _sink = sink;
        _maxLine = maxLine;
        _maxStreamed = maxStreamed;
        _tailBytes = tailBytes;
    }

    /// <summary>Bytes the job wrote to stdout and stderr.</summary>
    public long TotalBytes { get; private set; }

    public string Tail
    {
        get
        {
            lock (_tail)
            {
                var text = string.Join('\n', _tail);
                return text.Length > _tailBytes ? text[^_tailBytes..] : text;
            }
        }
    }

    /// <summary>Reads until the stream ends (the container exited). Exceptions of the sink propagate.</summary>
    public async Task RunAsync(MultiplexedStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
            if (read.EOF || read.Count == 0)
            {
                break;
            }
            TotalBytes += read.Count;
            var which = read.Target == MultiplexedStream.TargetStream.StandardError ? LogStream.Stderr : LogStream.Stdout;
            var pending = which == LogStream.Stderr ? _stderr : _stdout;
            var start = 0;
            for (var i = 0; i < read.Count; i++)
            {
                if (buffer[i] == (byte)'\n')
                {
                    pending.Write(buffer, start, i - start);
                    await EmitAsync(which, pending, cancellationToken);
                    start = i + 1;
                }
                else if (pending.Length + (i - start) >= _maxLine)
                {
                    pending.Write(buffer, start, i - start);
                    await EmitAsync(which, pending, cancellationToken);
                    start = i;
                }
            }
            pending.Write(buffer, start, read.Count - start);
        }
        await EmitAsync(LogStream.Stdout, _stdout, cancellationToken, onlyIfAny: true);
        await EmitAsync(LogStream.Stderr, _stderr, cancellationToken, onlyIfAny: true);
    }

    /// <summary>Adds a line the executor itself reports (for example why the container could not start).</summary>
    public ValueTask AddNoticeAsync(string text, CancellationToken cancellationToken) =>
        ForwardAsync(new LogLine(LogStream.Stderr, text, DateTimeOffset.UtcNow), Encoding.UTF8.GetByteCount(text), cancellationToken);

    private async ValueTask EmitAsync(LogStream which, MemoryStream pending, CancellationToken cancellationToken, bool onlyIfAny = false)
    {
        if (onlyIfAny && pending.Length == 0)
        {
            return;
        }
        var bytes = pending.Length;
        // Invalid UTF-8 becomes U+FFFD: lines are for people; the job's real data goes to outputs.
        var text = Encoding.UTF8.GetString(pending.GetBuffer(), 0, (int)pending.Length);
        pending.SetLength(0);
        await ForwardAsync(new LogLine(which, text, DateTimeOffset.UtcNow), bytes + 1, cancellationToken);
    }

    private async ValueTask ForwardAsync(LogLine line, long bytes, CancellationToken cancellationToken)
    {
        lock (_tail)
        {
            _tail.Enqueue(line.Text);
            _tailSize += line.Text.Length + 1;
            while (_tailSize > _tailBytes && _tail.Count > 1)
            {
                _tailSize -= _tail.Dequeue().Length + 1;
            }
        }
        if (_streamed + bytes <= _maxStreamed)
        {
            _streamed += bytes;
            await SinkAsync(line, cancellationToken);
        }
        else if (!_capNoticeSent)
        {
            _capNoticeSent = true;
            await SinkAsync(
                new LogLine(LogStream.Stderr, $"[linq] log stream capped at {_maxStreamed} bytes; the rest is dropped (the result keeps the tail)", DateTimeOffset.UtcNow),
                cancellationToken);
        }
    }

    private async ValueTask SinkAsync(LogLine line, CancellationToken cancellationToken)
    {
        try
        {
            await _sink.WriteAsync(line, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new LogSinkFault(e);
        }
    }
}

/// <summary>Carries an exception of the caller's log sink out of the run, so it is not taken for a daemon fault.</summary>
internal sealed class LogSinkFault(Exception inner) : Exception("The log sink failed.", inner);
