using System.Text;
using LinqP2P.Market.Messages;
using LinqP2P.Market.Specs;

namespace LinqP2P.Fuzz;

internal static class MarketTargets
{
    private static readonly MarketMessageGate Gate = new(new MarketGateOptions(), TimeProvider.System);

    // The gate must answer every input with a verdict; any exception is a crash.
    [FuzzTarget("market-gate")]
    private static void MarketGate(byte[] input) => Gate.Check(input);

    [FuzzTarget("market-spec-yaml")]
    private static void SpecYaml(byte[] input)
    {
        try
        {
            JobSpecParser.Parse(Encoding.UTF8.GetString(input));
        }
        catch (InvalidJobSpecException)
        {
        }
    }
}
