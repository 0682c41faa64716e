using System.Numerics;
using LinqP2P.Core;
using Org.BouncyCastle.Math.EC;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace LinqP2P.Ethereum;

/// <summary>
/// A secp256k1 ECDSA signature with its recovery id, so the signer's public key can be recovered (ecrecover).
/// Signatures made by <see cref="PrivateKey.Sign(Hash32)"/> always have the low s value (EIP-2).
/// </summary>
public readonly record struct Signature
{
    /// <summary>Creates a signature; r and s must lie in [1, n-1] and the recovery id in 0..3.</summary>
    public Signature(BigInteger r, BigInteger s, byte recoveryId)
    {
        if (r.Sign <= 0 || r >= Secp256k1.NumericsN || s.Sign <= 0 || s >= Secp256k1.NumericsN)
        {
            throw new InvalidInputException("eth.signature.range", "signature r and s must both lie in [1, n-1] of secp256k1.");
        }
        if (recoveryId > 3)
        {
            throw new InvalidInputException("eth.signature.recovery-id", $"recovery id {recoveryId} is not in 0..3.");
        }
        R = r;
        S = s;
        RecoveryId = recoveryId;
    }

    public BigInteger R { get; }

    public BigInteger S { get; }

    /// <summary>0 or 1 in practice (the parity of the nonce point's y); 2 and 3 only when r overflowed n.</summary>
    public byte RecoveryId { get; }

    /// <summary>The pre-EIP-155 v: 27 + recovery id, as <c>cast wallet sign</c> and ecrecover use it.</summary>
    public byte V => (byte)(27 + RecoveryId);

    /// <summary>True when s is in the lower half of the order, the only form EIP-2 transactions accept.</summary>
    public bool IsLowS => S <= Secp256k1.NumericsHalfN;

    /// <summary>r ‖ s ‖ v with v = 27 or 28: the 65-byte form of <c>cast wallet sign</c> and of Solidity's ECDSA.recover.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[65];
        WriteScalar(R, bytes.AsSpan(0, 32));
        WriteScalar(S, bytes.AsSpan(32, 32));
        bytes[64] = V;
        return bytes;
    }

    /// <summary>0x-prefixed hex of <see cref="ToBytes"/>.</summary>
    public override string ToString() => Hex.Encode(ToBytes());

    /// <summary>Reads r ‖ s ‖ v where v is 0, 1, 27 or 28.</summary>
    /// <exception cref="InvalidInputException">with an <c>eth.signature.*</c> code.</exception>
    public static Signature FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 65)
        {
            throw new InvalidInputException("eth.signature.length", $"a signature is 65 bytes (r ‖ s ‖ v), got {bytes.Length}.");
        }
        var v = bytes[64];
        var recoveryId = v switch
        {
            0 or 1 => v,
            27 or 28 => (byte)(v - 27),
            _ => throw new InvalidInputException("eth.signature.recovery-id", $"v = {v} is not one of 0, 1, 27, 28."),
        };
        return new Signature(
            new BigInteger(bytes[..32], isUnsigned: true, isBigEndian: true),
            new BigInteger(bytes[32..64], isUnsigned: true, isBigEndian: true),
            recoveryId);
    }

    /// <summary>Reads the 0x hex of the 65-byte form.</summary>
    public static Signature Parse(string hex) => FromBytes(Hex.Decode(hex));

    /// <summary>
    /// Recovers the public key that made this signature over <paramref name="digest"/> (SEC 1 v2 §4.1.6).
    /// </summary>
    /// <exception cref="InvalidInputException">with code <c>eth.signature.unrecoverable</c> when no key matches.</exception>
    public PublicKey Recover(Hash32 digest)
    {
        if (R.Sign <= 0 || S.Sign <= 0)
        {
            // Only default(Signature) gets here: the constructor refuses zero.
            throw Unrecoverable();
        }
        var n = Secp256k1.N;
        var r = Secp256k1.ToBc(R);
        var s = Secp256k1.ToBc(S);
        // The nonce point's x is r, or r + n when the x coordinate overflowed the group order (recovery ids 2, 3).
        var x = (RecoveryId & 2) != 0 ? r.Add(n) : r;
        if (x.CompareTo(Secp256k1.P) >= 0)
        {
            throw Unrecoverable();
        }
        Span<byte> compressed = stackalloc byte[33];
        compressed[0] = (byte)(0x02 | (RecoveryId & 1));
        Secp256k1.Write32(x, compressed[1..]);
        ECPoint point;
        try
        {
            point = Secp256k1.Curve.DecodePoint(compressed.ToArray());
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            throw Unrecoverable();
        }
        var e = new BcBigInteger(1, digest.ToArray());
        var rInv = r.ModInverse(n);
        // Q = r⁻¹(sR − eG) = (r⁻¹s)·R + (−r⁻¹e)·G
        var q = ECAlgorithms.SumOfTwoMultiplies(
            Secp256k1.G, rInv.Multiply(e).Negate().Mod(n),
            point, rInv.Multiply(s).Mod(n)).Normalize();
        if (q.IsInfinity)
        {
            throw Unrecoverable();
        }
        return PublicKey.FromPoint(q);
    }

    /// <summary>The address that made this signature over <paramref name="digest"/> (Solidity's ecrecover).</summary>
    public Address RecoverAddress(Hash32 digest) => Recover(digest).Address;

    /// <summary>This signature with s replaced by n − s when s is high, flipping the recovery id to match.</summary>
    public Signature Normalize() =>
        IsLowS ? this : new Signature(R, Secp256k1.NumericsN - S, (byte)(RecoveryId ^ 1));

    private static InvalidInputException Unrecoverable() =>
        new("eth.signature.unrecoverable", "no public key matches this signature and digest.");

    internal static void WriteScalar(BigInteger value, Span<byte> destination)
    {
        destination.Clear();
        var len = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(destination[(32 - len)..], out _, isUnsigned: true, isBigEndian: true);
    }
}
