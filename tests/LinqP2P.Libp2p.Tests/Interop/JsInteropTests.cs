using System.Security.Cryptography;
using System.Text.Json;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Protocols;
using LinqP2P.Libp2p.Tests.Host;

namespace LinqP2P.Libp2p.Tests.Interop;

/// <summary>Our host against real js-libp2p 3.3.11 (Noise 17, Yamux 8), in both directions.</summary>
[Trait("Category", "Interop")]
public sealed class JsInteropTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private JsLibp2pPeer _js = null!;
    private Libp2pHost _host = null!;
    private Multiaddr _address = null!;
    private DirectoryInfo _storeDir = null!;

    public async Task InitializeAsync()
    {
        _js = await JsLibp2pPeer.StartAsync();
        _storeDir = Directory.CreateTempSubdirectory("linq-peerstore");
        // A file-backed peer store, as `linq node` uses.
        _host = new Libp2pHost(KeyPair.Generate(), new HostOptions { PeerStorePath = Path.Combine(_storeDir.FullName, "peers.db") });
        _host.SetHandler(HostTests.EchoProtocol, HostTests.EchoAsync);
        _address = (await _host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None)).WithPeerId(_host.PeerId);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _js.DisposeAsync();
        _storeDir.Delete(recursive: true);
    }

    private PeerId JsPeerId => PeerId.Parse(_js.PeerId);

    [Fact]
    public async Task CSharpDialsJs_NoiseYamuxIdentifyAndPingWork()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var identified = new TaskCompletionSource<PeerIdentifiedEventArgs>();
        _host.PeerIdentified += (_, e) => identified.TrySetResult(e);

        var connection = await _host.DialAsync(Multiaddr.Parse(_js.Address), cts.Token);
        Assert.Equal(JsPeerId, connection.RemotePeer);

        // Our identify of js: its protocols and agent.
        var us = await identified.Task.WaitAsync(cts.Token);
        Assert.Contains(IdentifyService.ProtocolId, us.Protocols);
        Assert.Contains(PingService.ProtocolId, us.Protocols);
        Assert.Contains(HostTests.EchoProtocol, us.Protocols);
        Assert.StartsWith("js-libp2p/", us.AgentVersion, StringComparison.Ordinal);

        // js's identify of us.
        var js = await _js.WaitForEventAsync("identify", l => l.GetProperty("peer").GetString() == _host.PeerId.ToString(), Timeout);
        Assert.Equal("linqp2p/0.1.0", js.GetProperty("agent").GetString());
        var jsProtocols = js.GetProperty("protocols").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.Contains(PingService.ProtocolId, jsProtocols);
        Assert.Contains(HostTests.EchoProtocol, jsProtocols);

        var connections = await _js.CommandAsync("connections");
        var jsView = connections.GetProperty("connections").EnumerateArray().Single();
        Assert.Equal("/noise", jsView.GetProperty("encryption").GetString());
        Assert.Equal("/yamux/1.0.0", jsView.GetProperty("multiplexer").GetString());

        var rtts = await _host.Ping.PingAsync(JsPeerId, 5, cts.Token);
        Assert.All(rtts, r => Assert.InRange(r, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task JsDialsCSharp_IdentifyAndPingWorkBothWays()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var dial = await _js.CommandAsync("dial", new { addr = _address.ToString() });
        Assert.Equal(_host.PeerId.ToString(), dial.GetProperty("peer").GetString());
        Assert.Equal("/noise", dial.GetProperty("encryption").GetString());
        Assert.Equal("/yamux/1.0.0", dial.GetProperty("multiplexer").GetString());

        var js = await _js.WaitForEventAsync("identify", l => l.GetProperty("peer").GetString() == _host.PeerId.ToString(), Timeout);
        Assert.Equal("linqp2p/0.1.0", js.GetProperty("agent").GetString());

        var ping = await _js.CommandAsync("ping", new { addr = _address.ToString(), count = 5 });
        Assert.Equal(5, ping.GetProperty("rtts").GetArrayLength());

        await HostTests.WaitUntilAsync(() => _host.PeerStore.Get(JsPeerId)?.AgentVersion is not null, cts.Token);
        Assert.StartsWith("js-libp2p/", _host.PeerStore.Get(JsPeerId)!.AgentVersion, StringComparison.Ordinal);
        var rtt = await _host.Ping.PingAsync(JsPeerId, cts.Token);
        Assert.True(rtt < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task JsEchoesEightMegabytes_ThroughOurYamuxFlowControl()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await _host.DialAsync(Multiaddr.Parse(_js.Address), cts.Token);
        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var echoed = await HostTests.EchoThroughAsync(_host, JsPeerId, data, cts.Token);
        Assert.Equal(data.Length, echoed.Length);
        Assert.True(data.AsSpan().SequenceEqual(echoed));
    }

    [Fact]
    public async Task JsPingsRightAfterDialing_WhileIdentifyIsStillRunning()
    {
        Exception? reason = null;
        _host.Disconnected += (_, e) => reason ??= e.CloseReason ?? new InvalidOperationException("closed without a fault");
        for (var i = 0; i < 3; i++)
        {
            await _js.CommandAsync("dial", new { addr = _address.ToString() });
            var ping = await _js.CommandAsync("ping", new { addr = _address.ToString(), count = 2 });
            Assert.Equal(2, ping.GetProperty("rtts").GetArrayLength());
            await _js.CommandAsync("hangup", new { peer = _host.PeerId.ToString() });
        }
        Assert.True(reason is null or InvalidOperationException, reason?.ToString());
    }

    [Fact]
    public async Task WeEchoEightMegabytesForJs_AndConcurrentStreamsStayApart()
    {
        var big = await _js.CommandAsync("echo", new { addr = _address.ToString(), size = 8 * 1024 * 1024 }, Timeout);
        Assert.True(big.GetProperty("intact").GetBoolean(), big.ToString());
        var many = await _js.CommandAsync("echoMany", new { addr = _address.ToString(), streams = 16, size = 200_000 }, Timeout);
        Assert.True(many.GetProperty("intact").GetBoolean(), many.ToString());
        Assert.Equal(16, many.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task ConcurrentStreamsToJs_EachEchoTheirOwnData()
    {
        using var cts = new CancellationTokenSource(Timeout);
        await _host.DialAsync(Multiaddr.Parse(_js.Address), cts.Token);
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            var data = RandomNumberGenerator.GetBytes(150_000 + i);
            var echoed = await HostTests.EchoThroughAsync(_host, JsPeerId, data, cts.Token);
            return data.AsSpan().SequenceEqual(echoed);
        }));
        Assert.All(results, Assert.True);
    }

    [Fact]
    public async Task JsHangUp_RaisesDisconnected()
    {
        using var cts = new CancellationTokenSource(Timeout);
        var gone = new TaskCompletionSource();
        _host.Disconnected += (_, e) => gone.TrySetResult();
        await _host.DialAsync(Multiaddr.Parse(_js.Address), cts.Token);
        await _js.CommandAsync("hangup", new { peer = _host.PeerId.ToString() });
        await gone.Task.WaitAsync(cts.Token);
        Assert.Empty(_host.Connections);
    }

}
