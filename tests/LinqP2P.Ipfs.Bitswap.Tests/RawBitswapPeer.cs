using System.Threading.Channels;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Streams;

namespace LinqP2P.Ipfs.Bitswap.Tests;

/// <summary>
/// A libp2p host that speaks Bitswap frames by hand, to play peers our service must survive: one that
/// lies, one that stays silent, one that floods. <see cref="Respond"/> turns each inbound message into an
/// optional reply, sent on a stream of our own as Bitswap does.
/// </summary>
internal sealed class RawBitswapPeer : IAsyncDisposable
{
    private RawBitswapPeer(Libp2pHost host, Multiaddr address)
    {
        Host = host;
        Address = address;
    }

    public Libp2pHost Host { get; }

    public Multiaddr Address { get; }

    public PeerId PeerId => Host.PeerId;

    public Channel<BitswapMessage> Received { get; } = Channel.CreateUnbounded<BitswapMessage>();

    public Func<BitswapMessage, BitswapMessage?>? Respond { get; set; }

    public static async Task<RawBitswapPeer> StartAsync()
    {
        var host = new Libp2pHost(KeyPair.Generate());
        var address = (await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None)).WithPeerId(host.PeerId);
        var peer = new RawBitswapPeer(host, address);
        host.SetHandler(BitswapProtocols.V120, peer.HandleAsync);
        return peer;
    }

    public async Task SendAsync(PeerId to, BitswapMessage message, CancellationToken cancellationToken)
    {
        await using var stream = await Host.NewStreamAsync(to, [BitswapProtocols.V120], cancellationToken);
        await stream.WriteAsync(BitswapCodec.EncodeFrame(message, BitswapVersion.V120), cancellationToken);
        await stream.CloseWriteAsync(cancellationToken);
    }

    /// <summary>Writes raw bytes on a new Bitswap stream, then waits until the remote closes or resets it.</summary>
    public async Task SendRawAsync(PeerId to, byte[] bytes, CancellationToken cancellationToken)
    {
        await using var stream = await Host.NewStreamAsync(to, [BitswapProtocols.V120], cancellationToken);
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.CloseWriteAsync(cancellationToken);
        try
        {
            var buffer = new byte[16];
            while (await stream.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or Core.LinqException or ObjectDisposedException)
        {
        }
    }

    private async Task HandleAsync(P2PStream stream, CancellationToken cancellationToken)
    {
        while (await LengthPrefixed.ReadAsync(stream, 8 << 20, cancellationToken) is { } frame)
        {
            var message = BitswapCodec.Decode(frame);
            Received.Writer.TryWrite(message);
            if (Respond?.Invoke(message) is { } reply && !reply.IsEmpty)
            {
                await SendAsync(stream.RemotePeer, reply, cancellationToken);
            }
        }
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
