using LinqP2P.Synth.Determinism;

namespace LinqP2P.Synth.Generators;

/// <summary>
/// The activity of a system over a span of time, hour by hour: a diurnal curve (quiet at night, peaking in
/// the afternoon) times a weekly one (quieter weekends). Event times are drawn by inverting the cumulative
/// intensity, so block b of B holds the events with cumulative share in [b/B, (b+1)/B): busy hours get more
/// rows, blocks stay equal in size and each block is still independent of the others.
/// </summary>
public sealed class TimeProfile
{
    private readonly double _start;
    private readonly double[] _cumulative; // _cumulative[h] = share of activity before hour h

    public TimeProfile(double startUnixSeconds, double days, double peakHour = 14, double nightFloor = 0.15, double weekendFactor = 0.6)
    {
        if (!(days > 0) || days > 3660)
        {
            throw new SynthInputException("synth.time.span", $"the span is {days} days: give between 1 hour and 10 years.", field: "days");
        }
        _start = startUnixSeconds;
        var hours = Math.Max(1, (int)Math.Ceiling(days * 24));
        SpanSeconds = days * 86400;
        _cumulative = new double[hours + 1];
        var total = 0.0;
        for (var h = 0; h < hours; h++)
        {
            var t = startUnixSeconds + (h * 3600.0) + 1800;
            total += Weight(t, peakHour, nightFloor, weekendFactor);
            _cumulative[h + 1] = total;
        }
        for (var h = 0; h <= hours; h++)
        {
            _cumulative[h] /= total;
        }
    }

    public double SpanSeconds { get; }

    /// <summary>Relative activity at unix time t: weekday afternoon 1, night about the floor.</summary>
    public static double Weight(double t, double peakHour, double nightFloor, double weekendFactor)
    {
        var hourOfDay = (t % 86400) / 3600.0;
        var d = hourOfDay - peakHour;
        var diurnal = nightFloor + ((1 - nightFloor) * DetMath.Exp(-(d * d) / (2 * 4.5 * 4.5)));
        // 1970-01-01 was a Thursday: day index 2 and 3 (mod 7) are Saturday and Sunday.
        var dayOfWeek = (long)Math.Floor(t / 86400) % 7;
        return diurnal * (dayOfWeek is 2 or 3 ? weekendFactor : 1.0);
    }

    /// <summary>The unix time at cumulative share <paramref name="u"/> in [0, 1].</summary>
    public double TimeAt(double u)
    {
        var hours = _cumulative.Length - 1;
        int lo = 0, hi = hours;
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            if (_cumulative[mid] <= u)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        var width = _cumulative[hi] - _cumulative[lo];
        var frac = width > 0 ? (u - _cumulative[lo]) / width : 0;
        var seconds = (lo + Math.Clamp(frac, 0, 1)) * 3600.0;
        return _start + Math.Min(seconds, SpanSeconds);
    }

    /// <summary>Times of <paramref name="count"/> events of block b of B, sorted.</summary>
    public double[] BlockTimes(ref Xoshiro256StarStar rng, long block, long blocks, int count)
    {
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            times[i] = TimeAt((block + rng.NextDouble()) / blocks);
        }
        Array.Sort(times);
        return times;
    }
}
