using LinqP2P.Libp2p.Gossipsub;

namespace LinqP2P.Fuzz;

internal static class GossipsubTargets
{
    // Any frame a peer can send: it must decode to an RPC that re-encodes and decodes to the same
    // bytes, or fail with a GossipsubException.
    [FuzzTarget("p2p-gossipsub-rpc")]
    private static void Rpc(byte[] input)
    {
        try
        {
            var rpc = RpcCodec.Decode(input);
            var encoded = RpcCodec.Encode(rpc);
            if (!RpcCodec.Encode(RpcCodec.Decode(encoded, new RpcLimits { MaxRpcSize = 4 * input.Length + 64 })).AsSpan().SequenceEqual(encoded))
            {
                throw new InvalidOperationException("a decoded gossipsub RPC does not round-trip");
            }
        }
        catch (GossipsubException)
        {
        }
    }
}
