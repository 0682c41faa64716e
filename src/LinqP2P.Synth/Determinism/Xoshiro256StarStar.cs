using System.Runtime.CompilerServices;

namespace LinqP2P.Synth.Determinism;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): used only to expand seeds into xoshiro state, as its authors
/// recommend. See SPEC.md §9.2.
/// </summary>
public static class SplitMix64
{
    /// <summary>Advances <paramref name="state"/> by the golden gamma and returns the mixed output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>
/// xoshiro256** 1.0 (Blackman and Vigna 2018). Chosen over System.Random because its output is fixed by
/// its published definition, not by a runtime version, so any node can replay any shard bit for bit.
/// Every stream is derived from (seed, block, stream) by <see cref="ForStream"/>; see SPEC.md §9.2.
/// </summary>
public struct Xoshiro256StarStar
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds the state from one 64-bit value through SplitMix64.</summary>
    public Xoshiro256StarStar(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix64.Next(ref sm);
        _s1 = SplitMix64.Next(ref sm);
        _s2 = SplitMix64.Next(ref sm);
        _s3 = SplitMix64.Next(ref sm);
        if ((_s0 | _s1 | _s2 | _s3) == 0)
        {
            _s0 = 1; // the all-zero state is the one fixed point of the generator
        }
    }

    /// <summary>
    /// The generator for one (seed, block, stream) triple. Each step folds one coordinate into a SplitMix64
    /// chain, so neighbouring blocks or streams share no visible structure.
    /// </summary>
    public static Xoshiro256StarStar ForStream(ulong seed, ulong block, ulong stream)
    {
        var a = seed;
        var h = SplitMix64.Next(ref a) ^ block;
        var b = h;
        h = SplitMix64.Next(ref b) ^ stream;
        return new Xoshiro256StarStar(h);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A double in [0, 1) from the top 53 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>A double in the open interval (0, 1): safe to pass to a logarithm or an inverse CDF.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextOpenDouble() => ((NextUInt64() >> 11) + 0.5) * (1.0 / 9007199254740992.0);

    /// <summary>An integer in [0, <paramref name="bound"/>) without modulo bias (Lemire 2019).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), bound, "bound must be positive");
        }
        var range = (ulong)bound;
        var m = Math.BigMul(NextUInt64() >> 32, range);
        var low = (uint)m;
        if (low < range)
        {
            var threshold = (uint)(-(long)range % (long)range);
            while (low < threshold)
            {
                m = Math.BigMul(NextUInt64() >> 32, range);
                low = (uint)m;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int min, int maxExclusive) => min + NextInt(maxExclusive - min);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool NextBool(double p) => NextDouble() < p;

    /// <summary>A standard normal draw by inversion, so one draw consumes exactly one 64-bit output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextGaussian() => DetMath.NormalQuantile(NextOpenDouble());

    /// <summary>An exponential draw with the given rate.</summary>
    public double NextExponential(double rate) => -DetMath.Log(NextOpenDouble()) / rate;

    /// <summary>A Poisson draw: inversion for small means, a rounded normal for large ones.</summary>
    public int NextPoisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }
        if (mean > 30)
        {
            var x = Math.Round(mean + (Math.Sqrt(mean) * NextGaussian()));
            return x < 0 ? 0 : (int)x;
        }
        var u = NextDouble();
        var p = DetMath.Exp(-mean);
        var cdf = p;
        var k = 0;
        while (u > cdf && k < 1000)
        {
            k++;
            p *= mean / k;
            cdf += p;
        }
        return k;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
