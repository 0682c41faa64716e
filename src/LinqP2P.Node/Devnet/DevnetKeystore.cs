using LinqP2P.Ethereum;

namespace LinqP2P.Node.Devnet;

/// <summary>Writes a node wallet's keystore file.</summary>
internal static class DevnetKeystore
{
    public static void Write(PrivateKey key, string password, string path)
    {
        ArgumentNullException.ThrowIfNull(key);
        // Placeholder until the eth branch's keystore v3 lands: records only the address, never the key.
        File.WriteAllText(path, $"{{\"address\":\"{key.Address.ToLowerString()[2..]}\",\"pending\":\"keystore v3 not yet available\"}}");
        _ = password;
    }
}
