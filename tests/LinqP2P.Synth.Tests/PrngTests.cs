using System.Globalization;
using FsCheck;
using FsCheck.Xunit;
using LinqP2P.Synth.Determinism;
using LinqP2P.TestKit;

namespace LinqP2P.Synth.Tests;

public sealed class PrngTests
{
    // An independent implementation of SplitMix64, xoshiro256** and the stream derivation of SPEC.md §9.2,
    // written from the published reference code, so the C# one is checked against the definition.
    private const string ReferencePython = """
        import sys
        M = (1 << 64) - 1
        def splitmix(state):
            state = (state + 0x9E3779B97F4A7C15) & M
            z = state
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
            return state, z ^ (z >> 31)
        def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
        seed, block, stream, n = (int(a) for a in sys.argv[1:5])
        _, h = splitmix(seed); h ^= block
        _, h = splitmix(h); h ^= stream
        st = h; s = []
        for _ in range(4):
            st, z = splitmix(st); s.append(z)
        out = []
        for _ in range(n):
            r = (rotl((s[1] * 5) & M, 7) * 9) & M
            t = (s[1] << 17) & M
            s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45)
            out.append(str(r))
        print(" ".join(out))
        """;

    [Theory]
    [InlineData(0UL, 0UL, 0UL)]
    [InlineData(42UL, 7UL, 3UL)]
    [InlineData(ulong.MaxValue, 123456789UL, 0UL)]
    public async Task Xoshiro_MatchesAnIndependentReferenceImplementation(ulong seed, ulong block, ulong stream)
    {
        var script = Path.Combine(Path.GetTempPath(), "linq-xoshiro-ref.py");
        await File.WriteAllTextAsync(script, ReferencePython);
        var result = await ExternalProcess.RunAsync("/usr/bin/python3",
            [script, seed.ToString(CultureInfo.InvariantCulture), block.ToString(CultureInfo.InvariantCulture), stream.ToString(CultureInfo.InvariantCulture), "20"]);
        Assert.Equal(0, result.ExitCode);
        var expected = result.StdoutTrimmed.Split(' ').Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var rng = Xoshiro256StarStar.ForStream(seed, block, stream);
        var actual = Enumerable.Range(0, 20).Select(_ => rng.NextUInt64()).ToArray();
        Assert.Equal(expected, actual);
    }

    [Property]
    public bool SameStream_GivesTheSameSequence(ulong seed, ulong block, ulong stream)
    {
        var a = Xoshiro256StarStar.ForStream(seed, block, stream);
        var b = Xoshiro256StarStar.ForStream(seed, block, stream);
        return Enumerable.Range(0, 50).All(_ => a.NextUInt64() == b.NextUInt64());
    }

    [Property]
    public bool NeighbouringBlocksAndStreams_GiveDifferentSequences(ulong seed, ulong block, ulong stream)
    {
        var a = Xoshiro256StarStar.ForStream(seed, block, stream);
        var b = Xoshiro256StarStar.ForStream(seed, block + 1, stream);
        var c = Xoshiro256StarStar.ForStream(seed, block, stream + 1);
        var x = a.NextUInt64();
        return x != b.NextUInt64() && x != c.NextUInt64();
    }

    [Property]
    public bool NextInt_StaysBelowItsBound(ulong seed, PositiveInt bound)
    {
        var rng = new Xoshiro256StarStar(seed);
        return Enumerable.Range(0, 100).All(_ => rng.NextInt(bound.Get) is var v && v >= 0 && v < bound.Get);
    }

    [Property]
    public bool Doubles_StayInTheirIntervals(ulong seed)
    {
        var rng = new Xoshiro256StarStar(seed);
        return Enumerable.Range(0, 200).All(_ => rng.NextDouble() is >= 0 and < 1 && rng.NextOpenDouble() is > 0 and < 1);
    }

    [Fact]
    public void NextInt_IsUniformByChiSquare()
    {
        var rng = new Xoshiro256StarStar(2024);
        var counts = new int[10];
        const int n = 200_000;
        for (var i = 0; i < n; i++)
        {
            counts[rng.NextInt(10)]++;
        }
        var chi = counts.Sum(c => (c - (n / 10.0)) * (c - (n / 10.0)) / (n / 10.0));
        Assert.True(chi < 27.88, $"chi-square {chi} exceeds the 0.001 critical value for 9 degrees of freedom");
    }

    [Fact]
    public void NextGaussian_FollowsTheStandardNormalByKolmogorovSmirnov()
    {
        var rng = new Xoshiro256StarStar(99);
        var x = Enumerable.Range(0, 20_000).Select(_ => rng.NextGaussian()).ToArray();
        var d = Quality.Statistics.KolmogorovSmirnov(x, v => MathNet.Numerics.Distributions.Normal.CDF(0, 1, v));
        Assert.True(d < 1.63 / Math.Sqrt(x.Length), $"KS D = {d} exceeds the 1% critical value");
    }

    [Fact]
    public void ZeroBound_IsRejected()
    {
        var rng = new Xoshiro256StarStar(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
    }
}
