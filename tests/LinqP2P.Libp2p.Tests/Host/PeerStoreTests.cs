using System.Diagnostics;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Tests.Host;

public sealed class PeerStoreTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("linq-peerstore");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Records_SurviveReopeningTheFile()
    {
        var path = Path.Combine(_dir.FullName, "peers.db");
        using var pair = KeyPair.Generate();
        var addr = Multiaddr.Parse("/ip4/10.0.0.1/tcp/4001");
        using (var store = new LiteDbPeerStore(path))
        {
            store.AddAddresses(pair.PeerId, [addr.WithPeerId(pair.PeerId)]);
            store.Update(pair.PeerId, pair.PublicKey, null, ["/ipfs/ping/1.0.0"], "agent/1", "ipfs/0.1.0");
        }
        using (var reopened = new LiteDbPeerStore(path))
        {
            var record = reopened.Get(pair.PeerId)!;
            Assert.Equal([addr], record.Addresses);
            Assert.Equal(["/ipfs/ping/1.0.0"], record.Protocols);
            Assert.Equal(pair.PublicKey, record.PublicKey);
            Assert.Equal("agent/1", record.AgentVersion);
        }
    }

    [Fact]
    public void AddAddresses_KeepsAtMostTheLimit_NewestFirst()
    {
        using var store = new LiteDbPeerStore(null);
        using var pair = KeyPair.Generate();
        for (var i = 0; i < LiteDbPeerStore.MaxAddresses + 10; i++)
        {
            store.AddAddresses(pair.PeerId, [Multiaddr.Parse($"/ip4/10.0.0.1/tcp/{i + 1}")]);
        }
        var record = store.Get(pair.PeerId)!;
        Assert.Equal(LiteDbPeerStore.MaxAddresses, record.Addresses.Count);
        Assert.Equal($"/ip4/10.0.0.1/tcp/{LiteDbPeerStore.MaxAddresses + 10}", record.Addresses[0].ToString());
    }

    [Fact]
    public void FileStore_WritesFastEnoughForConnectionSetup()
    {
        using var store = new LiteDbPeerStore(Path.Combine(_dir.FullName, "speed.db"));
        using var pair = KeyPair.Generate();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            store.Update(pair.PeerId, pair.PublicKey, null, ["/a"], "x", "y");
        }
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"50 updates took {sw.Elapsed}");
    }
}
