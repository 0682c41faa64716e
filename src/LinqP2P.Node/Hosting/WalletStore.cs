using LinqP2P.Core;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Keystore;

namespace LinqP2P.Node.Hosting;

/// <summary>A wallet could not be read, unlocked or written.</summary>
public sealed class WalletException(string code, string message, Exception? inner = null) : LinqException(code, message, retryable: false, inner);

/// <summary>
/// The node's wallet key, encrypted at rest as a keystore v3 file (SPEC.md §3.6). The passphrase comes
/// from <c>LINQ_PASSPHRASE</c> or a passphrase file; it is never a config value and never logged.
/// </summary>
public static class WalletStore
{
    public const string PassphraseVariable = "LINQ_PASSPHRASE";

    /// <summary>The passphrase: <c>LINQ_PASSPHRASE</c> if set, else the first line of <paramref name="passphraseFile"/>.</summary>
    public static string Passphrase(string? passphraseFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        var env = environment ?? LinqP2P.Node.Config.NodeConfigLoader.ProcessEnvironment();
        if (env.TryGetValue(PassphraseVariable, out var p) && p.Length > 0)
        {
            return p;
        }
        if (passphraseFile is not null)
        {
            if (!File.Exists(passphraseFile))
            {
                throw new WalletException("wallet.no_passphrase", $"the passphrase file {passphraseFile} does not exist; fix wallet.passphraseFile or set {PassphraseVariable}.");
            }
            return File.ReadAllText(passphraseFile).Split('\n')[0].TrimEnd('\r');
        }
        throw new WalletException("wallet.no_passphrase", $"the wallet is encrypted: set {PassphraseVariable}, or point --passphrase-file (wallet.passphraseFile) at a file holding the passphrase.");
    }

    public static PrivateKey Unlock(string keystorePath, string passphrase)
    {
        if (!File.Exists(keystorePath))
        {
            throw new WalletException("wallet.missing", $"there is no wallet at {keystorePath}: create one with `linq wallet new`, import one with `linq wallet import`, or point --wallet at a keystore.");
        }
        var json = File.ReadAllText(keystorePath);
        try
        {
            return KeystoreV3.Decrypt(json, passphrase);
        }
        catch (LinqException e)
        {
            throw new WalletException("wallet.locked", $"could not unlock {keystorePath} ({e.Message}); check {PassphraseVariable} or the passphrase file.", e);
        }
    }

    /// <summary>Reads the address of a keystore without decrypting it.</summary>
    public static Address? AddressOf(string keystorePath)
    {
        if (!File.Exists(keystorePath))
        {
            return null;
        }
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(keystorePath));
            return doc.RootElement.TryGetProperty("address", out var a) && a.GetString() is { } s ? Address.Parse(s.StartsWith("0x", StringComparison.Ordinal) ? s : "0x" + s) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
        catch (LinqException)
        {
            return null;
        }
    }

    /// <summary>Writes <paramref name="key"/> encrypted to <paramref name="keystorePath"/> (mode 0600); refuses to overwrite a wallet.</summary>
    public static void Save(PrivateKey key, string keystorePath, string passphrase, KeystoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (File.Exists(keystorePath))
        {
            throw new WalletException("wallet.exists", $"{keystorePath} already holds a wallet ({AddressOf(keystorePath)}); move it away first — a wallet is never overwritten.");
        }
        if (passphrase.Length < 8)
        {
            throw new WalletException("wallet.weak_passphrase", "the passphrase must have at least 8 characters.");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(keystorePath))!);
        ApiAccess.WritePrivate(keystorePath, KeystoreV3.Encrypt(key, passphrase, options));
    }
}
