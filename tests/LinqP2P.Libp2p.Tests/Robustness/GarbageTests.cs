using System.Net.Sockets;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Multistream;
using LinqP2P.Libp2p.Noise;
using LinqP2P.Libp2p.Protocols;
using LinqP2P.Libp2p.Yamux;

namespace LinqP2P.Libp2p.Tests.Robustness;

/// <summary>
/// A raw TCP client climbs the stack with our own codecs and then sends garbage at one layer. The host
/// must drop only that connection (or stream) and keep serving everyone else.
/// </summary>
public sealed class GarbageTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private Libp2pHost _host = null!;
    private Multiaddr _address = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _host = new Libp2pHost(KeyPair.Generate());
        _address = await _host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        _address.TryGetTcpEndpoint(out _, out _port, out _);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<NetworkStream> ConnectRawAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _port);
        return client.GetStream();
    }

    /// <summary>Reads until the host closes the connection; fails if it stays open.</summary>
    private static async Task AssertClosedByHostAsync(Stream stream)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // Reset by the host: closed as well.
        }
        catch (Libp2pConnectionException)
        {
        }
        catch (Libp2pProtocolException)
        {
        }
    }

    private async Task AssertHostStillServesAsync()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var other = new Libp2pHost(KeyPair.Generate());
        await other.DialAsync(_address.WithPeerId(_host.PeerId), cts.Token);
        await other.Ping.PingAsync(_host.PeerId, cts.Token);
    }

    [Theory]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff })] // overlong varint
    [InlineData(new byte[] { 0x80, 0x80, 0x04 })] // 64 KiB + : oversized message
    [InlineData(new byte[] { 0x03, (byte)'a', (byte)'b', (byte)'c' })] // no newline
    [InlineData(new byte[] { 0x13, (byte)'/', (byte)'m', (byte)'u', (byte)'l', (byte)'t', (byte)'i', (byte)'s', (byte)'t', (byte)'r', (byte)'e', (byte)'a', (byte)'m', (byte)'/', (byte)'9', (byte)'.', (byte)'0', (byte)'.', (byte)'0', (byte)'\n' })] // wrong header
    public async Task GarbageInsteadOfMultistream_ClosesOnlyThatConnection(byte[] garbage)
    {
        await using var raw = await ConnectRawAsync();
        await raw.WriteAsync(garbage);
        await AssertClosedByHostAsync(raw);
        await AssertHostStillServesAsync();
    }

    [Fact]
    public async Task TruncatedInput_ThenSilence_IsCutOffByTheUpgradeTimeout()
    {
        await using var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { UpgradeTimeout = TimeSpan.FromMilliseconds(500) });
        var addr = await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        addr.TryGetTcpEndpoint(out _, out var port, out _);
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var raw = client.GetStream();
        await raw.WriteAsync(new byte[] { 0x13, (byte)'/' });
        await AssertClosedByHostAsync(raw);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0x05, 1, 2, 3, 4, 5 })] // first message shorter than an ephemeral key
    [InlineData(new byte[] { 0x00, 0x20 })] // announces 32 bytes, sends none, then closes
    public async Task GarbageNoiseHandshake_ClosesOnlyThatConnection(byte[] garbage)
    {
        await using var raw = await ConnectRawAsync();
        using var cts = new CancellationTokenSource(Timeout);
        await MultistreamSelect.SelectAsync(raw, [NoiseHandshake.ProtocolId], cts.Token);
        await raw.WriteAsync(garbage, cts.Token);
        raw.Socket.Shutdown(SocketShutdown.Send);
        await AssertClosedByHostAsync(raw);
        await AssertHostStillServesAsync();
    }

    [Fact]
    public async Task ForgedNoiseTransportFrame_ClosesOnlyThatConnection()
    {
        await using var raw = await ConnectRawAsync();
        using var cts = new CancellationTokenSource(Timeout);
        using var identity = KeyPair.Generate();
        await MultistreamSelect.SelectAsync(raw, [NoiseHandshake.ProtocolId], cts.Token);
        var secured = await NoiseHandshake.InitiateAsync(raw, identity, _host.PeerId, cts.Token);
        // A transport message whose tag cannot verify.
        var forged = new byte[2 + 40];
        forged[1] = 40;
        await raw.WriteAsync(forged, cts.Token);
        await AssertClosedByHostAsync(secured.Stream);
        await AssertHostStillServesAsync();
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 })] // Yamux version 1
    [InlineData(new byte[] { 0, 9, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 })] // unknown frame type
    [InlineData(new byte[] { 0, 0, 0, 1, 0, 0, 0, 1, 0, 0x10, 0, 0 })] // SYN with 1 MiB of data: beyond the window
    [InlineData(new byte[] { 0, 1, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0 })] // opens an even (listener-side) stream id
    [InlineData(new byte[] { 0, 2, 0, 1, 0, 0, 0, 7, 0, 0, 0, 0 })] // ping on a stream id
    public async Task GarbageYamuxFrame_ClosesOnlyThatConnection(byte[] frame)
    {
        await using var raw = await ConnectRawAsync();
        using var cts = new CancellationTokenSource(Timeout);
        using var identity = KeyPair.Generate();
        await MultistreamSelect.SelectAsync(raw, [NoiseHandshake.ProtocolId], cts.Token);
        var secured = await NoiseHandshake.InitiateAsync(raw, identity, _host.PeerId, cts.Token);
        await MultistreamSelect.SelectAsync(secured.Stream, [YamuxSession.ProtocolId], cts.Token);
        await secured.Stream.WriteAsync(frame, cts.Token);
        await AssertClosedByHostAsync(secured.Stream);
        await AssertHostStillServesAsync();
    }

    [Fact]
    public async Task GarbageOnOneStream_ResetsThatStream_AndTheConnectionKeepsWorking()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var peer = new Libp2pHost(KeyPair.Generate(), new HostOptions { EnableIdentify = false });
        var connection = await peer.DialAsync(_address.WithPeerId(_host.PeerId), cts.Token);
        var session = ((Connection)connection).Session;
        await using (var bad = await session.OpenStreamAsync(cts.Token))
        {
            await bad.WriteAsync(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, cts.Token);
            var buffer = new byte[256];
            // The host must give up on this stream (reset it): reading ends instead of hanging.
            var e = await Assert.ThrowsAsync<Libp2pConnectionException>(async () =>
            {
                while (await bad.ReadAsync(buffer, cts.Token) > 0)
                {
                }
            });
            Assert.Equal("p2p.connection.stream_reset", e.Code);
        }
        await peer.Ping.PingAsync(_host.PeerId, cts.Token);
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public async Task MalformedIdentifyAnswer_FailsIdentify_ButNotTheConnection()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var liar = new Libp2pHost(KeyPair.Generate(), new HostOptions { EnableIdentify = false, EnablePing = true });
        liar.SetHandler(IdentifyService.ProtocolId, async (s, ct) =>
        {
            // Length 5, then a protobuf field whose length runs past the end.
            await s.WriteAsync(new byte[] { 0x05, 0x0a, 0x7f, 0x01, 0x02, 0x03 }, ct);
        });
        var liarAddr = await liar.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), cts.Token);
        var connection = await _host.DialAsync(liarAddr.WithPeerId(liar.PeerId), cts.Token);
        var e = await Assert.ThrowsAsync<Libp2pProtocolException>(() => _host.Identify.IdentifyAsync(connection, cts.Token));
        Assert.Equal("p2p.protocol.identify.protobuf", e.Code);
        await _host.Ping.PingAsync(liar.PeerId, cts.Token);
    }

    [Fact]
    public async Task IdentifyWithSomeoneElsesKey_IsRejected()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var liar = new Libp2pHost(KeyPair.Generate(), new HostOptions { EnableIdentify = false });
        using var other = KeyPair.Generate();
        liar.SetHandler(IdentifyService.ProtocolId, async (s, ct) =>
        {
            var message = new Protocols.Pb.Identify { PublicKey = Google.Protobuf.ByteString.CopyFrom(other.PublicKey.ToProtobuf()) };
            await Streams.LengthPrefixed.WriteAsync(s, Google.Protobuf.MessageExtensions.ToByteArray(message), ct);
        });
        var liarAddr = await liar.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), cts.Token);
        var connection = await _host.DialAsync(liarAddr.WithPeerId(liar.PeerId), cts.Token);
        var e = await Assert.ThrowsAsync<Libp2pProtocolException>(() => _host.Identify.IdentifyAsync(connection, cts.Token));
        Assert.Equal("p2p.protocol.identify.key", e.Code);
    }

    [Fact]
    public async Task InboundConnectionsBeyondTheRateLimit_AreRefused()
    {
        await using var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { Limits = new ConnectionLimits { MaxInboundPerSecond = 2 } });
        var addr = await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        addr.TryGetTcpEndpoint(out _, out var port, out _);
        var clients = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 6; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync("127.0.0.1", port);
                clients.Add(c);
            }
            using var cts = new CancellationTokenSource(Timeout);
            while (host.ConnectionManager.RefusedInbound < 4)
            {
                await Task.Delay(20, cts.Token);
            }
            Assert.Equal(4, host.ConnectionManager.RefusedInbound);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}
