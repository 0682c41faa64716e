using System.Net;
using System.Net.Sockets;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Ipfs.Http.Kubo;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Multiformats;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LinqP2P.Ipfs.Http.Tests;

/// <summary>
/// The Kubo backend against our own Kubo RPC server on loopback (no Kubo binary can be installed here).
/// </summary>
public sealed class KuboBlockStoreTests
{
    private static KuboBlockStore StoreOn(TestNode node) => new(new KuboBackendOptions { ApiAddress = node.Server.Address });

    [Fact]
    public async Task Blocks_RoundTripForEveryCidShape()
    {
        await using var node = await TestNode.StartAsync();
        using var kubo = StoreOn(node);
        var raw = Block.Create(Bytes.Random(5000, 1), Multicodec.Raw, 1);
        var pb = Block.Create(LinqP2P.Ipfs.DagPb.DagPbCodec.Encode(new LinqP2P.Ipfs.DagPb.PbNode([], new byte[] { 8, 1 })), Multicodec.DagPb, 0);
        var pbV1 = Block.Create(pb.Data, Multicodec.DagPb, 1);
        foreach (var block in new[] { raw, pb, pbV1 })
        {
            await kubo.PutAsync(block);
            Assert.True(await kubo.HasAsync(block.Cid));
            Assert.Equal(block.Data.ToArray(), await kubo.TryGetAsync(block.Cid));
            Assert.True(await node.Repo.Blocks.HasAsync(block.Cid));
        }
        var listed = await kubo.ListAsync().ToListAsync();
        Assert.Contains(Cid.V1(Multicodec.Raw, raw.Cid.Hash), listed);
        Assert.Contains(Cid.V1(Multicodec.Raw, pb.Cid.Hash), listed);
        Assert.True(await kubo.DeleteAsync(raw.Cid));
        Assert.False(await kubo.HasAsync(raw.Cid));
        Assert.Null(await kubo.TryGetAsync(raw.Cid));
    }

    [Fact]
    public async Task ImportAndExport_ThroughKubo_GiveTheEmbeddedCids()
    {
        await using var node = await TestNode.StartAsync();
        using var kubo = StoreOn(node);
        var content = Bytes.Random(2_300_000, 9);
        var viaKubo = await new UnixFsImporter(kubo, ImportProfile.UnixFsV0_2015).ImportBytesAsync(content);
        var embedded = await new UnixFsImporter(new MemoryBlockStore(), ImportProfile.UnixFsV0_2015).ImportBytesAsync(content);
        Assert.Equal(embedded.Cid, viaKubo.Cid);
        var output = new MemoryStream();
        await new UnixFsExporter(kubo).CatAsync(viaKubo.Cid, output);
        Assert.Equal(content, output.ToArray());
        await kubo.PinAsync(viaKubo.Cid);
        Assert.Equal(LinqP2P.Ipfs.Pinning.PinKind.Recursive, node.Repo.Pins.Get(viaKubo.Cid));
    }

    [Fact]
    public async Task Kubo_ThatIsNotRunning_GivesATypedRetryableError()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var kubo = new KuboBlockStore(new KuboBackendOptions { ApiAddress = new Uri($"http://127.0.0.1:{port}/") });
        var e = await Assert.ThrowsAsync<KuboUnavailableException>(() => kubo.HasAsync(Block.Create(new byte[] { 1 }, Multicodec.Raw, 1).Cid));
        Assert.True(e.Retryable);
        Assert.Contains("embedded", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubo_ThatSendsWrongBytes_IsCaught()
    {
        // A server that answers block/get with bytes of another block: the store must not pass them on.
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapPost("/api/v0/block/get", () => Results.Bytes(new byte[] { 6, 6, 6 }));
        await app.StartAsync();
        using var kubo = new KuboBlockStore(new KuboBackendOptions { ApiAddress = new Uri(app.Urls.First() + "/") });
        await Assert.ThrowsAsync<KuboUnavailableException>(() => kubo.TryGetAsync(Block.Create(new byte[] { 1 }, Multicodec.Raw, 1).Cid));
    }

    [Fact]
    public async Task Backend_Setting_ChoosesTheStore()
    {
        await using var node = await TestNode.StartAsync();
        Assert.Same(node.Repo.Blocks, IpfsBackend.CreateBlockStore(new IpfsBackendOptions(), node.Repo));
        var store = IpfsBackend.CreateBlockStore(new IpfsBackendOptions { Backend = IpfsBackendOptions.ParseKind("kubo"), Kubo = new KuboBackendOptions { ApiAddress = node.Server.Address } }, node.Repo);
        using var kubo = Assert.IsType<KuboBlockStore>(store);
        Assert.Throws<LinqP2P.Core.InvalidInputException>(() => IpfsBackendOptions.ParseKind("ipfs-cluster"));
    }
}
