namespace LinqP2P.Node.Config;

/// <summary>What a node sells, buys, or both (<c>role</c>, <c>LINQ_ROLE</c>, <c>--role</c>).</summary>
public enum NodeRole
{
    /// <summary>Sells compute: bids on offers and runs awarded shards.</summary>
    Provider,

    /// <summary>Buys compute: submits jobs, awards bids, collects results.</summary>
    Client,

    /// <summary>Both of the above (the default).</summary>
    Both,
}

/// <summary>
/// The settings of one <c>linq node</c>, after <see cref="NodeConfigLoader"/> merged defaults, the config file
/// (<c>&lt;data-dir&gt;/config.yaml</c>), <c>LINQ_*</c> environment variables and flags, in that order of
/// increasing precedence. Each default is stated on its property; <see cref="NodeSettings"/> lists every key.
/// </summary>
public sealed record NodeOptions
{
    /// <summary>The data directory (wallet, identity key, state, blocks, API token). Default <c>~/.linq</c>.</summary>
    public required string DataDir { get; init; }

    /// <summary>Default <see cref="NodeRole.Both"/>.</summary>
    public NodeRole Role { get; init; } = NodeRole.Both;

    /// <summary>libp2p listen multiaddrs. Default <c>/ip4/127.0.0.1/tcp/4001</c>.</summary>
    public IReadOnlyList<string> Listen { get; init; } = ["/ip4/127.0.0.1/tcp/4001"];

    /// <summary>Peers dialled at start (multiaddrs ending in <c>/p2p/&lt;peer id&gt;</c>). Default none.</summary>
    public IReadOnlyList<string> Bootstrap { get; init; } = [];

    /// <summary>Management API port on 127.0.0.1 (0 picks a free one). Default 5080.</summary>
    public int ApiPort { get; init; } = 5080;

    /// <summary>The devnet manifest (<c>devnet.json</c>, or the folder holding it). Default <c>testnet/run/devnet.json</c>.</summary>
    public string Devnet { get; init; } = Path.Combine("testnet", "run", "devnet.json");

    /// <summary>The wallet keystore (v3). Default <c>&lt;data-dir&gt;/wallet.json</c>.</summary>
    public string? WalletKeystore { get; init; }

    /// <summary>A file holding the keystore passphrase; <c>LINQ_PASSPHRASE</c> wins over it. Default none.</summary>
    public string? PassphraseFile { get; init; }

    /// <summary>The Docker Engine endpoint. Default <c>unix:///var/run/docker.sock</c>.</summary>
    public string DockerEndpoint { get; init; } = "unix:///var/run/docker.sock";

    /// <summary>Minimum log level (trace, debug, information, warning, error). Default information.</summary>
    public string LogLevel { get; init; } = "information";

    /// <summary>Blockstore quota in bytes; null means unlimited. Default null.</summary>
    public long? StorageQuotaBytes { get; init; }

    public string WalletKeystorePath => Path.GetFullPath(WalletKeystore ?? Path.Combine(DataDir, "wallet.json"), DataDir);

    /// <summary>The libp2p identity key file (<c>linq node --key</c>). Default <c>&lt;data-dir&gt;/identity.key</c>.</summary>
    public string? IdentityKey { get; init; }

    public string IdentityKeyPath => IdentityKey ?? Path.Combine(DataDir, "identity.key");

    public string StatePath => Path.Combine(DataDir, "state.db");

    public string BlocksPath => Path.Combine(DataDir, "ipfs");

    public string ExecutionWorkPath => Path.Combine(DataDir, "exec");

    public string ConfigPath => Path.Combine(DataDir, NodeConfigLoader.ConfigFileName);

    public bool IsProvider => Role is NodeRole.Provider or NodeRole.Both;

    public bool IsClient => Role is NodeRole.Client or NodeRole.Both;

    /// <summary>The default data directory: <c>~/.linq</c>.</summary>
    public static string DefaultDataDir =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".linq");
}
