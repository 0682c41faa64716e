using System.Security.Cryptography;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Protocols;
using LinqP2P.Libp2p.Streams;

namespace LinqP2P.Libp2p.Tests.Host;

public sealed class HostTests : IAsyncLifetime
{
    private static readonly Multiaddr Loopback = Multiaddr.Parse("/ip4/127.0.0.1/tcp/0");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private Libp2pHost _a = null!;
    private Libp2pHost _b = null!;
    private Multiaddr _bAddress = null!;

    public async Task InitializeAsync()
    {
        _a = new Libp2pHost(KeyPair.Generate());
        _b = new Libp2pHost(KeyPair.Generate());
        _bAddress = (await _b.ListenAsync(Loopback, CancellationToken.None)).WithPeerId(_b.PeerId);
        _b.SetHandler(EchoProtocol, EchoAsync);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    internal const string EchoProtocol = "/linq/test-echo/1.0.0";

    internal static async Task EchoAsync(P2PStream stream, CancellationToken cancellationToken)
    {
        await stream.CopyToAsync(stream, 64 * 1024, cancellationToken);
        await stream.CloseWriteAsync(cancellationToken);
    }

    [Fact]
    public async Task Dial_AuthenticatesBothPeers_AndPingMeasuresRtt()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var connection = await _a.DialAsync(_bAddress, cts.Token);
        Assert.Equal(_b.PeerId, connection.RemotePeer);
        var rtts = await _a.Ping.PingAsync(_b.PeerId, 3, cts.Token);
        Assert.Equal(3, rtts.Count);
        Assert.All(rtts, r => Assert.True(r > TimeSpan.Zero && r < TimeSpan.FromSeconds(5)));
        await WaitUntilAsync(() => _b.Connections.Any(c => c.RemotePeer == _a.PeerId), cts.Token);
    }

    [Fact]
    public async Task Identify_RecordsTheRemoteProtocolsAndAgent_InThePeerStore()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var connection = await _a.DialAsync(_bAddress, cts.Token);
        var result = await _a.Identify.IdentifyAsync(connection, cts.Token);
        Assert.Contains(EchoProtocol, result.Protocols);
        Assert.Contains(PingService.ProtocolId, result.Protocols);
        Assert.Equal("linqp2p/0.1.0", result.AgentVersion);
        var record = _a.PeerStore.Get(_b.PeerId)!;
        Assert.Contains(EchoProtocol, record.Protocols);
        Assert.Equal(_b.Identity.PublicKey, record.PublicKey);
    }

    [Fact]
    public async Task IdentifyPush_TellsConnectedPeersAboutANewProtocol()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var connection = await _a.DialAsync(_bAddress, cts.Token);
        await _a.Identify.IdentifyAsync(connection, cts.Token);
        _b.SetHandler("/linq/new/1.0.0", (s, _) => Task.CompletedTask);
        await WaitUntilAsync(() => _a.PeerStore.Get(_b.PeerId)?.Protocols.Contains("/linq/new/1.0.0") == true, cts.Token);
    }

    [Fact]
    public async Task ConcurrentDials_ToTheSamePeer_ShareOneConnection()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var dials = Enumerable.Range(0, 8).Select(_ => _a.DialAsync(_bAddress, cts.Token)).ToList();
        var connections = await Task.WhenAll(dials);
        Assert.Single(connections.Select(c => c.Id).Distinct());
        Assert.Single(_a.Connections);
    }

    [Fact]
    public async Task Dial_WithTheWrongPeerId_FailsTheNoiseCheck()
    {
        using var cts = new CancellationTokenSource(Timeout);
        using var other = KeyPair.Generate();
        var wrong = _bAddress.WithPeerId(other.PeerId);
        var e = await Assert.ThrowsAsync<Libp2pProtocolException>(() => _a.DialAsync(wrong, cts.Token));
        Assert.Equal("p2p.protocol.noise.peer_mismatch", e.Code);
    }

    [Fact]
    public async Task Dial_ToAClosedPort_FailsWithARetryableConnectionError()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var e = await Assert.ThrowsAsync<Libp2pConnectionException>(() => _a.DialAsync(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}"), cts.Token));
        Assert.True(e.Retryable);
    }

    [Fact]
    public async Task Dial_ToAPeerThatNeverAnswers_FailsAfterTheUpgradeTimeout()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
            await using var impatient = new Libp2pHost(KeyPair.Generate(), new HostOptions { UpgradeTimeout = TimeSpan.FromMilliseconds(300) });
            var started = DateTime.UtcNow;
            var e = await Assert.ThrowsAsync<Libp2pConnectionException>(() => impatient.DialAsync(Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}"), cts.Token));
            Assert.Equal("p2p.connection.upgrade_timeout", e.Code);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task NewStream_ForAnUnknownProtocol_ThrowsProtocolNotSupported()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await _a.DialAsync(_bAddress, cts.Token);
        await Assert.ThrowsAsync<ProtocolNotSupportedException>(() => _a.NewStreamAsync(_b.PeerId, ["/nope/1.0.0"], cts.Token));
        // The connection survives a refused stream.
        await _a.Ping.PingAsync(_b.PeerId, cts.Token);
    }

    [Fact]
    public async Task LargeTransfer_ThroughEcho_ArrivesIntact()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await _a.DialAsync(_bAddress, cts.Token);
        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var echoed = await EchoThroughAsync(_a, _b.PeerId, data, cts.Token);
        Assert.True(data.AsSpan().SequenceEqual(echoed));
    }

    [Fact]
    public async Task ManyConcurrentStreams_EachEchoTheirOwnData()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await _a.DialAsync(_bAddress, cts.Token);
        var tasks = Enumerable.Range(0, 32).Select(async i =>
        {
            var data = RandomNumberGenerator.GetBytes(100_000 + i);
            var echoed = await EchoThroughAsync(_a, _b.PeerId, data, cts.Token);
            return data.AsSpan().SequenceEqual(echoed);
        });
        Assert.All(await Task.WhenAll(tasks), Assert.True);
    }

    [Fact]
    public async Task SlowReader_StallsTheWriter_InsteadOfBufferingEverything()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var received = new TaskCompletionSource<P2PStream>();
        var release = new TaskCompletionSource();
        _b.SetHandler("/linq/sink/1.0.0", async (s, ct) =>
        {
            received.TrySetResult(s);
            await release.Task.WaitAsync(ct);
            await s.CopyToAsync(Stream.Null, ct);
        });
        await _a.DialAsync(_bAddress, cts.Token);
        await using var stream = await _a.NewStreamAsync(_b.PeerId, ["/linq/sink/1.0.0"], cts.Token);
        var write = stream.WriteAsync(new byte[4 * 1024 * 1024], cts.Token).AsTask();
        await received.Task.WaitAsync(cts.Token);
        await Task.Delay(500, cts.Token);
        // 4 MiB cannot pass a 256 KiB window while nobody reads.
        Assert.False(write.IsCompleted);
        release.SetResult();
        await write.WaitAsync(cts.Token);
    }

    [Fact]
    public async Task KeepAlivePings_AreAnswered_AndKeepTheConnectionOpen()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fast = new HostOptions { Yamux = new Yamux.YamuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(100) } };
        await using var c = new Libp2pHost(KeyPair.Generate(), fast);
        var connection = (Connection)await c.DialAsync(_bAddress, cts.Token);
        await WaitUntilAsync(() => connection.Session.LastPingRtt is not null, cts.Token);
        await Task.Delay(500, cts.Token);
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public async Task StreamsBeyondTheCap_AreRefused_AndOthersKeepWorking()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await using var capped = new Libp2pHost(KeyPair.Generate(), new HostOptions { Yamux = new Yamux.YamuxOptions { MaxStreams = 4 }, EnableIdentify = false });
        capped.SetHandler(EchoProtocol, EchoAsync);
        var addr = (await capped.ListenAsync(Loopback, cts.Token)).WithPeerId(capped.PeerId);
        await _a.DialAsync(addr, cts.Token);
        var open = new List<P2PStream>();
        for (var i = 0; i < 4; i++)
        {
            open.Add(await _a.NewStreamAsync(capped.PeerId, [EchoProtocol], cts.Token));
        }
        // The fifth SYN is answered with RST by the capped side.
        await Assert.ThrowsAnyAsync<Core.LinqException>(() => _a.NewStreamAsync(capped.PeerId, [EchoProtocol], cts.Token));
        await open[0].DisposeAsync();
        foreach (var s in open.Skip(1))
        {
            await s.WriteAsync(new byte[] { 42 }, cts.Token);
            var b = new byte[1];
            await s.ReadExactlyAsync(b, cts.Token);
            Assert.Equal(42, b[0]);
            await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task Disconnect_RaisesEvents_AndKeepConnectedRedials()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var fast = new HostOptions { Limits = new ConnectionLimits { ReconnectInitialBackoff = TimeSpan.FromMilliseconds(50), ReconnectMaxBackoff = TimeSpan.FromMilliseconds(200) } };
        await using var c = new Libp2pHost(KeyPair.Generate(), fast);
        var disconnected = new TaskCompletionSource();
        c.Disconnected += (_, _) => disconnected.TrySetResult();
        var first = await c.DialAsync(_bAddress, cts.Token);
        c.KeepConnected(_b.PeerId);
        await first.CloseAsync();
        await disconnected.Task.WaitAsync(cts.Token);
        await WaitUntilAsync(() => c.Connections.Any(x => x.RemotePeer == _b.PeerId && x.Id != first.Id), cts.Token);
    }

    internal static async Task<byte[]> EchoThroughAsync(IHost host, PeerId peer, byte[] data, CancellationToken cancellationToken)
    {
        await using var stream = await host.NewStreamAsync(peer, [EchoProtocol], cancellationToken);
        var writer = Task.Run(async () =>
        {
            await stream.WriteAsync(data, cancellationToken);
            await stream.CloseWriteAsync(cancellationToken);
        }, cancellationToken);
        using var result = new MemoryStream();
        await stream.CopyToAsync(result, cancellationToken);
        await writer;
        return result.ToArray();
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
