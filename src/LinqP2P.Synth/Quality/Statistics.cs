namespace LinqP2P.Synth.Quality;

/// <summary>Two-sample statistics used by the quality report and the tests.</summary>
public static class Statistics
{
    /// <summary>The two-sample Kolmogorov-Smirnov statistic D = sup |F_a - F_b|; 0 when either sample is empty.</summary>
    public static double KolmogorovSmirnov(double[] a, double[] b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return a.Length == b.Length ? 0 : 1;
        }
        var x = (double[])a.Clone();
        var y = (double[])b.Clone();
        Array.Sort(x);
        Array.Sort(y);
        int i = 0, j = 0;
        var d = 0.0;
        while (i < x.Length && j < y.Length)
        {
            var v = Math.Min(x[i], y[j]);
            while (i < x.Length && x[i] <= v)
            {
                i++;
            }
            while (j < y.Length && y[j] <= v)
            {
                j++;
            }
            d = Math.Max(d, Math.Abs(((double)i / x.Length) - ((double)j / y.Length)));
        }
        return d;
    }

    /// <summary>The one-sample KS statistic of <paramref name="sample"/> against the CDF <paramref name="cdf"/>.</summary>
    public static double KolmogorovSmirnov(double[] sample, Func<double, double> cdf)
    {
        var x = (double[])sample.Clone();
        Array.Sort(x);
        var n = x.Length;
        var d = 0.0;
        for (var i = 0; i < n; i++)
        {
            var f = cdf(x[i]);
            d = Math.Max(d, Math.Max(((i + 1.0) / n) - f, f - ((double)i / n)));
        }
        return d;
    }

    /// <summary>Total variation distance between two count tables: half the L1 distance of their frequencies.</summary>
    public static double TotalVariation(IReadOnlyDictionary<string, double> a, IReadOnlyDictionary<string, double> b)
    {
        var sa = a.Values.Sum();
        var sb = b.Values.Sum();
        if (sa == 0 || sb == 0)
        {
            return sa == sb ? 0 : 1;
        }
        var tv = 0.0;
        foreach (var key in a.Keys.Union(b.Keys))
        {
            tv += Math.Abs((a.GetValueOrDefault(key) / sa) - (b.GetValueOrDefault(key) / sb));
        }
        return tv / 2;
    }

    /// <summary>Type-7 quantile of unsorted values; NaN when empty.</summary>
    public static double Quantile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }
        var x = (double[])values.Clone();
        Array.Sort(x);
        var pos = p * (x.Length - 1);
        var i = (int)Math.Floor(pos);
        return i + 1 < x.Length ? x[i] + ((pos - i) * (x[i + 1] - x[i])) : x[i];
    }
}
