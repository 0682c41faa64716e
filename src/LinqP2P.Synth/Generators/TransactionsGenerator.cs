using System.Globalization;
using LinqP2P.Synth.Data;
using LinqP2P.Synth.Determinism;

namespace LinqP2P.Synth.Generators;

/// <summary>Settings of <see cref="TransactionsGenerator"/>.</summary>
public sealed record TransactionsOptions
{
    public long Rows { get; init; } = 100_000;

    /// <summary>First instant of the log; default 2025-01-01T00:00:00Z.</summary>
    public DateTime Start { get; init; } = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>Days covered; default 30.</summary>
    public double Days { get; init; } = 30;

    /// <summary>Accounts; default rows / 40, at least 100.</summary>
    public int? Accounts { get; init; }

    /// <summary>Share of rows that belong to a fraud pattern; default 0.01.</summary>
    public double FraudRate { get; init; } = 0.01;

    public int BlockRows { get; init; } = 4096;
}

/// <summary>
/// Card and bank transaction logs with labelled fraud. Each account has a fixed profile (home country,
/// spending scale, card) derived from (seed, account) alone; benign rows follow a diurnal/weekly
/// profile; fraud arrives as episodes of five patterns: card_testing (bursts of tiny online charges),
/// velocity (many charges in minutes), account_takeover (night-time transfers out), geo_anomaly (card
/// present abroad minutes after a home purchase) and large_amount (one charge far above the account's scale).
/// </summary>
public sealed class TransactionsGenerator : IBlockGenerator
{
    public static readonly string[] Patterns = ["card_testing", "velocity", "account_takeover", "geo_anomaly", "large_amount"];
    private static readonly string[] Categories = ["grocery", "fuel", "restaurant", "travel", "electronics", "utilities", "cash", "transfer", "online_retail"];
    private static readonly double[] CategoryWeights = [0.26, 0.1, 0.16, 0.03, 0.05, 0.06, 0.07, 0.08, 0.19];
    private static readonly double[] CategoryMedian = [38, 55, 32, 420, 180, 95, 80, 250, 45];
    private static readonly string[] Countries = ["US", "GB", "DE", "FR", "NL", "ES", "IT", "CA", "JP", "BR"];
    private static readonly string[] FarCountries = ["NG", "RU", "VN", "ID", "UA", "PH"];
    private static readonly string[] Currency = ["USD", "GBP", "EUR", "EUR", "EUR", "EUR", "EUR", "CAD", "JPY", "BRL"];

    private readonly TransactionsOptions _options;
    private readonly ulong _seed;
    private readonly TimeProfile _profile;
    private readonly int _accounts;
    private readonly long _blocks;

    public TransactionsGenerator(TransactionsOptions options, ulong seed)
    {
        if (options.FraudRate is < 0 or > 0.5)
        {
            throw new SynthInputException("synth.transactions.fraud_rate", "the fraud rate must lie in [0, 0.5].", field: "fraudRate");
        }
        if (options.Rows < 0)
        {
            throw new SynthInputException("synth.rows.invalid", "the row count must not be negative.", field: "rows");
        }
        _options = options;
        _seed = seed;
        _profile = new TimeProfile((options.Start - DateTime.UnixEpoch).TotalSeconds, options.Days, peakHour: 15, nightFloor: 0.08);
        _accounts = options.Accounts ?? (int)Math.Clamp(options.Rows / 40, 100, 10_000_000);
        TotalRows = options.Rows;
        BlockRows = options.BlockRows;
        _blocks = ShardPlan.BlockCountOf(this);
        Columns =
        [
            new("txn_id", ColumnKind.Integer),
            new("timestamp", ColumnKind.DateTime),
            new("account_id", ColumnKind.Categorical),
            new("card_id", ColumnKind.Categorical),
            new("channel", ColumnKind.Categorical),
            new("merchant_category", ColumnKind.Categorical),
            new("merchant_id", ColumnKind.Categorical),
            new("amount", ColumnKind.Number) { Decimals = 2 },
            new("currency", ColumnKind.Categorical),
            new("country", ColumnKind.Categorical),
            new("is_fraud", ColumnKind.Boolean),
            new("fraud_pattern", ColumnKind.Categorical),
        ];
    }

    public string Kind => "transactions";

    public IReadOnlyList<ColumnSpec> Columns { get; }

    public long TotalRows { get; }

    public int BlockRows { get; }

    private readonly record struct Txn(double Time, int Account, string Channel, string Category, int Merchant, double Amount, string Country, string Pattern);

    private readonly record struct Account(int Home, double Scale, int Card);

    private Account ProfileOf(int account)
    {
        var rng = Xoshiro256StarStar.ForStream(_seed, (ulong)account, 7);
        return new Account(rng.NextInt(Countries.Length), DetMath.Exp(0.45 * rng.NextGaussian()), rng.NextInt(1, 4));
    }

    public Frame GenerateBlock(long block)
    {
        var rows = BlockMath.RowsIn(this, block);
        var rng = Xoshiro256StarStar.ForStream(_seed, (ulong)block, 0);
        var times = _profile.BlockTimes(ref rng, block, _blocks, rows);
        var txns = new List<Txn>(rows);
        const double meanEpisode = 4.0;
        for (var i = 0; txns.Count < rows; i++)
        {
            var t = times[Math.Min(i, rows - 1)];
            if (rng.NextDouble() < _options.FraudRate / meanEpisode)
            {
                Episode(ref rng, t, rows - txns.Count, txns);
            }
            else
            {
                txns.Add(Benign(ref rng, t));
            }
        }
        txns.Sort((a, b) => a.Time.CompareTo(b.Time));
        var frame = new Frame(Columns, rows);
        for (var r = 0; r < rows; r++)
        {
            var x = txns[r];
            var profile = ProfileOf(x.Account);
            frame.Numbers[0][r] = (block * BlockRows) + r + 1;
            frame.Numbers[1][r] = Math.Floor(x.Time);
            frame.Texts[2][r] = "ACC" + x.Account.ToString("D8", CultureInfo.InvariantCulture);
            frame.Texts[3][r] = "CARD" + x.Account.ToString("D8", CultureInfo.InvariantCulture) + "-" + profile.Card.ToString(CultureInfo.InvariantCulture);
            frame.Texts[4][r] = x.Channel;
            frame.Texts[5][r] = x.Category;
            frame.Texts[6][r] = "M" + x.Merchant.ToString("D6", CultureInfo.InvariantCulture);
            frame.Numbers[7][r] = Math.Round(x.Amount, 2);
            var country = Array.IndexOf(Countries, x.Country);
            frame.Texts[8][r] = country >= 0 ? Currency[country] : "USD";
            frame.Texts[9][r] = x.Country;
            frame.Numbers[10][r] = x.Pattern == "none" ? 0 : 1;
            frame.Texts[11][r] = x.Pattern;
        }
        return frame;
    }

    private Txn Benign(ref Xoshiro256StarStar rng, double t)
    {
        var account = rng.NextInt(_accounts);
        var profile = ProfileOf(account);
        var category = Pick(ref rng, CategoryWeights);
        var channel = Categories[category] switch
        {
            "cash" => "atm",
            "transfer" => "transfer",
            "online_retail" => "online",
            _ => rng.NextBool(0.2) ? "online" : "pos",
        };
        var amount = CategoryMedian[category] * profile.Scale * DetMath.Exp(0.7 * rng.NextGaussian());
        var country = rng.NextBool(0.97) ? Countries[profile.Home] : Countries[rng.NextInt(Countries.Length)];
        return new Txn(t, account, channel, Categories[category], MerchantOf(category, rng.NextInt(500)), Math.Max(0.5, amount), country, "none");
    }

    private static int MerchantOf(int category, int index) => (category * 1000) + index;

    private void Episode(ref Xoshiro256StarStar rng, double t, int room, List<Txn> txns)
    {
        var account = rng.NextInt(_accounts);
        var profile = ProfileOf(account);
        var home = Countries[profile.Home];
        var pattern = Patterns[rng.NextInt(Patterns.Length)];
        switch (pattern)
        {
            case "card_testing":
                var merchant = MerchantOf(8, 500 + rng.NextInt(50));
                for (var k = Math.Min(room, rng.NextInt(3, 9)); k > 0; k--)
                {
                    t += rng.NextInt(5, 90);
                    txns.Add(new Txn(t, account, "online", "online_retail", merchant, 0.5 + (1.5 * rng.NextDouble()), home, pattern));
                }
                break;
            case "velocity":
                for (var k = Math.Min(room, rng.NextInt(5, 11)); k > 0; k--)
                {
                    t += rng.NextInt(10, 120);
                    txns.Add(new Txn(t, account, "online", "electronics", MerchantOf(4, rng.NextInt(500)), 150 + (400 * rng.NextDouble()), home, pattern));
                }
                break;
            case "account_takeover":
                // Moved into the small hours of the same day: takeovers favour times the owner sleeps.
                t = (Math.Floor(t / 86400) * 86400) + (3600 * (2 + (3 * rng.NextDouble())));
                for (var k = Math.Min(room, rng.NextInt(1, 4)); k > 0; k--)
                {
                    t += rng.NextInt(60, 600);
                    txns.Add(new Txn(t, account, "transfer", "transfer", MerchantOf(7, 900 + rng.NextInt(100)), 1500 + (6000 * rng.NextDouble()), home, pattern));
                }
                break;
            case "geo_anomaly":
                txns.Add(new Txn(t, account, "pos", "grocery", MerchantOf(0, rng.NextInt(500)), CategoryMedian[0] * profile.Scale, home, "none"));
                if (room > 1)
                {
                    txns.Add(new Txn(t + rng.NextInt(120, 1800), account, "pos", "electronics", MerchantOf(4, rng.NextInt(500)),
                        300 + (900 * rng.NextDouble()), FarCountries[rng.NextInt(FarCountries.Length)], pattern));
                }
                break;
            default:
                txns.Add(new Txn(t, account, "online", "electronics", MerchantOf(4, rng.NextInt(500)),
                    CategoryMedian[4] * profile.Scale * (10 + (40 * rng.NextDouble())), home, pattern));
                break;
        }
    }

    private static int Pick(ref Xoshiro256StarStar rng, double[] weights)
    {
        var u = rng.NextDouble();
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
