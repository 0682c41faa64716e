using FsCheck;
using FsCheck.Xunit;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Tests.Identity;

namespace LinqP2P.Libp2p.Tests.Addressing;

public class MultiaddrTests
{
    [Theory]
    [InlineData("/ip4/127.0.0.1/tcp/4001", "047f000001060fa1")]
    [InlineData("/ip6/::1/tcp/0", "29000000000000000000000000000000010600 00")]
    [InlineData("/ip4/1.2.3.4/udp/1234/quic-v1", "0401020304910204d2cd03")]
    [InlineData("/dns4/example.com/tcp/443", "360b6578616d706c652e636f6d0601bb")]
    [InlineData("/dns/localhost/tcp/1", "35096c6f63616c686f7374060001")]
    [InlineData("/dns6/a/tcp/1", "370161060001")]
    [InlineData("/p2p-circuit", "a202")]
    public void Parse_ProducesTheSpecBinaryForm_AndBack(string text, string hex)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
        var ma = Multiaddr.Parse(text);
        Assert.Equal(bytes, ma.ToBytes());
        Assert.Equal(text, Multiaddr.FromBytes(bytes).ToString());
    }

    [Fact]
    public void P2pComponent_CarriesThePeerId_AndIpfsIsAnAlias()
    {
        var text = "/ip4/127.0.0.1/tcp/4001/p2p/" + KeyVectors.Ed25519Id;
        var ma = Multiaddr.Parse(text);
        Assert.Equal(KeyVectors.Ed25519Id, ma.PeerId!.ToString());
        Assert.Equal(text, ma.ToString());
        Assert.Equal(ma, Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001/ipfs/" + KeyVectors.Ed25519Cid));
        Assert.Equal("/ip4/127.0.0.1/tcp/4001", ma.WithoutPeerId().ToString());
        Assert.True(ma.TryGetTcpEndpoint(out var host, out var port, out _));
        Assert.Equal(("127.0.0.1", 4001), (host, port));
    }

    [Fact]
    public void CircuitAddress_IsNotADirectTcpEndpoint()
    {
        var ma = Multiaddr.Parse($"/ip4/1.2.3.4/tcp/1/p2p/{KeyVectors.Ed25519Id}/p2p-circuit/p2p/{KeyVectors.Secp256k1Id}");
        Assert.False(ma.TryGetTcpEndpoint(out _, out _, out _));
        Assert.Equal(KeyVectors.Secp256k1Id, ma.PeerId!.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("ip4/1.2.3.4")]
    [InlineData("/ip4/1.2.3")]
    [InlineData("/ip4/256.0.0.1")]
    [InlineData("/ip4/::1")]
    [InlineData("/ip6/1.2.3.4")]
    [InlineData("/tcp/65536")]
    [InlineData("/tcp/-1")]
    [InlineData("/tcp")]
    [InlineData("/foo/1")]
    [InlineData("/p2p/notapeerid")]
    [InlineData("/dns4/a%2fb/x")]
    public void Parse_RejectsMalformedText(string text)
    {
        var e = Assert.Throws<Libp2pFormatException>(() => Multiaddr.Parse(text));
        Assert.StartsWith("p2p.format.", e.Code, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("04")] // ip4 without value
    [InlineData("047f0000")] // truncated ip4
    [InlineData("0601")] // truncated port
    [InlineData("ff7f")] // unknown code
    [InlineData("3505616263")] // dns length beyond input
    [InlineData("a503000301")] // p2p value that is no peer id
    [InlineData("8080808080808080808001")] // overlong varint
    public void FromBytes_RejectsMalformedBinary(string hex)
    {
        Assert.Throws<Libp2pFormatException>(() => Multiaddr.FromBytes(Convert.FromHexString(hex)));
    }

    [Property(MaxTest = 300)]
    public void FromBytes_OnRandomBytes_RoundTripsOrThrowsFormatError(byte[] bytes)
    {
        try
        {
            var ma = Multiaddr.FromBytes(bytes);
            Assert.Equal(bytes, ma.ToBytes());
            Assert.Equal(ma, Multiaddr.Parse(ma.ToString()));
        }
        catch (Libp2pFormatException)
        {
        }
    }

    [Property(MaxTest = 300)]
    public void Ip4TcpAddresses_RoundTripThroughText(byte a, byte b, byte c, byte d, ushort port)
    {
        var text = $"/ip4/{a}.{b}.{c}.{d}/tcp/{port}";
        var ma = Multiaddr.Parse(text);
        Assert.Equal(text, ma.ToString());
        Assert.Equal(ma, Multiaddr.FromBytes(ma.ToBytes()));
    }
}
