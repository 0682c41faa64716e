using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace LinqP2P.Market.Specs;

/// <summary>Parsers for the human units a spec is written in: sizes, durations and LNQ amounts.</summary>
public static partial class Quantities
{
    /// <summary>"512MiB", "4GiB", "2G", "1.5GB", or a plain number of bytes.</summary>
    public static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var m = SizePattern().Match(text.Trim());
        if (!m.Success || !decimal.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        decimal factor = m.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1e3m,
            "M" or "MB" => 1e6m,
            "G" or "GB" => 1e9m,
            "T" or "TB" => 1e12m,
            "KI" or "KIB" => 1L << 10,
            "MI" or "MIB" => 1L << 20,
            "GI" or "GIB" => 1L << 30,
            "TI" or "TIB" => 1L << 40,
            _ => 0,
        };
        if (factor == 0)
        {
            return false;
        }
        var value = number * factor;
        if (value > long.MaxValue || value != decimal.Truncate(value))
        {
            return false;
        }
        bytes = (long)value;
        return true;
    }

    /// <summary>"2h", "90m", "1h30m", "45s", "1d", "1d12h".</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.Trim();
        var m = DurationPattern().Match(s);
        if (!m.Success || s.Length == 0)
        {
            return false;
        }
        double total = 0;
        foreach (var (group, seconds) in new[] { (1, 86400.0), (2, 3600.0), (3, 60.0), (4, 1.0) })
        {
            if (m.Groups[group].Success)
            {
                total += double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) * seconds;
            }
        }
        if (total > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }
        duration = TimeSpan.FromSeconds(total);
        return true;
    }

    /// <summary>"1.5", "1.5 LNQ" (tokens) or "1500 wei" (base units).</summary>
    public static bool TryParseTokenAmount(string text, out TokenAmount amount)
    {
        amount = default;
        var m = AmountPattern().Match(text.Trim());
        if (!m.Success)
        {
            return false;
        }
        var unit = m.Groups[3].Value.ToUpperInvariant();
        var whole = BigInteger.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var fraction = m.Groups[2].Success ? m.Groups[2].Value : "";
        if (unit == "WEI")
        {
            if (fraction.Length > 0)
            {
                return false;
            }
            amount = new TokenAmount(whole);
            return true;
        }
        if (fraction.Length > TokenAmount.Decimals)
        {
            return false;
        }
        var baseUnits = whole * TokenAmount.OneToken
            + (fraction.Length == 0 ? BigInteger.Zero : BigInteger.Parse(fraction.PadRight(TokenAmount.Decimals, '0'), CultureInfo.InvariantCulture));
        amount = new TokenAmount(baseUnits);
        return true;
    }

    [GeneratedRegex(@"^([0-9]{1,15}(?:\.[0-9]{1,6})?)\s*([A-Za-z]{0,3})$")]
    private static partial Regex SizePattern();

    [GeneratedRegex(@"^(?:([0-9]{1,4}(?:\.[0-9]+)?)d)?(?:([0-9]{1,6}(?:\.[0-9]+)?)h)?(?:([0-9]{1,7}(?:\.[0-9]+)?)m)?(?:([0-9]{1,9}(?:\.[0-9]+)?)s)?$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^([0-9]{1,40})(?:\.([0-9]{1,40}))?\s*(LNQ|lnq|wei|WEI)?$")]
    private static partial Regex AmountPattern();
}
