using System.Buffers.Binary;
using System.Security.Cryptography;

namespace LinqP2P.Libp2p.Noise;

/// <summary>The Noise CipherState: ChaCha20-Poly1305 with a 64-bit little-endian counter nonce (Noise spec §5.1).</summary>
internal sealed class CipherState : IDisposable
{
    public const int TagLength = 16;
    private ChaCha20Poly1305? _aead;
    private ulong _nonce;

    public bool HasKey => _aead is not null;

    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        _aead?.Dispose();
        _aead = new ChaCha20Poly1305(key);
        _nonce = 0;
    }

    /// <summary>Encrypts into <paramref name="destination"/> (plaintext length + 16 when keyed) and returns the length written.</summary>
    public int Encrypt(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (_aead is null)
        {
            plaintext.CopyTo(destination);
            return plaintext.Length;
        }
        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        _aead.Encrypt(nonce, plaintext, destination[..plaintext.Length], destination.Slice(plaintext.Length, TagLength), ad);
        return plaintext.Length + TagLength;
    }

    /// <summary>Decrypts and authenticates; a forged or corrupted message throws <see cref="Libp2pProtocolException"/>.</summary>
    public int Decrypt(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        if (_aead is null)
        {
            ciphertext.CopyTo(destination);
            return ciphertext.Length;
        }
        if (ciphertext.Length < TagLength)
        {
            throw new Libp2pProtocolException("noise.short", "a Noise message is shorter than its authentication tag");
        }
        Span<byte> nonce = stackalloc byte[12];
        NextNonce(nonce);
        var length = ciphertext.Length - TagLength;
        try
        {
            _aead.Decrypt(nonce, ciphertext[..length], ciphertext[length..], destination[..length], ad);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new Libp2pProtocolException("noise.decrypt", "a Noise message failed authentication", e);
        }
        return length;
    }

    private void NextNonce(Span<byte> nonce)
    {
        if (_nonce == ulong.MaxValue)
        {
            throw new Libp2pProtocolException("noise.nonce", "the Noise nonce is exhausted; reconnect");
        }
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], _nonce++);
    }

    public void Dispose() => _aead?.Dispose();
}
