using System.Text;
using LinqP2P.Libp2p;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Multistream;
using LinqP2P.Libp2p.Noise;
using LinqP2P.Libp2p.Protocols;
using LinqP2P.Libp2p.Yamux;

namespace LinqP2P.Fuzz;

/// <summary>One target per libp2p decoder. Each must end in a value or a typed libp2p error.</summary>
internal static class Libp2pTargets
{
    private static readonly byte[] StaticKey = new byte[32];

    [FuzzTarget("p2p-multiaddr")]
    private static void MultiaddrBytes(byte[] input)
    {
        try
        {
            var ma = Multiaddr.FromBytes(input);
            if (!Multiaddr.Parse(ma.ToString()).Equals(ma))
            {
                throw new InvalidOperationException("a decoded multiaddr does not round-trip through text");
            }
        }
        catch (Libp2pFormatException)
        {
        }
    }

    [FuzzTarget("p2p-multiaddr-text")]
    private static void MultiaddrText(byte[] input)
    {
        try
        {
            Multiaddr.Parse(Encoding.UTF8.GetString(input));
        }
        catch (Libp2pFormatException)
        {
        }
    }

    [FuzzTarget("p2p-peerid")]
    private static void PeerIdBytes(byte[] input)
    {
        try
        {
            var id = PeerId.FromBytes(input);
            if (!PeerId.Parse(id.ToString()).Equals(id) || !PeerId.Parse(id.ToCidString()).Equals(id))
            {
                throw new InvalidOperationException("a peer id does not round-trip");
            }
        }
        catch (Libp2pFormatException)
        {
        }
    }

    [FuzzTarget("p2p-key")]
    private static void PublicKeyProtobuf(byte[] input)
    {
        try
        {
            var key = PublicKey.FromProtobuf(input);
            key.Verify(input, input);
        }
        catch (Libp2pFormatException)
        {
        }
    }

    [FuzzTarget("p2p-multistream")]
    private static void Multistream(byte[] input)
    {
        try
        {
            MultistreamSelect.DecodeBody(input);
        }
        catch (Libp2pProtocolException)
        {
        }
        try
        {
            MultistreamSelect.DecodeLs(input);
        }
        catch (Libp2pProtocolException)
        {
        }
    }

    [FuzzTarget("p2p-noise-payload")]
    private static void NoisePayload(byte[] input)
    {
        try
        {
            NoiseHandshake.VerifyPayload(input, StaticKey, null);
        }
        catch (Libp2pProtocolException)
        {
        }
    }

    [FuzzTarget("p2p-yamux")]
    private static void YamuxFrames(byte[] input)
    {
        // Every 12-byte slice as a header (a short input once, as a truncated header): the decoder must
        // accept or refuse, never crash. Every input reaches the decoder, which AFL needs to see coverage.
        var i = 0;
        do
        {
            try
            {
                YamuxHeader.Read(input.AsSpan(i, Math.Min(YamuxHeader.Size, input.Length - i)));
            }
            catch (Libp2pProtocolException)
            {
            }
            i += YamuxHeader.Size;
        }
        while (i < input.Length);
    }

    [FuzzTarget("p2p-identify")]
    private static void Identify(byte[] input)
    {
        try
        {
            IdentifyService.Decode(input);
        }
        catch (Libp2pProtocolException)
        {
        }
    }
}
