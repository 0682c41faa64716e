using System.Globalization;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Determinism;

namespace LinqP2P.Synth.Generators;

/// <summary>Settings of <see cref="NetworkGenerator"/>.</summary>
public sealed record NetworkOptions
{
    public long Rows { get; init; } = 1_000_000;

    /// <summary>First instant of the log; default 2025-01-01T00:00:00Z.</summary>
    public DateTime Start { get; init; } = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Days covered; default 365 (a year of traffic).</summary>
    public double Days { get; init; } = 365;

    /// <summary>Internal hosts in 10.0.0.0/16; default 500.</summary>
    public int Hosts { get; init; } = 500;

    /// <summary>Share of rows that belong to an attack; default 0.03.</summary>
    public double AttackRate { get; init; } = 0.03;

    public int BlockRows { get; init; } = 8192;
}

/// <summary>
/// Flow logs (one row per flow, NetFlow-like) over a span of time with diurnal and weekly load, a realistic
/// service mix (HTTPS, HTTP, DNS, NTP, SSH, SMTP, databases, ephemeral ports), byte and packet counts tied
/// to the service, and labelled attacks: port_scan (one source sweeping ports with bare SYNs), ddos (many
/// sources flooding one web server) and brute_force (repeated SSH/RDP logins from one source).
/// </summary>
public sealed class NetworkGenerator : IBlockGenerator
{
    public static readonly string[] Labels = ["benign", "port_scan", "ddos", "brute_force"];

    private readonly record struct Service(int Port, string Protocol, double Weight, double MedianBytes, double BytesSigma, double MedianMs);

    private static readonly Service[] Services =
    [
        new(443, "TCP", 0.52, 24_000, 1.6, 900),
        new(80, "TCP", 0.10, 9_000, 1.5, 400),
        new(53, "UDP", 0.17, 180, 0.4, 8),
        new(123, "UDP", 0.03, 90, 0.1, 2),
        new(22, "TCP", 0.03, 60_000, 2.0, 60_000),
        new(25, "TCP", 0.02, 15_000, 1.2, 1_500),
        new(3306, "TCP", 0.04, 4_000, 1.3, 40),
        new(5432, "TCP", 0.03, 3_500, 1.3, 35),
        new(0, "ICMP", 0.02, 84, 0.05, 1),
        new(-1, "TCP", 0.04, 2_000, 1.8, 300), // ephemeral peer-to-peer port
    ];

    private readonly NetworkOptions _options;
    private readonly ulong _seed;
    private readonly TimeProfile _profile;
    private readonly long _blocks;
    private readonly double[] _weights;

    public NetworkGenerator(NetworkOptions options, ulong seed)
    {
        if (options.AttackRate is < 0 or > 0.9)
        {
            throw new SynthInputException("synth.network.attack_rate", "the attack rate must lie in [0, 0.9].", field: "attackRate");
        }
        if (options.Hosts is < 1 or > 65_000)
        {
            throw new SynthInputException("synth.network.hosts", "hosts must lie in 1..65000.", field: "hosts");
        }
        if (options.Rows < 0)
        {
            throw new SynthInputException("synth.rows.invalid", "the row count must not be negative.", field: "rows");
        }
        _options = options;
        _seed = seed;
        _profile = new TimeProfile((options.Start - DateTime.UnixEpoch).TotalSeconds, options.Days, peakHour: 14, nightFloor: 0.2, weekendFactor: 0.55);
        TotalRows = options.Rows;
        BlockRows = options.BlockRows;
        _blocks = ShardPlan.BlockCountOf(this);
        _weights = Services.Select(s => s.Weight).ToArray();
        Columns =
        [
            new("ts", ColumnKind.DateTime) { Precision = TimePrecision.Milliseconds },
            new("src_ip", ColumnKind.Categorical),
            new("dst_ip", ColumnKind.Categorical),
            new("src_port", ColumnKind.Integer),
            new("dst_port", ColumnKind.Integer),
            new("protocol", ColumnKind.Categorical),
            new("bytes", ColumnKind.Integer),
            new("packets", ColumnKind.Integer),
            new("duration_ms", ColumnKind.Integer),
            new("tcp_flags", ColumnKind.Categorical),
            new("label", ColumnKind.Categorical),
            new("is_attack", ColumnKind.Boolean),
        ];
    }

    public string Kind => "network";

    public IReadOnlyList<ColumnSpec> Columns { get; }

    public long TotalRows { get; }

    public int BlockRows { get; }

    private readonly record struct Flow(double Time, string Src, string Dst, int SrcPort, int DstPort, string Protocol, long Bytes, long Packets, long Ms, string Flags, string Label);

    public Frame GenerateBlock(long block)
    {
        var rows = BlockMath.RowsIn(this, block);
        var rng = Xoshiro256StarStar.ForStream(_seed, (ulong)block, 0);
        var times = _profile.BlockTimes(ref rng, block, _blocks, rows);
        var flows = new List<Flow>(rows);
        const double meanEpisode = 80;
        for (var i = 0; flows.Count < rows; i++)
        {
            var t = times[Math.Min(i, rows - 1)];
            if (rng.NextDouble() < _options.AttackRate / meanEpisode)
            {
                Attack(ref rng, t, rows - flows.Count, flows);
            }
            else
            {
                flows.Add(Benign(ref rng, t));
            }
        }
        flows.Sort((a, b) => a.Time.CompareTo(b.Time));
        var frame = new Frame(Columns, rows);
        for (var r = 0; r < rows; r++)
        {
            var f = flows[r];
            frame.Numbers[0][r] = Math.Floor(f.Time * 1000) / 1000;
            frame.Texts[1][r] = f.Src;
            frame.Texts[2][r] = f.Dst;
            frame.Numbers[3][r] = f.SrcPort;
            frame.Numbers[4][r] = f.DstPort;
            frame.Texts[5][r] = f.Protocol;
            frame.Numbers[6][r] = f.Bytes;
            frame.Numbers[7][r] = f.Packets;
            frame.Numbers[8][r] = f.Ms;
            frame.Texts[9][r] = f.Flags;
            frame.Texts[10][r] = f.Label;
            frame.Numbers[11][r] = f.Label == "benign" ? 0 : 1;
        }
        return frame;
    }

    private string Internal(int host) => string.Create(CultureInfo.InvariantCulture, $"10.0.{host / 250}.{(host % 250) + 2}");

    private static string External(ref Xoshiro256StarStar rng)
    {
        // Public-looking addresses: first octet avoids 0, 10, 127 and the multicast range.
        var a = rng.NextInt(11, 224);
        if (a == 127)
        {
            a = 128;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{a}.{rng.NextInt(256)}.{rng.NextInt(256)}.{rng.NextInt(1, 255)}");
    }

    /// <summary>A popular server: a few dozen destinations take most traffic (a Zipf-like rank).</summary>
    private string Server(ref Xoshiro256StarStar rng, Service s)
    {
        var rank = (int)Math.Floor(DetMath.Exp(rng.NextDouble() * DetMath.Log(2000)));
        var sub = Xoshiro256StarStar.ForStream(_seed, (ulong)(rank * 16) + (ulong)(s.Port & 0xFFFF), 5);
        return s.Port is 3306 or 5432 ? Internal(sub.NextInt(Math.Min(_options.Hosts, 20))) : External(ref sub);
    }

    private Flow Benign(ref Xoshiro256StarStar rng, double t)
    {
        var s = Services[Pick(ref rng, _weights)];
        var src = Internal(rng.NextInt(_options.Hosts));
        var dst = Server(ref rng, s);
        var dstPort = s.Port < 0 ? rng.NextInt(1024, 65536) : s.Port;
        var bytes = (long)Math.Max(40, Math.Round(s.MedianBytes * DetMath.Exp(s.BytesSigma * rng.NextGaussian())));
        var packets = Math.Max(1, (long)Math.Round(bytes / (s.Protocol == "UDP" ? 120.0 : 900.0)) + rng.NextInt(3));
        var ms = (long)Math.Round(s.MedianMs * DetMath.Exp(0.8 * rng.NextGaussian()));
        var flags = s.Protocol == "TCP" ? (rng.NextBool(0.03) ? "SR" : "SAPF") : "";
        var srcPort = s.Protocol == "ICMP" ? 0 : rng.NextInt(32768, 61000);
        return new Flow(t, src, dst, srcPort, s.Protocol == "ICMP" ? 0 : dstPort, s.Protocol, bytes, packets, ms, flags, "benign");
    }

    private void Attack(ref Xoshiro256StarStar rng, double t, int room, List<Flow> flows)
    {
        var kind = rng.NextInt(3);
        var victim = Internal(rng.NextInt(_options.Hosts));
        switch (kind)
        {
            case 0:
                var scanner = External(ref rng);
                var port = rng.NextInt(1, 200);
                for (var k = Math.Min(room, rng.NextInt(40, 120)); k > 0; k--)
                {
                    t += 0.002 + (0.05 * rng.NextDouble());
                    port += rng.NextInt(1, 12);
                    flows.Add(new Flow(t, scanner, victim, rng.NextInt(40000, 65535), Math.Min(port, 65535), "TCP", 40 + rng.NextInt(2) * 4, 1, rng.NextInt(3), "S", "port_scan"));
                }
                break;
            case 1:
                var webPort = rng.NextBool(0.5) ? 80 : 443;
                for (var k = Math.Min(room, rng.NextInt(60, 200)); k > 0; k--)
                {
                    t += 0.0005 + (0.01 * rng.NextDouble());
                    var packets = rng.NextInt(20, 400);
                    flows.Add(new Flow(t, External(ref rng), victim, rng.NextInt(1024, 65535), webPort, "TCP", packets * 60L, packets, rng.NextInt(50, 3000), "S", "ddos"));
                }
                break;
            default:
                var attacker = External(ref rng);
                var service = rng.NextBool(0.8) ? 22 : 3389;
                for (var k = Math.Min(room, rng.NextInt(20, 80)); k > 0; k--)
                {
                    t += 0.5 + (3 * rng.NextDouble());
                    var packets = rng.NextInt(12, 30);
                    flows.Add(new Flow(t, attacker, victim, rng.NextInt(32768, 61000), service, "TCP", (packets * 150L) + rng.NextInt(500), packets, rng.NextInt(300, 4000), "SAPF", "brute_force"));
                }
                break;
        }
    }

    private static int Pick(ref Xoshiro256StarStar rng, double[] weights)
    {
        var u = rng.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length - 1; i++)
        {
            u -= weights[i];
            if (u < 0)
            {
                return i;
            }
        }
        return weights.Length - 1;
    }
}
