using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using LinqP2P.Core;
using LinqP2P.Ethereum;

namespace LinqP2P.Node.Devnet;

/// <summary>
/// BIP-39 seeds and BIP-32 key derivation, enough to derive the wallets of a mnemonic along
/// m/44'/60'/0'/0/i as anvil, cast and every wallet do. The devnet uses it on anvil's public dev
/// mnemonic; nothing here is meant to guard real funds.
/// </summary>
public static class HdWallet
{
    /// <summary>anvil's dev mnemonic, whose first accounts anvil funds and unlocks.</summary>
    public const string AnvilMnemonic = "test test test test test test test test test test test junk";

    private static readonly BigInteger N = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>The Ethereum account path of index <paramref name="index"/>.</summary>
    public static string EthereumPath(int index) => $"m/44'/60'/0'/0/{index}";

    /// <summary>BIP-39: PBKDF2-HMAC-SHA512 of the NFKD mnemonic, salt "mnemonic" + passphrase, 2048 rounds, 64 bytes.</summary>
    public static byte[] Seed(string mnemonic, string passphrase = "")
    {
        ArgumentNullException.ThrowIfNull(mnemonic);
        var password = Encoding.UTF8.GetBytes(mnemonic.Normalize(NormalizationForm.FormKD));
        var salt = Encoding.UTF8.GetBytes(("mnemonic" + passphrase).Normalize(NormalizationForm.FormKD));
        return Rfc2898DeriveBytes.Pbkdf2(password, salt, 2048, HashAlgorithmName.SHA512, 64);
    }

    /// <summary>The private key at <paramref name="path"/> (e.g. m/44'/60'/0'/0/0) of <paramref name="mnemonic"/>.</summary>
    public static PrivateKey Derive(string mnemonic, string path, string passphrase = "")
    {
        ArgumentNullException.ThrowIfNull(path);
        var master = HMACSHA512.HashData("Bitcoin seed"u8, Seed(mnemonic, passphrase));
        var key = master[..32];
        var chain = master[32..];
        var parts = path.Split('/');
        if (parts.Length == 0 || parts[0] != "m")
        {
            throw new InvalidInputException("eth.hd.bad_path", $"'{path}' is not a BIP-32 path such as m/44'/60'/0'/0/0.");
        }
        foreach (var part in parts.Skip(1))
        {
            var hardened = part.EndsWith('\'');
            if (!uint.TryParse(hardened ? part[..^1] : part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= 0x80000000)
            {
                throw new InvalidInputException("eth.hd.bad_path", $"'{part}' in '{path}' is not a child index.");
            }
            if (hardened)
            {
                index |= 0x80000000;
            }
            (key, chain) = Child(key, chain, index);
        }
        return PrivateKey.FromBytes(key);
    }

    private static (byte[] Key, byte[] Chain) Child(byte[] key, byte[] chain, uint index)
    {
        var data = new byte[37];
        if ((index & 0x80000000) != 0)
        {
            key.CopyTo(data, 1);
        }
        else
        {
            PrivateKey.FromBytes(key).PublicKey.ToCompressed().CopyTo(data, 0);
        }
        data[33] = (byte)(index >> 24);
        data[34] = (byte)(index >> 16);
        data[35] = (byte)(index >> 8);
        data[36] = (byte)index;
        var i = HMACSHA512.HashData(chain, data);
        var child = (new BigInteger(i.AsSpan(0, 32), isUnsigned: true, isBigEndian: true) + new BigInteger(key, isUnsigned: true, isBigEndian: true)) % N;
        // A zero or out-of-range child has probability ~2^-127; BIP-32 says to skip to the next index.
        if (child.IsZero)
        {
            throw new InvalidInputException("eth.hd.invalid_child", $"child {index} is invalid; use the next index.");
        }
        var bytes = new byte[32];
        var raw = child.ToByteArray(isUnsigned: true, isBigEndian: true);
        raw.CopyTo(bytes, 32 - raw.Length);
        return (bytes, i[32..]);
    }
}
