using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Keystore;

namespace LinqP2P.Node.Devnet;

/// <summary>Writes a node wallet's keystore v3 file.</summary>
internal static class DevnetKeystore
{
    public static void Write(PrivateKey key, string password, string path)
    {
        // Light scrypt parameters: these keys come from anvil's public mnemonic and guard nothing; a node
        // start-up must not spend a second and 256 MiB per wallet on them.
        File.WriteAllText(path, KeystoreV3.Encrypt(key, password, KeystoreOptions.Light));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
