using System.Formats.Asn1;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using NSecAlgorithm = NSec.Cryptography.SignatureAlgorithm;
using NSecFormat = NSec.Cryptography.KeyBlobFormat;
using NSecPublicKey = NSec.Cryptography.PublicKey;

namespace LinqP2P.Libp2p.Identity;

/// <summary>
/// A libp2p public key of any of the four types, as carried in the key protobuf
/// (specs/peer-ids/peer-ids.md; SPEC.md §5). Our own keys are Ed25519; keys of other peers may be
/// Ed25519, secp256k1, ECDSA (P-256/384/521) or RSA, and all of them can verify signatures.
/// </summary>
public abstract class PublicKey : IEquatable<PublicKey>
{
    private readonly byte[] _data;
    private byte[]? _protobuf;

    private protected PublicKey(KeyType type, byte[] data)
    {
        Type = type;
        _data = data;
    }

    public KeyType Type { get; }

    /// <summary>The key bytes in the type's own encoding (raw 32 bytes, compressed point, or DER).</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>True when <paramref name="signature"/> is this key's signature over <paramref name="data"/>. Never throws for a bad signature.</summary>
    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);

    /// <summary>The canonical PublicKey protobuf, the bytes a peer id is derived from.</summary>
    public byte[] ToProtobuf() => (byte[])(_protobuf ??= KeyProtobuf.Encode(Type, _data)).Clone();

    internal ReadOnlySpan<byte> ProtobufSpan => _protobuf ??= KeyProtobuf.Encode(Type, _data);

    public PeerId ToPeerId() => PeerId.FromPublicKey(this);

    /// <summary>Decodes a PublicKey protobuf; throws <see cref="Libp2pFormatException"/> when it is malformed or the key is invalid.</summary>
    public static PublicKey FromProtobuf(ReadOnlySpan<byte> protobuf)
    {
        var (type, data) = KeyProtobuf.Decode(protobuf);
        return FromData(type, data);
    }

    /// <summary>Builds a key from its type and its Data bytes, validating them.</summary>
    public static PublicKey FromData(KeyType type, ReadOnlySpan<byte> data) => type switch
    {
        KeyType.Ed25519 => new Ed25519PublicKey(data.ToArray()),
        KeyType.Secp256k1 => new Secp256k1PublicKey(data.ToArray()),
        KeyType.Ecdsa => new EcdsaPublicKey(data.ToArray()),
        KeyType.Rsa => new RsaPublicKey(data.ToArray()),
        _ => throw new Libp2pFormatException("key.type", $"key type {(int)type} is unknown"),
    };

    public bool Equals(PublicKey? other) => other is not null && Type == other.Type && _data.AsSpan().SequenceEqual(other._data);

    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Type);
        h.AddBytes(_data);
        return h.ToHashCode();
    }

    public override string ToString() => $"{Type}:{Convert.ToHexStringLower(_data)}";
}

/// <summary>Ed25519: Data is the 32-byte public key; signatures are plain RFC 8032 signatures of the message.</summary>
public sealed class Ed25519PublicKey : PublicKey
{
    private readonly NSecPublicKey _key;

    public Ed25519PublicKey(byte[] data)
        : base(KeyType.Ed25519, data)
    {
        if (data.Length != 32 || !NSecPublicKey.TryImport(NSecAlgorithm.Ed25519, data, NSecFormat.RawPublicKey, out var key) || key is null)
        {
            throw new Libp2pFormatException("key.ed25519", $"an Ed25519 public key is 32 valid bytes, not {data.Length}");
        }
        _key = key;
    }

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == 64 && NSecAlgorithm.Ed25519.Verify(_key, data, signature);
}

/// <summary>secp256k1: Data is the 33-byte compressed point; signatures are DER ECDSA over SHA-256 of the message.</summary>
public sealed class Secp256k1PublicKey : PublicKey
{
    private static readonly ECDomainParameters Domain = CreateDomain();
    private readonly ECPublicKeyParameters _key;

    public Secp256k1PublicKey(byte[] data)
        : base(KeyType.Secp256k1, data)
    {
        if (data.Length is not (33 or 65))
        {
            throw new Libp2pFormatException("key.secp256k1", $"a secp256k1 public key is a 33-byte compressed point, not {data.Length} bytes");
        }
        try
        {
            var point = Domain.Curve.DecodePoint(data);
            _key = new ECPublicKeyParameters(point, Domain);
        }
        catch (ArgumentException e)
        {
            throw new Libp2pFormatException("key.secp256k1", "a secp256k1 public key is not a point on the curve", e);
        }
    }

    private static ECDomainParameters CreateDomain()
    {
        var curve = SecNamedCurves.GetByName("secp256k1");
        return new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
    }

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length is < 8 or > 80)
        {
            return false;
        }
        try
        {
            if (Asn1Object.FromByteArray(signature.ToArray()) is not Asn1Sequence { Count: 2 } seq)
            {
                return false;
            }
            var r = DerInteger.GetInstance(seq[0]).PositiveValue;
            var s = DerInteger.GetInstance(seq[1]).PositiveValue;
            if (r.SignValue <= 0 || s.SignValue <= 0 || r.CompareTo(Domain.N) >= 0 || s.CompareTo(Domain.N) >= 0)
            {
                return false;
            }
            var signer = new ECDsaSigner();
            signer.Init(false, _key);
            return signer.VerifySignature(SHA256.HashData(data), r, s);
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidCastException or FormatException)
        {
            return false;
        }
    }

    internal static BigInteger Order => Domain.N;
}

/// <summary>
/// ECDSA (P-256, P-384, P-521): Data is a DER SubjectPublicKeyInfo; signatures are over SHA-256 of the
/// message. The spec says DER signatures; js-libp2p emits WebCrypto's r||s form, so both are accepted.
/// </summary>
public sealed class EcdsaPublicKey : PublicKey
{
    private readonly ECParameters _parameters;

    public EcdsaPublicKey(byte[] data)
        : base(KeyType.Ecdsa, data)
    {
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(data, out var read);
            if (read != data.Length)
            {
                throw new Libp2pFormatException("key.ecdsa", "bytes follow the ECDSA public key");
            }
            _parameters = ecdsa.ExportParameters(false);
        }
        catch (CryptographicException)
        {
            _parameters = ReadJsForm(data);
        }
    }

    /// <summary>
    /// js-libp2p writes ECDSA public keys as SEQUENCE { INTEGER 1, [0] curve OID, [1] BIT STRING point }
    /// (an ECPrivateKey without the private part) rather than the SubjectPublicKeyInfo go-libp2p writes.
    /// </summary>
    private static ECParameters ReadJsForm(byte[] data)
    {
        try
        {
            var reader = new AsnReader(data, AsnEncodingRules.DER);
            var seq = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            if (!seq.ReadInteger().IsOne)
            {
                throw new AsnContentException("version");
            }
            var oid = seq.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadObjectIdentifier();
            var point = seq.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1)).ReadBitString(out var unused);
            seq.ThrowIfNotEmpty();
            var size = oid switch
            {
                "1.2.840.10045.3.1.7" => 32,
                "1.3.132.0.34" => 48,
                "1.3.132.0.35" => 66,
                _ => throw new AsnContentException("curve"),
            };
            if (unused != 0 || point.Length != 1 + (2 * size) || point[0] != 0x04)
            {
                throw new AsnContentException("point");
            }
            var parameters = new ECParameters
            {
                Curve = ECCurve.CreateFromValue(oid),
                Q = new ECPoint { X = point[1..(1 + size)], Y = point[(1 + size)..] },
            };
            parameters.Validate();
            using var check = ECDsa.Create(parameters);
            return parameters;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException)
        {
            throw new Libp2pFormatException("key.ecdsa", "an ECDSA public key is neither a DER SubjectPublicKeyInfo nor the js-libp2p form", e);
        }
    }

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            using var ecdsa = ECDsa.Create(_parameters);
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
                || ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}

/// <summary>RSA (2048 bits or more): Data is a DER SubjectPublicKeyInfo; signatures are RSASSA-PKCS1-v1_5 with SHA-256.</summary>
public sealed class RsaPublicKey : PublicKey
{
    private readonly RSAParameters _parameters;

    public RsaPublicKey(byte[] data)
        : base(KeyType.Rsa, data)
    {
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(data, out var read);
            if (read != data.Length)
            {
                throw new Libp2pFormatException("key.rsa", "bytes follow the RSA public key");
            }
            if (rsa.KeySize < 2048)
            {
                throw new Libp2pFormatException("key.rsa", $"an RSA key of {rsa.KeySize} bits is too weak (at least 2048)");
            }
            _parameters = rsa.ExportParameters(false);
        }
        catch (CryptographicException e)
        {
            throw new Libp2pFormatException("key.rsa", "an RSA public key is not a valid DER SubjectPublicKeyInfo", e);
        }
    }

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            using var rsa = RSA.Create(_parameters);
            return rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
