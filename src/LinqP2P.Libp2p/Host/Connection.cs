using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Multistream;
using LinqP2P.Libp2p.Streams;
using LinqP2P.Libp2p.Yamux;

namespace LinqP2P.Libp2p.Host;

/// <summary>A TCP + Noise + Yamux connection to an authenticated peer.</summary>
internal sealed class Connection : IConnection
{
    private static long s_nextId;
    private readonly TimeSpan _negotiationTimeout;

    public Connection(YamuxSession session, PeerId remotePeer, PublicKey remoteKey, Multiaddr local, Multiaddr remote, Direction direction, TimeSpan negotiationTimeout)
    {
        Session = session;
        RemotePeer = remotePeer;
        RemotePublicKey = remoteKey;
        LocalAddress = local;
        RemoteAddress = remote;
        Direction = direction;
        _negotiationTimeout = negotiationTimeout;
        Id = "c" + Interlocked.Increment(ref s_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public YamuxSession Session { get; }

    public string Id { get; }

    public PeerId RemotePeer { get; }

    public PublicKey RemotePublicKey { get; }

    public Multiaddr LocalAddress { get; }

    public Multiaddr RemoteAddress { get; }

    public Direction Direction { get; }

    public DateTimeOffset OpenedAt { get; } = DateTimeOffset.UtcNow;

    public bool IsClosed => Session.IsClosed;

    public int StreamCount => Session.StreamCount;

    public Task Completion => Session.Completion;

    public async Task<P2PStream> OpenStreamAsync(IReadOnlyList<string> protocols, CancellationToken cancellationToken)
    {
        var stream = await Session.OpenStreamAsync(cancellationToken);
        stream.Attach(this);
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(_negotiationTimeout);
            stream.Protocol = await MultistreamSelect.SelectAsync(stream, protocols, cts.Token);
            return stream;
        }
        catch
        {
            stream.Reset();
            throw;
        }
    }

    public Task CloseAsync() => Session.CloseAsync();

    public override string ToString() => $"{Id} {Direction} {RemotePeer} {RemoteAddress}";
}
