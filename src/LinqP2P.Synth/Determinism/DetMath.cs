using System.Runtime.CompilerServices;

namespace LinqP2P.Synth.Determinism;

/// <summary>
/// Elementary functions written with IEEE 754 add, subtract, multiply, divide and square root only.
/// System.Math.Log/Exp/Sin/Cos call the platform's C library, whose last bit may differ between glibc,
/// musl, the macOS libm and Windows' CRT; these functions do not, because each basic operation is
/// correctly rounded by IEEE 754 and RyuJIT never contracts a*b+c into a fused multiply-add on its own.
/// Accuracy is a few ulp, which is plenty for sampling; bit-for-bit reproducibility is the point.
/// See SPEC.md §9.2.
/// </summary>
public static class DetMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double InvLn2 = 1.44269504088896338700e+00;
    private const double Sqrt2 = 1.41421356237309504880;
    private const double PiO2Hi = 1.57079632673412561417e+00;
    private const double PiO2Lo = 6.07710050650619224932e-11;
    private const double TwoOverPi = 6.36619772367581382433e-01;

    /// <summary>The natural logarithm; NaN for negative input, -inf for zero.</summary>
    public static double Log(double x)
    {
        if (double.IsNaN(x) || x < 0)
        {
            return double.NaN;
        }
        if (x == 0)
        {
            return double.NegativeInfinity;
        }
        if (double.IsPositiveInfinity(x))
        {
            return x;
        }
        var k = 0;
        if (x < 2.2250738585072014e-308)
        {
            x *= 18014398509481984.0; // 2^54: lift subnormals into the normal range
            k = -54;
        }
        var bits = BitConverter.DoubleToInt64Bits(x);
        k += (int)((bits >> 52) & 0x7FF) - 1023;
        var m = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        if (m > Sqrt2)
        {
            m *= 0.5;
            k++;
        }
        // log(m) = 2 atanh(s) with s = (m-1)/(m+1), |s| <= 0.1716; the odd series converges fast.
        var f = m - 1.0;
        var s = f / (2.0 + f);
        var s2 = s * s;
        var series = 1.0 / 23;
        series = (series * s2) + (1.0 / 21);
        series = (series * s2) + (1.0 / 19);
        series = (series * s2) + (1.0 / 17);
        series = (series * s2) + (1.0 / 15);
        series = (series * s2) + (1.0 / 13);
        series = (series * s2) + (1.0 / 11);
        series = (series * s2) + (1.0 / 9);
        series = (series * s2) + (1.0 / 7);
        series = (series * s2) + (1.0 / 5);
        series = (series * s2) + (1.0 / 3);
        var logM = 2.0 * s * ((series * s2) + 1.0);
        return (k * Ln2Hi) + ((k * Ln2Lo) + logM);
    }

    /// <summary>e raised to <paramref name="x"/>.</summary>
    public static double Exp(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }
        if (x > 709.782712893384)
        {
            return double.PositiveInfinity;
        }
        if (x < -745.1332191019411)
        {
            return 0.0;
        }
        var k = Math.Round(x * InvLn2); // round half to even: an exact, platform-independent operation
        var r = (x - (k * Ln2Hi)) - (k * Ln2Lo);
        // Taylor series to r^14/14!; |r| <= 0.347 so the remainder is below 1e-17.
        var p = 1.0 / 87178291200.0;
        p = (p * r) + (1.0 / 6227020800.0);
        p = (p * r) + (1.0 / 479001600.0);
        p = (p * r) + (1.0 / 39916800.0);
        p = (p * r) + (1.0 / 3628800.0);
        p = (p * r) + (1.0 / 362880.0);
        p = (p * r) + (1.0 / 40320.0);
        p = (p * r) + (1.0 / 5040.0);
        p = (p * r) + (1.0 / 720.0);
        p = (p * r) + (1.0 / 120.0);
        p = (p * r) + (1.0 / 24.0);
        p = (p * r) + (1.0 / 6.0);
        p = (p * r) + 0.5;
        p = (p * r) + 1.0;
        p = (p * r) + 1.0;
        return ScaleByPowerOfTwo(p, (int)k);
    }

    /// <summary>The sine of <paramref name="x"/> radians (accurate for |x| below about 1e9).</summary>
    public static double Sin(double x) => SinCos(x, cosine: false);

    /// <summary>The cosine of <paramref name="x"/> radians (accurate for |x| below about 1e9).</summary>
    public static double Cos(double x) => SinCos(x, cosine: true);

    /// <summary>
    /// The standard normal quantile, Wichura's AS 241 (PPND16), relative accuracy about 1e-16.
    /// p must lie in (0, 1); 0 and 1 map to -inf and +inf.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double NormalQuantile(double p)
    {
        var q = p - 0.5;
        if (Math.Abs(q) <= 0.425)
        {
            var r = 0.180625 - (q * q);
            var num = Horner(r, 3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
                45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727);
            var den = Horner(r, 1.0, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077,
                21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852854561);
            return q * num / den;
        }
        return NormalQuantileTail(p, q);
    }

    /// <summary>The standard normal CDF (Hart 1968 as given by West 2005), absolute accuracy about 1e-15.</summary>
    public static double NormalCdf(double x)
    {
        var a = Math.Abs(x);
        double tail;
        if (a > 37)
        {
            tail = 0;
        }
        else
        {
            var e = Exp(-(a * a) / 2);
            if (a < 7.07106781186547)
            {
                var n = (3.52624965998911E-02 * a) + 0.700383064443688;
                n = (n * a) + 6.37396220353165;
                n = (n * a) + 33.912866078383;
                n = (n * a) + 112.079291497871;
                n = (n * a) + 221.213596169931;
                n = (n * a) + 220.206867912376;
                var d = (8.83883476483184E-02 * a) + 1.75566716318264;
                d = (d * a) + 16.064177579207;
                d = (d * a) + 86.7807322029461;
                d = (d * a) + 296.564248779674;
                d = (d * a) + 637.333633378831;
                d = (d * a) + 793.826512519948;
                d = (d * a) + 440.413735824752;
                tail = e * n / d;
            }
            else
            {
                var b = a + 0.65;
                b = a + (4 / b);
                b = a + (3 / b);
                b = a + (2 / b);
                b = a + (1 / b);
                tail = e / b / 2.506628274631;
            }
        }
        return x > 0 ? 1 - tail : tail;
    }

    private static double NormalQuantileTail(double p, double q)
    {
        if (p <= 0)
        {
            return double.NegativeInfinity;
        }
        if (p >= 1)
        {
            return double.PositiveInfinity;
        }
        var r = q < 0 ? p : 1 - p;
        r = Math.Sqrt(-Log(r));
        double value;
        if (r <= 5)
        {
            r -= 1.6;
            value = Horner(r, 1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
                    1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4)
                / Horner(r, 1.0, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455,
                    0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9);
        }
        else
        {
            r -= 5;
            value = Horner(r, 6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
                    0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7)
                / Horner(r, 1.0, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525,
                    7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15);
        }
        return q < 0 ? -value : value;
    }

    /// <summary>c0 + c1 r + ... + c7 r^7 evaluated by Horner's rule, in that fixed order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Horner(double r, double c0, double c1, double c2, double c3, double c4, double c5, double c6, double c7) =>
        (((((((((((((c7 * r) + c6) * r) + c5) * r) + c4) * r) + c3) * r) + c2) * r) + c1) * r) + c0;

    private static double SinCos(double x, bool cosine)
    {
        if (double.IsNaN(x) || double.IsInfinity(x))
        {
            return double.NaN;
        }
        var n = Math.Round(x * TwoOverPi);
        var r = (x - (n * PiO2Hi)) - (n * PiO2Lo);
        var quadrant = (long)n & 3;
        if (cosine)
        {
            quadrant = (quadrant + 1) & 3;
        }
        return quadrant switch
        {
            0 => SinKernel(r),
            1 => CosKernel(r),
            2 => -SinKernel(r),
            _ => -CosKernel(r),
        };
    }

    // |r| <= pi/4: Taylor series to r^17 and r^18 leave errors below 1e-17.
    private static double SinKernel(double r)
    {
        var r2 = r * r;
        var p = -1.0 / 355687428096000.0;
        p = (p * r2) + (1.0 / 1307674368000.0);
        p = (p * r2) - (1.0 / 6227020800.0);
        p = (p * r2) + (1.0 / 39916800.0);
        p = (p * r2) - (1.0 / 362880.0);
        p = (p * r2) + (1.0 / 5040.0);
        p = (p * r2) - (1.0 / 120.0);
        p = (p * r2) + (1.0 / 6.0);
        // sin r = r - r^3 (1/3! - r^2/5! + ...)
        return r - (r * r2 * p);
    }

    private static double CosKernel(double r)
    {
        var r2 = r * r;
        var p = 1.0 / 6402373705728000.0;
        p = (p * r2) - (1.0 / 20922789888000.0);
        p = (p * r2) + (1.0 / 87178291200.0);
        p = (p * r2) - (1.0 / 479001600.0);
        p = (p * r2) + (1.0 / 3628800.0);
        p = (p * r2) - (1.0 / 40320.0);
        p = (p * r2) + (1.0 / 720.0);
        p = (p * r2) - (1.0 / 24.0);
        p = (p * r2) + 0.5;
        return 1.0 - (r2 * p);
    }

    private static double ScaleByPowerOfTwo(double value, int k)
    {
        if (k > 1023)
        {
            value *= BitConverter.Int64BitsToDouble(0x7FEL << 52); // 2^1023
            k -= 1023;
        }
        else if (k < -1022)
        {
            value *= BitConverter.Int64BitsToDouble(0x001L << 52) * 18014398509481984.0; // 2^-1022 * 2^54
            k += 1022 - 54;
        }
        return value * BitConverter.Int64BitsToDouble((long)(k + 1023) << 52);
    }
}
