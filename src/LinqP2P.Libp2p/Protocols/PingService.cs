using System.Diagnostics;
using System.Security.Cryptography;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Streams;

namespace LinqP2P.Libp2p.Protocols;

/// <summary>
/// /ipfs/ping/1.0.0 (specs/ping/ping.md): the dialer sends 32 random bytes, the listener echoes them, as
/// often as the dialer likes on one stream. Measures round-trip time.
/// </summary>
public sealed class PingService
{
    public const string ProtocolId = "/ipfs/ping/1.0.0";
    public const int PayloadSize = 32;

    private readonly IHost _host;

    internal PingService(IHost host) => _host = host;

    internal void Register() => _host.SetHandler(ProtocolId, HandleAsync);

    /// <summary>Sends <paramref name="count"/> pings on one stream and returns each round-trip time.</summary>
    public async Task<IReadOnlyList<TimeSpan>> PingAsync(PeerId peer, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        await using var stream = await _host.NewStreamAsync(peer, [ProtocolId], cancellationToken);
        var rtts = new List<TimeSpan>(count);
        var payload = new byte[PayloadSize];
        var echo = new byte[PayloadSize];
        for (var i = 0; i < count; i++)
        {
            RandomNumberGenerator.Fill(payload);
            var start = Stopwatch.GetTimestamp();
            await stream.WriteAsync(payload, cancellationToken);
            await LengthPrefixed.ReadExactlyAsync(stream, echo, cancellationToken);
            rtts.Add(Stopwatch.GetElapsedTime(start));
            if (!echo.AsSpan().SequenceEqual(payload))
            {
                throw new Libp2pProtocolException("ping.mismatch", $"{peer} answered a ping with other bytes");
            }
        }
        return rtts;
    }

    public async Task<TimeSpan> PingAsync(PeerId peer, CancellationToken cancellationToken) =>
        (await PingAsync(peer, 1, cancellationToken))[0];

    private static async Task HandleAsync(P2PStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[PayloadSize];
        while (true)
        {
            var read = 0;
            while (read < PayloadSize)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
                if (n == 0)
                {
                    return;
                }
                read += n;
            }
            await stream.WriteAsync(buffer, cancellationToken);
        }
    }
}
