using LinqP2P.Core;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;

namespace LinqP2P.Ethereum;

/// <summary>A secp256k1 public key. Its <see cref="Address"/> is the last 20 bytes of Keccak-256(x ‖ y).</summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    private readonly ECPoint _point;
    private readonly byte[] _uncompressed64;

    private PublicKey(ECPoint normalizedPoint)
    {
        _point = normalizedPoint;
        _uncompressed64 = normalizedPoint.GetEncoded(false)[1..];
        Address = Address.FromPublicKey(_uncompressed64);
    }

    public Address Address { get; }

    /// <summary>Reads a key as 33 bytes (compressed), 65 bytes (0x04 ‖ x ‖ y) or 64 bytes (x ‖ y).</summary>
    /// <exception cref="InvalidInputException">with code <c>eth.key.invalid-public</c> when it is not a point on the curve.</exception>
    public static PublicKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        byte[] encoded = bytes.Length switch
        {
            64 => [0x04, .. bytes],
            33 or 65 => bytes.ToArray(),
            _ => throw new InvalidInputException("eth.key.invalid-public", $"a public key is 33, 64 or 65 bytes, got {bytes.Length}."),
        };
        try
        {
            var point = Secp256k1.Curve.DecodePoint(encoded).Normalize();
            if (point.IsInfinity || !point.IsValid())
            {
                throw new ArgumentException("not on the curve");
            }
            return new PublicKey(point);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new InvalidInputException("eth.key.invalid-public", "the bytes are not a secp256k1 public key.", e);
        }
    }

    internal static PublicKey FromPoint(ECPoint normalized) => new(normalized);

    internal ECPoint Point => _point;

    /// <summary>x ‖ y, 64 bytes (the form hashed into the address and used by devp2p).</summary>
    public byte[] ToUncompressed64() => (byte[])_uncompressed64.Clone();

    /// <summary>0x04 ‖ x ‖ y, 65 bytes (SEC 1 uncompressed).</summary>
    public byte[] ToUncompressed() => [0x04, .. _uncompressed64];

    /// <summary>0x02/0x03 ‖ x, 33 bytes (SEC 1 compressed).</summary>
    public byte[] ToCompressed() => _point.GetEncoded(true);

    /// <summary>
    /// True when <paramref name="signature"/> is a valid ECDSA signature of <paramref name="digest"/> by this key.
    /// High-s signatures verify too (ECDSA allows both); reject them separately where EIP-2 applies.
    /// </summary>
    public bool Verify(Hash32 digest, Signature signature)
    {
        var signer = new ECDsaSigner();
        signer.Init(false, new ECPublicKeyParameters(_point, new ECDomainParameters(Secp256k1.Parameters)));
        return signer.VerifySignature(digest.ToArray(), Secp256k1.ToBc(signature.R), Secp256k1.ToBc(signature.S));
    }

    public override string ToString() => Hex.Encode(ToUncompressed());

    public bool Equals(PublicKey? other) => other is not null && _uncompressed64.AsSpan().SequenceEqual(other._uncompressed64);

    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    public override int GetHashCode() => BitConverter.ToInt32(_uncompressed64, 0);
}
