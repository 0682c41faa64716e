using NSec.Cryptography;

namespace LinqP2P.Libp2p.Identity;

/// <summary>
/// This node's identity: an Ed25519 key pair (NSec). It signs Noise handshake payloads, identify records
/// and pubsub messages; its <see cref="PeerId"/> is what other peers know us by. Stored as the libp2p
/// PrivateKey protobuf (Type = Ed25519, Data = 32-byte seed followed by the 32-byte public key), the form
/// go-libp2p and js-libp2p read and write.
/// </summary>
public sealed class KeyPair : IDisposable
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    private KeyPair(Key key)
    {
        _key = key;
        PublicKey = new Ed25519PublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        PeerId = PeerId.FromPublicKey(PublicKey);
    }

    public PublicKey PublicKey { get; }

    public PeerId PeerId { get; }

    public static KeyPair Generate() =>
        new(Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    /// <summary>Builds the key pair whose private key is the 32-byte Ed25519 seed <paramref name="seed"/>.</summary>
    public static KeyPair FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32)
        {
            throw new Libp2pFormatException("key.ed25519", $"an Ed25519 seed is 32 bytes, not {seed.Length}");
        }
        var key = Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return new KeyPair(key);
    }

    /// <summary>Reads a PrivateKey protobuf. Only Ed25519 private keys are supported (other types are refused).</summary>
    public static KeyPair FromProtobuf(ReadOnlySpan<byte> protobuf)
    {
        var (type, data) = KeyProtobuf.Decode(protobuf);
        if (type != KeyType.Ed25519)
        {
            throw new Libp2pFormatException("key.type", $"only Ed25519 private keys can be loaded, not {type}");
        }
        // 64 bytes (seed + public key) is the standard form; very old go-libp2p keys repeat the public key (96).
        if (data.Length is not (64 or 96))
        {
            throw new Libp2pFormatException("key.ed25519", $"an Ed25519 private key is 64 bytes (seed and public key), not {data.Length}");
        }
        var pair = FromSeed(data.AsSpan(0, 32));
        if (!pair.PublicKey.Data.SequenceEqual(data.AsSpan(32, 32)))
        {
            pair.Dispose();
            throw new Libp2pFormatException("key.ed25519", "the public half of the Ed25519 private key does not match its seed");
        }
        return pair;
    }

    /// <summary>The PrivateKey protobuf (secret: store it with owner-only permissions).</summary>
    public byte[] ToProtobuf()
    {
        var data = new byte[64];
        _key.Export(KeyBlobFormat.RawPrivateKey).CopyTo(data, 0);
        PublicKey.Data.CopyTo(data.AsSpan(32));
        return KeyProtobuf.Encode(KeyType.Ed25519, data);
    }

    public byte[] Sign(ReadOnlySpan<byte> data) => Algorithm.Sign(_key, data);

    /// <summary>
    /// Loads the key pair stored at <paramref name="path"/>, or creates one there. The file holds the raw
    /// PrivateKey protobuf and is created with mode 0600 so that only the owner can read it.
    /// </summary>
    public static async Task<KeyPair> LoadOrCreateAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (File.Exists(path))
        {
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
            return FromProtobuf(bytes);
        }
        var pair = Generate();
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using (var stream = new FileStream(path, options))
        {
            await stream.WriteAsync(pair.ToProtobuf(), cancellationToken);
        }
        return pair;
    }

    public void Dispose() => _key.Dispose();
}
