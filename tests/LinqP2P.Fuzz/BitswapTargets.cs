using LinqP2P.Ipfs.Bitswap;

namespace LinqP2P.Fuzz;

internal static class BitswapTargets
{
    [FuzzTarget("bitswap-message")]
    private static void Message(byte[] input)
    {
        try
        {
            var message = BitswapCodec.Decode(input);
            var again = BitswapCodec.Decode(BitswapCodec.Encode(message, BitswapVersion.V120));
            if (!message.Wants.SequenceEqual(again.Wants) || !message.Presences.SequenceEqual(again.Presences)
                || !message.Blocks.Select(b => b.Cid).SequenceEqual(again.Blocks.Select(b => b.Cid)))
            {
                throw new InvalidOperationException("a decoded Bitswap message does not survive re-encoding");
            }
        }
        catch (BitswapProtocolException)
        {
        }
    }
}
