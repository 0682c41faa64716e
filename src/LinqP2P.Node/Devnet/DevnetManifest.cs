using System.Text.Json;
using System.Text.Json.Serialization;

namespace LinqP2P.Node.Devnet;

/// <summary>The addresses of the settlement contracts (EIP-55).</summary>
public sealed record DevnetContracts(string Token, string Timelock, string Governor, string Registry, string RewardPool, string Escrow, string Court);

/// <summary>One node wallet of the devnet: derived from the dev mnemonic, funded, staked as a provider.</summary>
public sealed record DevnetWallet(int Index, string Address, string DerivationPath, string Keystore, string ProviderId, string Stake, string LnqBalance);

/// <summary>
/// What <c>linq devnet up</c> started (SPEC.md §4): nodes read it to find the chain, the contracts and
/// their wallet; <c>linq devnet down</c> reads it to stop exactly the anvil it started.
/// </summary>
public sealed record DevnetManifest
{
    public const string FileName = "devnet.json";

    public int Version { get; init; } = 1;

    public required string RpcUrl { get; init; }

    public required long ChainId { get; init; }

    public required int AnvilPid { get; init; }

    public required int AnvilPort { get; init; }

    /// <summary>Seconds between blocks; null for automine.</summary>
    public double? BlockTimeSeconds { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required string Deployer { get; init; }

    public required DevnetContracts Contracts { get; init; }

    public required IReadOnlyList<DevnetWallet> Wallets { get; init; }

    /// <summary>The file holding the keystores' password (a throw-away devnet secret; never a real key).</summary>
    public required string KeystorePasswordFile { get; init; }

    public required string AnvilLog { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string PathIn(string directory) => System.IO.Path.Combine(directory, FileName);

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = PathIn(directory);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }

    public static DevnetManifest? Load(string directory)
    {
        var path = PathIn(directory);
        return File.Exists(path) ? JsonSerializer.Deserialize<DevnetManifest>(File.ReadAllText(path), Json) : null;
    }
}
