using LinqP2P.Ipfs.Importing;

namespace LinqP2P.Ipfs.Http;

/// <summary>What <c>/api/v0/id</c> reports: the node's libp2p identity, given by the node that mounts the API.</summary>
public sealed record IpfsNodeIdentity(
    string PeerId,
    string PublicKey,
    IReadOnlyList<string> Addresses,
    string AgentVersion,
    IReadOnlyList<string> Protocols);

/// <summary>Options of the Kubo RPC subset (SPEC.md §6.7).</summary>
public sealed class KuboRpcOptions
{
    /// <summary>
    /// The profile an add uses when it names none; the request's cid-version, raw-leaves and chunker then
    /// adjust it. Default: <see cref="ImportProfile.Default"/> (unixfs-v1-2025), like a Kubo configured
    /// with `ipfs config profile apply unixfs-v1-2025`.
    /// </summary>
    public ImportProfile DefaultProfile { get; init; } = ImportProfile.Default;

    /// <summary>The identity for <c>id</c>; null (the default) makes <c>id</c> answer an error.</summary>
    public Func<IpfsNodeIdentity>? Identity { get; init; }

    /// <summary>
    /// Browser origins allowed to call the API (Kubo's API.HTTPHeaders Access-Control-Allow-Origin). Default:
    /// none, so a web page cannot drive the node through the user's browser; clients outside a browser
    /// send no Origin header and are unaffected.
    /// </summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    /// <summary>Largest request body an add accepts, in bytes; null (the default) means no limit beyond the blockstore quota.</summary>
    public long? MaxAddBytes { get; init; }

    /// <summary>Version string reported by <c>version</c> and <c>id</c>. Default: "linq/0.1.0".</summary>
    public string AgentVersion { get; init; } = "linq/0.1.0";
}

/// <summary>Options of the trustless gateway (SPEC.md §6.7).</summary>
public sealed class GatewayOptions
{
    /// <summary>
    /// Whether requests without ?format=raw|car get deserialized UnixFS (files streamed, directories
    /// listed). Default: true; the node's own data is trusted by the node's own user.
    /// </summary>
    public bool AllowDeserialized { get; init; } = true;
}
