using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LinqP2P.Core;
using Org.BouncyCastle.Crypto.Generators;

namespace LinqP2P.Ethereum.Keystore;

/// <summary>The key derivation <see cref="KeystoreV3.Encrypt"/> uses. Defaults are geth's "standard" scrypt parameters.</summary>
public sealed record KeystoreOptions
{
    /// <summary>scrypt N (CPU/memory cost, a power of two). Default 262144 (2^18), about 256 MiB and a second to derive.</summary>
    public int ScryptN { get; init; } = 1 << 18;

    /// <summary>scrypt r (block size). Default 8.</summary>
    public int ScryptR { get; init; } = 8;

    /// <summary>scrypt p (parallelism). Default 1.</summary>
    public int ScryptP { get; init; } = 1;

    /// <summary>Use PBKDF2-HMAC-SHA256 instead of scrypt (for tools that only read PBKDF2). Default false.</summary>
    public bool UsePbkdf2 { get; init; }

    /// <summary>PBKDF2 iteration count when <see cref="UsePbkdf2"/> is set. Default 262144.</summary>
    public int Pbkdf2Iterations { get; init; } = 262_144;

    /// <summary>geth's defaults: scrypt N = 2^18, r = 8, p = 1.</summary>
    public static KeystoreOptions Standard { get; } = new();

    /// <summary>Cheap parameters (N = 2^12) for tests and throwaway devnet keys; never for a key that holds value.</summary>
    public static KeystoreOptions Light { get; } = new() { ScryptN = 1 << 12 };
}

/// <summary>
/// Web3 Secret Storage (keystore v3) files, the way the node keeps its wallet key (SPEC.md §3.6): the key is encrypted
/// with AES-128-CTR under the first half of a scrypt- or PBKDF2-derived key, and Keccak-256(second half ‖ ciphertext)
/// authenticates it. A wrong password fails the MAC and raises <see cref="KeystoreException"/> with code
/// <c>eth.keystore.wrong-password</c>.
/// </summary>
public static class KeystoreV3
{
    /// <summary>Largest keystore file read: 64 KiB (real ones are under 1 KiB).</summary>
    public const int MaxJsonLength = 64 * 1024;

    // Bounds on parameters read from a file, so a planted keystore cannot make us allocate gigabytes or spin for hours.
    private const long MaxScryptMemory = 1L << 30;
    private const int MaxPbkdf2Iterations = 10_000_000;

    /// <summary>Encrypts <paramref name="key"/> under <paramref name="password"/> and returns the keystore JSON.</summary>
    public static string Encrypt(PrivateKey key, string password, KeystoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(password);
        options ??= KeystoreOptions.Standard;
        var salt = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(16);
        JsonObject kdfParams;
        byte[] derived;
        if (options.UsePbkdf2)
        {
            derived = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, options.Pbkdf2Iterations, HashAlgorithmName.SHA256, 32);
            kdfParams = new JsonObject { ["c"] = options.Pbkdf2Iterations, ["dklen"] = 32, ["prf"] = "hmac-sha256", ["salt"] = Hex.Encode(salt, prefix: false) };
        }
        else
        {
            CheckScrypt(options.ScryptN, options.ScryptR, options.ScryptP);
            derived = SCrypt.Generate(Encoding.UTF8.GetBytes(password), salt, options.ScryptN, options.ScryptR, options.ScryptP, 32);
            kdfParams = new JsonObject { ["dklen"] = 32, ["n"] = options.ScryptN, ["p"] = options.ScryptP, ["r"] = options.ScryptR, ["salt"] = Hex.Encode(salt, prefix: false) };
        }
        var secret = key.ExportBytes();
        try
        {
            var ciphertext = AesCtr(derived.AsSpan(0, 16), iv, secret);
            var mac = Mac(derived, ciphertext);
            var document = new JsonObject
            {
                ["address"] = Hex.Encode(key.Address.Span, prefix: false),
                ["crypto"] = new JsonObject
                {
                    ["cipher"] = "aes-128-ctr",
                    ["cipherparams"] = new JsonObject { ["iv"] = Hex.Encode(iv, prefix: false) },
                    ["ciphertext"] = Hex.Encode(ciphertext, prefix: false),
                    ["kdf"] = options.UsePbkdf2 ? "pbkdf2" : "scrypt",
                    ["kdfparams"] = kdfParams,
                    ["mac"] = Hex.Encode(mac.Span, prefix: false),
                },
                ["id"] = Guid.NewGuid().ToString(),
                ["version"] = 3,
            };
            return document.ToJsonString();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    /// <summary>Decrypts a keystore (scrypt or PBKDF2) with <paramref name="password"/>.</summary>
    /// <exception cref="KeystoreException">
    /// <c>eth.keystore.wrong-password</c> when the MAC does not match; <c>eth.keystore.invalid</c> when the file is malformed,
    /// uses an unsupported cipher or KDF, or asks for more work than the limits allow.
    /// </exception>
    public static PrivateKey Decrypt(string json, string password)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(password);
        if (json.Length > MaxJsonLength)
        {
            throw Invalid($"the keystore is larger than {MaxJsonLength} characters.");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw new KeystoreException("eth.keystore.invalid", "the keystore is not valid JSON: " + e.Message, e);
        }
        using (doc)
        {
            var root = Object(doc.RootElement, "the keystore");
            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetRawText() != "3")
            {
                throw Invalid("only version 3 keystores are supported.");
            }
            // Some writers capitalise "Crypto".
            var crypto = root.TryGetProperty("crypto", out var c) ? c : root.TryGetProperty("Crypto", out var c2) ? c2 : throw Invalid("\"crypto\" is missing.");
            crypto = Object(crypto, "\"crypto\"");
            if (String(crypto, "cipher") != "aes-128-ctr")
            {
                throw Invalid($"cipher '{String(crypto, "cipher")}' is not supported (only aes-128-ctr).");
            }
            var iv = HexField(Object(Property(crypto, "cipherparams"), "cipherparams"), "iv");
            if (iv.Length != 16)
            {
                throw Invalid("the AES IV must be 16 bytes.");
            }
            var ciphertext = HexField(crypto, "ciphertext");
            if (ciphertext.Length != 32)
            {
                throw Invalid("the ciphertext of a secp256k1 key must be 32 bytes.");
            }
            var expectedMac = HexField(crypto, "mac");
            var kdfParams = Object(Property(crypto, "kdfparams"), "kdfparams");
            var salt = HexField(kdfParams, "salt");
            var dkLen = Int(kdfParams, "dklen");
            if (dkLen != 32)
            {
                throw Invalid("dklen must be 32.");
            }
            var passwordBytes = Encoding.UTF8.GetBytes(password);
            byte[] derived;
            switch (String(crypto, "kdf"))
            {
                case "scrypt":
                    {
                        int n = Int(kdfParams, "n"), r = Int(kdfParams, "r"), p = Int(kdfParams, "p");
                        CheckScrypt(n, r, p);
                        derived = SCrypt.Generate(passwordBytes, salt, n, r, p, dkLen);
                        break;
                    }
                case "pbkdf2":
                    {
                        if (String(kdfParams, "prf") != "hmac-sha256")
                        {
                            throw Invalid("only the hmac-sha256 PRF is supported for pbkdf2.");
                        }
                        var iterations = Int(kdfParams, "c");
                        if (iterations is < 1 or > MaxPbkdf2Iterations)
                        {
                            throw Invalid($"pbkdf2 iterations must be between 1 and {MaxPbkdf2Iterations}.");
                        }
                        derived = Rfc2898DeriveBytes.Pbkdf2(passwordBytes, salt, iterations, HashAlgorithmName.SHA256, dkLen);
                        break;
                    }
                default:
                    throw Invalid($"kdf '{String(crypto, "kdf")}' is not supported (scrypt or pbkdf2).");
            }
            try
            {
                var mac = Mac(derived, ciphertext);
                if (!CryptographicOperations.FixedTimeEquals(mac.Span, expectedMac))
                {
                    throw new KeystoreException("eth.keystore.wrong-password", "the password does not open this keystore (MAC mismatch): check the password and the file.");
                }
                var secret = AesCtr(derived.AsSpan(0, 16), iv, ciphertext);
                PrivateKey key;
                try
                {
                    key = PrivateKey.FromBytes(secret);
                }
                catch (InvalidInputException e)
                {
                    throw new KeystoreException("eth.keystore.invalid", "the keystore decrypts to an invalid private key.", e);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(secret);
                }
                if (root.TryGetProperty("address", out var address) && address.ValueKind == JsonValueKind.String
                    && Address.TryParse(address.GetString(), out var declared) && declared != key.Address)
                {
                    throw Invalid($"the keystore says it holds {declared} but decrypts to the key of {key.Address}.");
                }
                return key;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(derived);
            }
        }
    }

    /// <summary>Writes a keystore file with owner-only permissions where the platform has them.</summary>
    public static async Task SaveAsync(string path, PrivateKey key, string password, KeystoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        var json = Encrypt(key, password, options);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using var stream = new FileStream(path, fileOptions);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(json), cancellationToken);
    }

    /// <summary>Reads and decrypts a keystore file.</summary>
    public static async Task<PrivateKey> LoadAsync(string path, string password, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(path);
        if (info.Exists && info.Length > MaxJsonLength)
        {
            throw Invalid($"{path} is larger than {MaxJsonLength} bytes; it is not a keystore.");
        }
        return Decrypt(await File.ReadAllTextAsync(path, cancellationToken), password);
    }

    private static void CheckScrypt(int n, int r, int p)
    {
        if (n < 2 || (n & (n - 1)) != 0 || r < 1 || p < 1 || r > 1024 || p > 64)
        {
            throw Invalid($"scrypt parameters n={n}, r={r}, p={p} are invalid (n a power of two above 1, r and p positive).");
        }
        // scrypt needs 128·r·N bytes; a larger request is a denial of service, not a wallet.
        if (128L * r * n > MaxScryptMemory || (long)r * p >= 1 << 30)
        {
            throw Invalid($"scrypt parameters n={n}, r={r}, p={p} need more than {MaxScryptMemory >> 20} MiB.");
        }
    }

    private static Hash32 Mac(byte[] derived, byte[] ciphertext) => Keccak256.Hash([.. derived.AsSpan(16, 16), .. ciphertext]);

    private static byte[] AesCtr(ReadOnlySpan<byte> key, byte[] iv, byte[] input)
    {
        // CTR from ECB: encrypt the big-endian counter block (the IV, incremented per block) and XOR it in.
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        var counter = (byte[])iv.Clone();
        var output = new byte[input.Length];
        Span<byte> keystream = stackalloc byte[16];
        for (var offset = 0; offset < input.Length; offset += 16)
        {
            aes.EncryptEcb(counter, keystream, PaddingMode.None);
            for (var i = 0; i < 16 && offset + i < input.Length; i++)
            {
                output[offset + i] = (byte)(input[offset + i] ^ keystream[i]);
            }
            for (var i = 15; i >= 0 && ++counter[i] == 0; i--)
            {
            }
        }
        return output;
    }

    private static JsonElement Object(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Object ? e : throw Invalid($"{what} must be a JSON object.");

    private static JsonElement Property(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) ? value : throw Invalid($"\"{name}\" is missing.");

    private static string String(JsonElement e, string name) =>
        Property(e, name) is { ValueKind: JsonValueKind.String } s ? s.GetString()! : throw Invalid($"\"{name}\" must be a string.");

    private static int Int(JsonElement e, string name) =>
        Property(e, name) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var v) ? v : throw Invalid($"\"{name}\" must be a 32-bit integer.");

    private static byte[] HexField(JsonElement e, string name)
    {
        var text = String(e, name);
        return text.Length <= 1024 && Hex.TryDecode(text, out var bytes) ? bytes : throw Invalid($"\"{name}\" is not hex.");
    }

    private static KeystoreException Invalid(string message) => new("eth.keystore.invalid", message);
}

/// <summary>A keystore could not be opened: <c>eth.keystore.wrong-password</c> or <c>eth.keystore.invalid</c>.</summary>
public sealed class KeystoreException : LinqException
{
    public KeystoreException(string code, string message, Exception? inner = null)
        : base(code, message, retryable: false, inner)
    {
    }

    /// <summary>True when the file is sound but the password is not the one it was written with.</summary>
    public bool IsWrongPassword => Code == "eth.keystore.wrong-password";
}
