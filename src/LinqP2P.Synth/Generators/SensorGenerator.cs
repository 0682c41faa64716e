using System.Globalization;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Determinism;

namespace LinqP2P.Synth.Generators;

/// <summary>Settings of <see cref="SensorGenerator"/>.</summary>
public sealed record SensorOptions
{
    public int Sensors { get; init; } = 10;

    /// <summary>Readings per sensor; default 10,080 (a week of minutes).</summary>
    public long Steps { get; init; } = 10_080;

    /// <summary>Seconds between readings; default 60.</summary>
    public double IntervalSeconds { get; init; } = 60;

    public DateTime Start { get; init; } = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Expected anomalies per sensor per 1,000 readings; default 2.</summary>
    public double AnomaliesPerThousand { get; init; } = 2;

    public int BlockRows { get; init; } = 4096;
}

/// <summary>
/// Sensor time series: per sensor a level, a linear trend, daily and weekly seasonality and AR(1) noise,
/// with labelled anomalies: spike, level_shift, drift, stuck (the value freezes) and dropout (missing
/// readings). Rows are ordered by sensor, then time. Everything about window w of sensor s (noise and
/// anomalies) comes from the stream (seed, s, w), so any block can be rebuilt alone.
/// </summary>
public sealed class SensorGenerator : IBlockGenerator
{
    public const int WindowSteps = 1440;
    public static readonly string[] AnomalyTypes = ["spike", "level_shift", "drift", "stuck", "dropout"];

    private readonly SensorOptions _options;
    private readonly ulong _seed;
    private readonly double _start;

    public SensorGenerator(SensorOptions options, ulong seed)
    {
        if (options.Sensors < 1 || options.Steps < 1)
        {
            throw new SynthInputException("synth.sensor.size", "give at least 1 sensor and 1 step.", field: "sensors");
        }
        if (!(options.IntervalSeconds > 0))
        {
            throw new SynthInputException("synth.sensor.interval", "the interval must be positive.", field: "interval");
        }
        if (options.AnomaliesPerThousand is < 0 or > 100)
        {
            throw new SynthInputException("synth.sensor.anomalies", "anomalies per thousand readings must lie in [0, 100].", field: "anomalies");
        }
        _options = options;
        _seed = seed;
        _start = (options.Start - DateTime.UnixEpoch).TotalSeconds;
        TotalRows = options.Sensors * options.Steps;
        BlockRows = options.BlockRows;
        Columns =
        [
            new("ts", ColumnKind.DateTime),
            new("sensor_id", ColumnKind.Categorical),
            new("value", ColumnKind.Number) { Decimals = 4 },
            new("is_anomaly", ColumnKind.Boolean),
            new("anomaly_type", ColumnKind.Categorical),
        ];
    }

    public string Kind => "sensor";

    public IReadOnlyList<ColumnSpec> Columns { get; }

    public long TotalRows { get; }

    public int BlockRows { get; }

    private sealed record Profile(double Level, double TrendPerDay, double DailyAmp, double DailyPhase, double WeeklyAmp, double NoiseSd, double Phi);

    private Profile ProfileOf(int sensor)
    {
        var rng = Xoshiro256StarStar.ForStream(_seed, (ulong)sensor, 11);
        return new Profile(
            Level: 20 + (60 * rng.NextDouble()),
            TrendPerDay: 0.05 * rng.NextGaussian(),
            DailyAmp: 2 + (8 * rng.NextDouble()),
            DailyPhase: 2 * Math.PI * rng.NextDouble(),
            WeeklyAmp: 3 * rng.NextDouble(),
            NoiseSd: 0.3 + (1.2 * rng.NextDouble()),
            Phi: 0.6 + (0.35 * rng.NextDouble()));
    }

    /// <summary>The values and labels of one window (up to 1,440 readings) of one sensor.</summary>
    private (double[] Values, string[] Labels) Window(int sensor, long window)
    {
        var profile = ProfileOf(sensor);
        var first = window * WindowSteps;
        var n = (int)Math.Min(WindowSteps, _options.Steps - first);
        var rng = Xoshiro256StarStar.ForStream(_seed, ((ulong)sensor << 32) | (ulong)window, 13);
        var values = new double[n];
        var labels = new string[n];
        Array.Fill(labels, "none");
        var stationarySd = profile.NoiseSd / Math.Sqrt(1 - (profile.Phi * profile.Phi));
        var noise = stationarySd * rng.NextGaussian();
        for (var i = 0; i < n; i++)
        {
            var t = _start + ((first + i) * _options.IntervalSeconds);
            var days = (t - _start) / 86400;
            noise = (profile.Phi * noise) + (profile.NoiseSd * rng.NextGaussian());
            values[i] = profile.Level + (profile.TrendPerDay * days)
                + (profile.DailyAmp * DetMath.Sin((2 * Math.PI * (t % 86400) / 86400) + profile.DailyPhase))
                + (profile.WeeklyAmp * DetMath.Sin(2 * Math.PI * (t % 604800) / 604800))
                + noise;
        }
        var anomalies = rng.NextPoisson(_options.AnomaliesPerThousand * n / 1000.0);
        for (var a = 0; a < anomalies; a++)
        {
            var type = AnomalyTypes[rng.NextInt(AnomalyTypes.Length)];
            var at = rng.NextInt(n);
            var length = type == "spike" ? 1 : rng.NextInt(10, 120);
            var end = Math.Min(n, at + length);
            var scale = (profile.DailyAmp + (3 * stationarySd)) * (rng.NextBool(0.5) ? 1 : -1);
            var frozen = values[at];
            for (var i = at; i < end; i++)
            {
                if (labels[i] != "none" || double.IsNaN(frozen))
                {
                    continue; // anomalies never overlap, so every reading carries exactly one label
                }
                values[i] = type switch
                {
                    "spike" => values[i] + (scale * (2 + (2 * rng.NextDouble()))),
                    "level_shift" => values[i] + scale,
                    "drift" => values[i] + (scale * 1.5 * (i - at + 1) / (end - at)),
                    "stuck" => frozen,
                    _ => double.NaN,
                };
                labels[i] = type;
            }
        }
        return (values, labels);
    }

    public Frame GenerateBlock(long block)
    {
        var rows = BlockMath.RowsIn(this, block);
        var frame = new Frame(Columns, rows);
        var cache = new Dictionary<(int, long), (double[] Values, string[] Labels)>();
        for (var r = 0; r < rows; r++)
        {
            var g = (block * BlockRows) + r;
            var sensor = (int)(g / _options.Steps);
            var step = g % _options.Steps;
            var key = (sensor, step / WindowSteps);
            if (!cache.TryGetValue(key, out var window))
            {
                window = Window(sensor, key.Item2);
                cache[key] = window;
            }
            var i = (int)(step % WindowSteps);
            frame.Numbers[0][r] = _start + (step * _options.IntervalSeconds);
            frame.Texts[1][r] = "sensor-" + sensor.ToString("D4", CultureInfo.InvariantCulture);
            var v = window.Values[i];
            frame.Numbers[2][r] = double.IsNaN(v) ? double.NaN : Math.Round(v, 4);
            frame.Numbers[3][r] = window.Labels[i] == "none" ? 0 : 1;
            frame.Texts[4][r] = window.Labels[i];
        }
        return frame;
    }
}
