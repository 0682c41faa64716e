using System.Security.Cryptography;
using System.Text;

namespace LinqP2P.Libp2p.Noise;

/// <summary>The Noise SymmetricState for Noise_XX_25519_ChaChaPoly_SHA256 (Noise spec §5.2).</summary>
internal sealed class SymmetricState : IDisposable
{
    public const string ProtocolName = "Noise_XX_25519_ChaChaPoly_SHA256";
    private readonly byte[] _ck = new byte[32];
    private readonly byte[] _h = new byte[32];

    public SymmetricState()
    {
        // The name is exactly 32 bytes, so it is used as h directly (no hashing needed).
        var name = Encoding.ASCII.GetBytes(ProtocolName);
        name.CopyTo(_h, 0);
        name.CopyTo(_ck, 0);
        MixHash([]); // empty prologue
    }

    public CipherState Cipher { get; } = new();

    public ReadOnlySpan<byte> HandshakeHash => _h;

    public void MixHash(ReadOnlySpan<byte> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(_h);
        sha.AppendData(data);
        sha.GetHashAndReset(_h);
    }

    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        var (ck, k) = Hkdf(_ck, inputKeyMaterial);
        ck.CopyTo(_ck, 0);
        Cipher.InitializeKey(k);
    }

    public byte[] EncryptAndHash(ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[plaintext.Length + (Cipher.HasKey ? CipherState.TagLength : 0)];
        Cipher.Encrypt(_h, plaintext, output);
        MixHash(output);
        return output;
    }

    public byte[] DecryptAndHash(ReadOnlySpan<byte> ciphertext)
    {
        var output = new byte[Math.Max(0, ciphertext.Length - (Cipher.HasKey ? CipherState.TagLength : 0))];
        Cipher.Decrypt(_h, ciphertext, output);
        MixHash(ciphertext);
        return output;
    }

    /// <summary>Derives the two transport keys: the initiator sends with the first, the responder with the second.</summary>
    public (byte[] First, byte[] Second) Split() => Hkdf(_ck, []);

    private static (byte[], byte[]) Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> ikm)
    {
        var temp = HMACSHA256.HashData(chainingKey, ikm);
        var out1 = HMACSHA256.HashData(temp, new byte[] { 0x01 });
        var input2 = new byte[33];
        out1.CopyTo(input2, 0);
        input2[32] = 0x02;
        var out2 = HMACSHA256.HashData(temp, input2);
        return (out1, out2);
    }

    public void Dispose() => Cipher.Dispose();
}
