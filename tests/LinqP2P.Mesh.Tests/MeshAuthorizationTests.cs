using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Streams;

namespace LinqP2P.Mesh.Tests;

/// <summary>The receiving side's checks over real libp2p connections, before any container is involved.</summary>
public sealed class MeshAuthorizationTests : IAsyncLifetime
{
    private MeshNode _a = null!;
    private MeshNode _b = null!;
    private MeshNode _stranger = null!;

    public async Task InitializeAsync()
    {
        _a = await MeshNode.StartAsync();
        _b = await MeshNode.StartAsync(new MeshOptions { TargetConnectTimeout = TimeSpan.FromMilliseconds(300) });
        _stranger = await MeshNode.StartAsync();
        await _a.ConnectAsync(_b);
        await _stranger.ConnectAsync(_b);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _stranger.DisposeAsync();
    }

    [Fact]
    public async Task PeerNotAwardedTheJob_IsRefusedAndTheRefusalIsReported()
    {
        _b.Authorizations.Allow("job-1", _a.PeerId, 0);
        _b.Authorizations.Allow("job-1", _b.PeerId, 1);

        var (stream, reply) = await _stranger.OpenRawAsync(_b, new MeshHeader("job-1", 0, 1, 7001));

        Assert.Equal(MeshStatus.NotAuthorized, reply.Status);
        Assert.Contains(_stranger.PeerId.ToString(), reply.Reason, StringComparison.Ordinal);
        Assert.Null(await LengthPrefixed.ReadAsync(stream, 16, CancellationToken.None)); // closed after the refusal
        var refusal = Assert.Single(_b.Refusals);
        Assert.True(refusal.Inbound);
        Assert.Equal(_stranger.PeerId, refusal.Peer);
        Assert.Equal(1, _b.Mesh.Stats("job-1").LinksRefused);
    }

    [Fact]
    public async Task PeerAwardedAnotherShardOrAnotherJob_IsRefused()
    {
        _b.Authorizations.Allow("job-1", _a.PeerId, 0);
        _b.Authorizations.Allow("job-2", _stranger.PeerId, 0);

        // A claims shard 2, which is not its own; the stranger claims job-1 with its job-2 award.
        Assert.Equal(MeshStatus.NotAuthorized, (await _a.OpenRawAsync(_b, new MeshHeader("job-1", 2, 1, 7001))).Reply.Status);
        Assert.Equal(MeshStatus.NotAuthorized, (await _stranger.OpenRawAsync(_b, new MeshHeader("job-1", 0, 1, 7001))).Reply.Status);
        Assert.Equal(MeshStatus.NotAuthorized, (await _a.OpenRawAsync(_b, new MeshHeader("job-3", 0, 1, 7001))).Reply.Status);
    }

    [Fact]
    public async Task AuthorizedPeer_ForAShardNotRunningHere_GetsUnknownTarget()
    {
        _b.Authorizations.Allow("job-1", _a.PeerId, 0);

        var (_, reply) = await _a.OpenRawAsync(_b, new MeshHeader("job-1", 0, 1, 7001));

        Assert.Equal(MeshStatus.UnknownTarget, reply.Status);
    }

    [Fact]
    public async Task RevokedJob_IsRefused()
    {
        _b.Authorizations.Allow("job-1", _a.PeerId, 0);
        Assert.True(_b.Authorizations.Revoke("job-1"));
        Assert.False(_b.Authorizations.Revoke("job-1"));

        Assert.Equal(MeshStatus.NotAuthorized, (await _a.OpenRawAsync(_b, new MeshHeader("job-1", 0, 1, 7001))).Reply.Status);
    }

    [Fact]
    public async Task MalformedHeader_GetsBadHeader()
    {
        var stream = await _a.Host.NewStreamAsync(_b.PeerId, [MeshProtocol.Id], CancellationToken.None);
        await LengthPrefixed.WriteAsync(stream, new byte[] { 9, 1, (byte)'a', 0, 0, 0, 1, 0x1b, 0x59 }, CancellationToken.None);

        var reply = MeshReply.Decode((await LengthPrefixed.ReadAsync(stream, MeshProtocol.MaxFrameLength, CancellationToken.None))!);

        Assert.Equal(MeshStatus.BadHeader, reply.Status);
        Assert.Contains("version", reply.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Authorizations_AShardNamedAgainMovesToTheNewPeer()
    {
        var table = new MeshAuthorizations();
        var first = KeyPair.Generate().PeerId;
        var second = KeyPair.Generate().PeerId;
        table.Allow("j", first, 0, 1);
        table.Allow("j", second, 1);

        Assert.True(table.IsAllowed("j", first, 0));
        Assert.False(table.IsAllowed("j", first, 1));
        Assert.Equal(second, table.PeerOf("j", 1));
        Assert.Null(table.PeerOf("j", 2));
        Assert.Throws<ArgumentException>(() => table.Allow("bad id", first, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Allow("j", first, MeshHeader.MaxShards));
    }
}
