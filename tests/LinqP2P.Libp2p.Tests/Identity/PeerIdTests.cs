using FsCheck;
using FsCheck.Xunit;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Tests.Identity;

public class PeerIdTests
{
    [Theory]
    [InlineData(KeyVectors.Ed25519Id, KeyVectors.Ed25519Cid)]
    [InlineData(KeyVectors.Secp256k1Id, KeyVectors.Secp256k1Cid)]
    [InlineData(KeyVectors.RsaId, KeyVectors.RsaCid)]
    public void Parse_AcceptsBase58AndCidForms_OfTheSamePeer(string base58, string cid)
    {
        var a = PeerId.Parse(base58);
        var b = PeerId.Parse(cid);
        Assert.Equal(a, b);
        Assert.Equal(base58, b.ToString());
        Assert.Equal(cid, a.ToCidString());
        Assert.Equal(a, PeerId.FromBytes(a.ToBytes()));
    }

    [Fact]
    public void InlinePublicKey_IsTheKeyForIdentityIds_AndNullForHashedOnes()
    {
        var ed = PeerId.Parse(KeyVectors.Ed25519Id);
        Assert.NotNull(ed.InlinePublicKey);
        Assert.True(ed.Matches(ed.InlinePublicKey!));
        Assert.Null(PeerId.Parse(KeyVectors.RsaId).InlinePublicKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12D3KooW")] // truncated
    [InlineData("12D3KooWF9jVjji3xL3TKLUbbEnoTudThfRcUdv8j47N4MA3Uaq0")] // '0' is not base58
    [InlineData("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")] // a dag-pb CID, not libp2p-key
    [InlineData("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd")] // 45 chars: wrong length
    [InlineData("zzzz")]
    public void Parse_RejectsTextThatIsNotAPeerId(string text)
    {
        Assert.False(PeerId.TryParse(text, out _));
        Assert.Throws<Libp2pFormatException>(() => PeerId.Parse(text));
    }

    [Fact]
    public void FromBytes_RejectsIdentityMultihashThatHoldsNoKey()
    {
        Assert.Throws<Libp2pFormatException>(() => PeerId.FromBytes([0x00, 0x03, 1, 2, 3]));
    }

    [Property(MaxTest = 50)]
    public void GeneratedIds_RoundTripThroughBothTextForms(PositiveInt seedSalt)
    {
        var seed = new byte[32];
        BitConverter.GetBytes(seedSalt.Get).CopyTo(seed, 0);
        using var pair = KeyPair.FromSeed(seed);
        Assert.Equal(pair.PeerId, PeerId.Parse(pair.PeerId.ToString()));
        Assert.Equal(pair.PeerId, PeerId.Parse(pair.PeerId.ToCidString()));
    }

    [Property(MaxTest = 500)]
    public void FromBytes_OnRandomBytes_ReturnsOrThrowsFormatError(byte[] bytes)
    {
        try
        {
            var id = PeerId.FromBytes(bytes);
            Assert.Equal(id, PeerId.FromBytes(id.ToBytes()));
        }
        catch (Libp2pFormatException)
        {
        }
    }

    [Property(MaxTest = 500)]
    public void PublicKeyFromProtobuf_OnRandomBytes_ReturnsOrThrowsFormatError(byte[] bytes)
    {
        try
        {
            PublicKey.FromProtobuf(bytes);
        }
        catch (Libp2pFormatException)
        {
        }
    }

    [Fact]
    public void Ordering_IsByteWise()
    {
        var a = PeerId.Parse(KeyVectors.RsaId);
        var b = PeerId.Parse(KeyVectors.Ed25519Id);
        Assert.True(b < a); // identity code 0x00 sorts before sha2-256 0x12
        Assert.NotEqual(a, b);
    }

}
