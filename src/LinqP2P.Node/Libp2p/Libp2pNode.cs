using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Node.Libp2p;

/// <summary>
/// Composition of the libp2p stack for a LinqP2P node: the identity key file, the peer store file next
/// to it, and a <see cref="Libp2pHost"/> listening on the configured addresses (identify and ping for now).
/// </summary>
public static class Libp2pNode
{
    /// <summary>Default identity file: ~/.linq/identity.key (PrivateKey protobuf, mode 0600).</summary>
    public static string DefaultKeyPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".linq", "identity.key");

    /// <summary>Default listen address.</summary>
    public const string DefaultListen = "/ip4/127.0.0.1/tcp/4001";

    public static Task<KeyPair> LoadIdentityAsync(string? keyPath, CancellationToken cancellationToken) =>
        KeyPair.LoadOrCreateAsync(keyPath ?? DefaultKeyPath, cancellationToken);

    /// <summary>Starts a host with the identity at <paramref name="keyPath"/> listening on <paramref name="listen"/>.</summary>
    public static async Task<Libp2pHost> StartAsync(string? keyPath, IEnumerable<Multiaddr> listen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var path = keyPath ?? DefaultKeyPath;
        var identity = await LoadIdentityAsync(path, cancellationToken);
        var storePath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "peerstore.db");
        var host = new Libp2pHost(identity, new HostOptions { PeerStorePath = storePath });
        try
        {
            foreach (var address in listen)
            {
                await host.ListenAsync(address, cancellationToken);
            }
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }
}
