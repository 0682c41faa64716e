using System.Globalization;
using FsCheck;
using FsCheck.Xunit;
using LinqP2P.Synth.Determinism;
using LinqP2P.TestKit;

namespace LinqP2P.Synth.Tests;

public sealed class DetMathTests
{
    private static bool Close(double a, double b, double rel) => Math.Abs(a - b) <= rel * Math.Max(1, Math.Abs(b));

    [Property(MaxTest = 500)]
    public bool Log_AgreesWithThePlatformToAFewUlp(PositiveInt mantissa, int exponent)
    {
        var x = mantissa.Get * Math.Pow(2, exponent % 900);
        return double.IsInfinity(x) || Close(DetMath.Log(x), Math.Log(x), 4e-16);
    }

    [Property(MaxTest = 500)]
    public bool Exp_AgreesWithThePlatformToAFewUlp(NormalFloat x)
    {
        var v = x.Get % 700;
        return Math.Abs(DetMath.Exp(v) - Math.Exp(v)) <= 4e-16 * Math.Exp(v);
    }

    [Property(MaxTest = 500)]
    public bool SinAndCos_AgreeWithThePlatform(NormalFloat x)
    {
        var v = x.Get % 1e5;
        return Math.Abs(DetMath.Sin(v) - Math.Sin(v)) < 1e-11 && Math.Abs(DetMath.Cos(v) - Math.Cos(v)) < 1e-11;
    }

    [Fact]
    public void SpecialValues_AreHandled()
    {
        Assert.True(double.IsNaN(DetMath.Log(-1)));
        Assert.Equal(double.NegativeInfinity, DetMath.Log(0));
        Assert.Equal(0, DetMath.Exp(-1000));
        Assert.Equal(double.PositiveInfinity, DetMath.Exp(1000));
        Assert.True(Close(DetMath.Log(double.Epsilon), Math.Log(double.Epsilon), 1e-15));
        Assert.Equal(double.NegativeInfinity, DetMath.NormalQuantile(0));
        Assert.Equal(double.PositiveInfinity, DetMath.NormalQuantile(1));
    }

    [Fact]
    public async Task NormalQuantileAndCdf_MatchSciPy()
    {
        var ps = new[] { 1e-300, 1e-20, 1e-8, 0.001, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.999999 };
        var zs = new[] { -30.0, -8, -5, -2.5, -1, -0.1, 0, 0.3, 1.7, 3, 6.5, 9 };
        var script = "import sys\nfrom scipy.stats import norm\n"
            + "print(' '.join(repr(float(norm.ppf(float(p)))) for p in sys.argv[1].split(',')))\n"
            + "print(' '.join(repr(float(norm.cdf(float(z)))) for z in sys.argv[2].split(',')))\n";
        var path = Path.Combine(Path.GetTempPath(), "linq-norm-ref.py");
        await File.WriteAllTextAsync(path, script);
        var result = await ExternalProcess.RunAsync("/usr/bin/python3",
            [path, string.Join(',', ps.Select(p => p.ToString("R", CultureInfo.InvariantCulture))), string.Join(',', zs.Select(z => z.ToString("R", CultureInfo.InvariantCulture)))]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var lines = result.StdoutTrimmed.Split('\n');
        var q = lines[0].Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var c = lines[1].Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        for (var i = 0; i < ps.Length; i++)
        {
            Assert.True(Close(DetMath.NormalQuantile(ps[i]), q[i], 1e-14), $"quantile({ps[i]}) = {DetMath.NormalQuantile(ps[i])}, scipy {q[i]}");
        }
        for (var i = 0; i < zs.Length; i++)
        {
            var mine = DetMath.NormalCdf(zs[i]);
            Assert.True(Math.Abs(mine - c[i]) <= 1e-14 + (1e-12 * c[i]), $"cdf({zs[i]}) = {mine}, scipy {c[i]}");
        }
    }

    [Property(MaxTest = 300)]
    public bool NormalCdf_InvertsNormalQuantile(ulong seed)
    {
        var rng = new Xoshiro256StarStar(seed);
        var p = rng.NextOpenDouble();
        return Math.Abs(DetMath.NormalCdf(DetMath.NormalQuantile(p)) - p) < 1e-13;
    }
}
