using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;
using NumericsBigInteger = System.Numerics.BigInteger;

namespace LinqP2P.Ethereum;

/// <summary>The secp256k1 curve constants and conversions shared by keys and signatures.</summary>
internal static class Secp256k1
{
    internal static readonly X9ECParameters Parameters = CustomNamedCurves.GetByName("secp256k1");
    internal static readonly ECCurve Curve = Parameters.Curve;
    internal static readonly ECPoint G = Parameters.G;
    internal static readonly BcBigInteger N = Parameters.N;
    internal static readonly BcBigInteger HalfN = N.ShiftRight(1);
    internal static readonly BcBigInteger P = Curve.Field.Characteristic;
    internal static readonly NumericsBigInteger NumericsN = ToNumerics(N);
    internal static readonly NumericsBigInteger NumericsHalfN = ToNumerics(HalfN);

    // Fixed-base comb multiplication precomputes multiples of G once; it is several times faster than the generic ladder.
    internal static readonly FixedPointCombMultiplier BaseMultiplier = new();

    internal static ECPoint MultiplyG(BcBigInteger k) => BaseMultiplier.Multiply(G, k).Normalize();

    internal static BcBigInteger ToBc(NumericsBigInteger value) =>
        new(1, value.ToByteArray(isUnsigned: true, isBigEndian: true));

    internal static BcBigInteger ToBc(ReadOnlySpan<byte> bigEndian) => new(1, bigEndian.ToArray());

    internal static NumericsBigInteger ToNumerics(BcBigInteger value) =>
        new(value.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

    /// <summary>Writes <paramref name="value"/> as exactly 32 big-endian bytes (it must be below 2^256).</summary>
    internal static void Write32(BcBigInteger value, Span<byte> destination)
    {
        var raw = value.ToByteArrayUnsigned();
        destination[..32].Clear();
        raw.CopyTo(destination[(32 - raw.Length)..]);
    }
}
