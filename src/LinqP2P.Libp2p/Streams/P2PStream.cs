using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Streams;

/// <summary>
/// One negotiated stream to a peer (a Yamux stream after multistream-select), usable as an ordinary
/// .NET <see cref="Stream"/>. Reading returns 0 once the remote side closed its write half.
/// <see cref="CloseWriteAsync"/> half-closes (Yamux FIN); <see cref="Reset"/> aborts both directions;
/// disposing closes gracefully. See SPEC.md §5.
/// </summary>
public abstract class P2PStream : Stream
{
    /// <summary>The protocol id agreed by multistream-select, such as <c>/ipfs/ping/1.0.0</c>.</summary>
    public string Protocol { get; internal set; } = "";

    /// <summary>The connection this stream runs on.</summary>
    public abstract IConnection Connection { get; }

    public PeerId RemotePeer => Connection.RemotePeer;

    /// <summary>Ends our write half; the remote reads end-of-stream, we can still read.</summary>
    public abstract Task CloseWriteAsync(CancellationToken cancellationToken = default);

    /// <summary>Aborts the stream in both directions; pending and later reads and writes fail.</summary>
    public abstract void Reset();

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Synchronous I/O would block a thread on the network; this stack is async only.
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("use ReadAsync: libp2p streams are asynchronous");

    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("use WriteAsync: libp2p streams are asynchronous");
}
