using System.Numerics;
using FsCheck.Xunit;
using LinqP2P.Market.Specs;

namespace LinqP2P.Market.Tests;

public class QuantitiesTests
{
    [Theory]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("4GiB", 4L << 30)]
    [InlineData("2G", 2_000_000_000L)]
    [InlineData("1.5GB", 1_500_000_000L)]
    [InlineData("1024", 1024L)]
    [InlineData("64 KiB", 65536L)]
    public void TryParseSize_ReadsUnits(string text, long expected)
    {
        Assert.True(Quantities.TryParseSize(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("4XB")]
    [InlineData("-1")]
    [InlineData("0.5B")]
    [InlineData("99999999999999TiB")]
    public void TryParseSize_RejectsNonsense(string text) => Assert.False(Quantities.TryParseSize(text, out _));

    [Theory]
    [InlineData("2h", 7200)]
    [InlineData("1h30m", 5400)]
    [InlineData("45s", 45)]
    [InlineData("1d12h", 129600)]
    public void TryParseDuration_ReadsUnits(string text, int seconds)
    {
        Assert.True(Quantities.TryParseDuration(text, out var d));
        Assert.Equal(TimeSpan.FromSeconds(seconds), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2x")]
    [InlineData("h")]
    [InlineData("30m2h")]
    public void TryParseDuration_RejectsNonsense(string text) => Assert.False(Quantities.TryParseDuration(text, out _));

    [Theory]
    [InlineData("1.5", "1500000000000000000")]
    [InlineData("0.25 LNQ", "250000000000000000")]
    [InlineData("1000 wei", "1000")]
    [InlineData("3", "3000000000000000000")]
    public void TryParseTokenAmount_ReadsTokensAndBaseUnits(string text, string baseUnits)
    {
        Assert.True(Quantities.TryParseTokenAmount(text, out var amount));
        Assert.Equal(BigInteger.Parse(baseUnits), amount.BaseUnits);
    }

    [Theory]
    [InlineData("1.0000000000000000001")]
    [InlineData("1.5 wei")]
    [InlineData("-1")]
    [InlineData("one")]
    public void TryParseTokenAmount_RejectsNonsense(string text) => Assert.False(Quantities.TryParseTokenAmount(text, out _));

    [Property]
    public bool TokenAmount_ToStringParsesBack(ulong units)
    {
        var amount = new TokenAmount(units);
        return Quantities.TryParseTokenAmount(amount.ToString(), out var back) && back == amount;
    }
}
