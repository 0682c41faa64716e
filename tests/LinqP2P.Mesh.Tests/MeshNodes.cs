using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Streams;

namespace LinqP2P.Mesh.Tests;

/// <summary>A real libp2p host on 127.0.0.1 with its mesh service and authorization table.</summary>
public sealed class MeshNode : IAsyncDisposable
{
    private MeshNode(Libp2pHost host, MeshAuthorizations authorizations, MeshService mesh)
    {
        Host = host;
        Authorizations = authorizations;
        Mesh = mesh;
        Mesh.Refused += (_, e) =>
        {
            lock (Refusals)
            {
                Refusals.Add(e);
            }
        };
    }

    public Libp2pHost Host { get; }

    public PeerId PeerId => Host.PeerId;

    public MeshAuthorizations Authorizations { get; }

    public MeshService Mesh { get; }

    public List<MeshRefusalEventArgs> Refusals { get; } = [];

    public static async Task<MeshNode> StartAsync(MeshOptions? options = null)
    {
        var host = new Libp2pHost(KeyPair.Generate());
        await host.ListenAsync(Multiaddr.Parse("/ip4/127.0.0.1/tcp/0"), CancellationToken.None);
        var authorizations = new MeshAuthorizations();
        return new MeshNode(host, authorizations, new MeshService(host, authorizations, options));
    }

    public Task ConnectAsync(MeshNode other) =>
        Host.DialAsync(other.Host.ListenAddresses[0].WithPeerId(other.PeerId), CancellationToken.None);

    /// <summary>Opens a raw mesh stream to <paramref name="other"/>, sends the header and returns the reply.</summary>
    public async Task<(P2PStream Stream, MeshReply Reply)> OpenRawAsync(MeshNode other, MeshHeader header)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var stream = await Host.NewStreamAsync(other.PeerId, [MeshProtocol.Id], timeout.Token);
        await LengthPrefixed.WriteAsync(stream, header.Encode(), timeout.Token);
        var frame = await LengthPrefixed.ReadAsync(stream, MeshProtocol.MaxFrameLength, timeout.Token);
        Assert.NotNull(frame);
        return (stream, MeshReply.Decode(frame));
    }

    public async ValueTask DisposeAsync()
    {
        await Mesh.DisposeAsync();
        await Host.DisposeAsync();
    }
}
