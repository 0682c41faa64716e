using System.Text;
using LinqP2P.Multiformats;

namespace LinqP2P.Fuzz;

internal static class MultiformatsTargets
{
    [FuzzTarget("mf-cid-bytes")]
    private static void CidBytes(byte[] input)
    {
        try
        {
            var cid = Cid.Decode(input);
            if (!Cid.Decode(cid.ToBytes()).Equals(cid))
            {
                throw new InvalidOperationException("a decoded CID does not round-trip");
            }
        }
        catch (MultiformatException)
        {
        }
    }

    [FuzzTarget("mf-cid-text")]
    private static void CidText(byte[] input)
    {
        try
        {
            Cid.Parse(Encoding.UTF8.GetString(input));
        }
        catch (MultiformatException)
        {
        }
    }
}
