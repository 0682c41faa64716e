using System.Security.Cryptography;
using LinqP2P.Core;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Signers;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace LinqP2P.Ethereum;

/// <summary>
/// A secp256k1 private key. Signing is deterministic (RFC 6979 nonces with HMAC-SHA256, as libsecp256k1 and
/// Foundry do), so the same key and digest always give the same signature, and s is always low (EIP-2).
/// <see cref="ToString"/> never prints the secret; export it on purpose with <see cref="ExportBytes"/>.
/// Keys belong in a keystore file (<see cref="Keystore.KeystoreV3"/>), never in configuration or logs.
/// </summary>
public sealed class PrivateKey : IEquatable<PrivateKey>
{
    private readonly byte[] _secret;
    private readonly BcBigInteger _d;

    private PrivateKey(byte[] secret)
    {
        _secret = secret;
        _d = new BcBigInteger(1, secret);
        PublicKey = PublicKey.FromPoint(Secp256k1.MultiplyG(_d));
    }

    public PublicKey PublicKey { get; }

    public Address Address => PublicKey.Address;

    /// <summary>A new key from the operating system's cryptographic random number generator.</summary>
    public static PrivateKey Generate()
    {
        var secret = new byte[32];
        while (true)
        {
            RandomNumberGenerator.Fill(secret);
            var d = new BcBigInteger(1, secret);
            if (d.SignValue > 0 && d.CompareTo(Secp256k1.N) < 0)
            {
                return new PrivateKey(secret);
            }
        }
    }

    /// <summary>Reads a 32-byte big-endian secret in [1, n-1].</summary>
    /// <exception cref="InvalidInputException">with code <c>eth.key.invalid-private</c>.</exception>
    public static PrivateKey FromBytes(ReadOnlySpan<byte> secret)
    {
        if (secret.Length != 32)
        {
            throw new InvalidInputException("eth.key.invalid-private", $"a private key is 32 bytes, got {secret.Length}.");
        }
        var d = new BcBigInteger(1, secret.ToArray());
        if (d.SignValue == 0 || d.CompareTo(Secp256k1.N) >= 0)
        {
            throw new InvalidInputException("eth.key.invalid-private", "a private key must lie in [1, n-1] of secp256k1.");
        }
        return new PrivateKey(secret.ToArray());
    }

    /// <summary>Reads 64 hex digits, with or without 0x.</summary>
    public static PrivateKey Parse(string hex) => FromBytes(Hex.Decode(hex));

    /// <summary>A copy of the 32-byte secret. The caller is responsible for where it goes.</summary>
    public byte[] ExportBytes() => (byte[])_secret.Clone();

    /// <summary>Signs a 32-byte digest as it is (no hashing, no prefix): the primitive under transactions and EIP-712.</summary>
    public Signature Sign(Hash32 digest)
    {
        var n = Secp256k1.N;
        var message = digest.ToArray();
        var e = new BcBigInteger(1, message);
        var kCalculator = new HMacDsaKCalculator(new Sha256Digest());
        kCalculator.Init(n, _d, message);
        while (true)
        {
            var k = kCalculator.NextK();
            var point = Secp256k1.MultiplyG(k);
            var x = point.AffineXCoord.ToBigInteger();
            var r = x.Mod(n);
            if (r.SignValue == 0)
            {
                continue;
            }
            var s = k.ModInverse(n).Multiply(e.Add(_d.Multiply(r))).Mod(n);
            if (s.SignValue == 0)
            {
                continue;
            }
            var recoveryId = (byte)((point.AffineYCoord.TestBitZero() ? 1 : 0) | (x.CompareTo(n) >= 0 ? 2 : 0));
            // EIP-2: only s <= n/2 is valid in transactions; negating s mirrors the nonce point, so flip its parity bit.
            if (s.CompareTo(Secp256k1.HalfN) > 0)
            {
                s = n.Subtract(s);
                recoveryId ^= 1;
            }
            return new Signature(Secp256k1.ToNumerics(r), Secp256k1.ToNumerics(s), recoveryId);
        }
    }

    /// <summary>Signs an EIP-191 personal message (<c>"\x19Ethereum Signed Message:\n" + len + message</c>), like <c>cast wallet sign</c>.</summary>
    public Signature SignMessage(ReadOnlySpan<byte> message) => Sign(PersonalMessage.Hash(message));

    public override string ToString() => $"PrivateKey({Address})";

    public bool Equals(PrivateKey? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(_secret, other._secret);

    public override bool Equals(object? obj) => Equals(obj as PrivateKey);

    public override int GetHashCode() => Address.GetHashCode();
}
