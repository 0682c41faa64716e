using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Tests.Identity;

public class KeyTests
{
    [Fact]
    public void FromProtobuf_LoadsJsEd25519PrivateKey_AndDerivesTheSamePeerId()
    {
        using var pair = KeyPair.FromProtobuf(KeyVectors.Hex(KeyVectors.Ed25519Private));
        Assert.Equal(KeyVectors.Ed25519Id, pair.PeerId.ToString());
        Assert.Equal(KeyVectors.Ed25519Cid, pair.PeerId.ToCidString());
        Assert.Equal(KeyVectors.Ed25519Public, Convert.ToHexStringLower(pair.PublicKey.ToProtobuf()));
        Assert.Equal(KeyVectors.Ed25519Private, Convert.ToHexStringLower(pair.ToProtobuf()));
    }

    [Fact]
    public void Sign_ProducesTheSameEd25519SignatureAsJs()
    {
        using var pair = KeyPair.FromProtobuf(KeyVectors.Hex(KeyVectors.Ed25519Private));
        // Ed25519 is deterministic, so equal bytes prove the same key and message encoding.
        Assert.Equal(KeyVectors.Ed25519Sig, Convert.ToHexStringLower(pair.Sign(KeyVectors.MessageBytes)));
    }

    [Theory]
    [InlineData(KeyVectors.Ed25519Public, KeyVectors.Ed25519Sig, KeyType.Ed25519)]
    [InlineData(KeyVectors.Secp256k1Public, KeyVectors.Secp256k1Sig, KeyType.Secp256k1)]
    [InlineData(KeyVectors.EcdsaPublic, KeyVectors.EcdsaSig, KeyType.Ecdsa)]
    [InlineData(KeyVectors.RsaPublic, KeyVectors.RsaSig, KeyType.Rsa)]
    public void Verify_AcceptsJsSignatures_AndRejectsTamperedOnes(string publicHex, string sigHex, KeyType type)
    {
        var key = PublicKey.FromProtobuf(KeyVectors.Hex(publicHex));
        Assert.Equal(type, key.Type);
        var sig = KeyVectors.Hex(sigHex);
        Assert.True(key.Verify(KeyVectors.MessageBytes, sig));

        var otherMessage = KeyVectors.MessageBytes;
        otherMessage[0] ^= 1;
        Assert.False(key.Verify(otherMessage, sig));
        var badSig = (byte[])sig.Clone();
        badSig[^3] ^= 0x40;
        Assert.False(key.Verify(KeyVectors.MessageBytes, badSig));
        Assert.False(key.Verify(KeyVectors.MessageBytes, []));
    }

    [Theory]
    [InlineData(KeyVectors.Ed25519Public, KeyVectors.Ed25519Id, KeyVectors.Ed25519Cid)]
    [InlineData(KeyVectors.Secp256k1Public, KeyVectors.Secp256k1Id, KeyVectors.Secp256k1Cid)]
    [InlineData(KeyVectors.RsaPublic, KeyVectors.RsaId, KeyVectors.RsaCid)]
    public void ToPeerId_MatchesJsPeerIds(string publicHex, string id, string cid)
    {
        var key = PublicKey.FromProtobuf(KeyVectors.Hex(publicHex));
        Assert.Equal(id, key.ToPeerId().ToString());
        Assert.Equal(cid, key.ToPeerId().ToCidString());
        Assert.Equal(publicHex, Convert.ToHexStringLower(key.ToProtobuf()));
    }

    [Fact]
    public void Generate_SignaturesVerifyWithThePublicKeyDecodedFromItsProtobuf()
    {
        using var pair = KeyPair.Generate();
        var decoded = PublicKey.FromProtobuf(pair.PublicKey.ToProtobuf());
        var sig = pair.Sign("hello"u8);
        Assert.True(decoded.Verify("hello"u8, sig));
        Assert.StartsWith("12D3KooW", pair.PeerId.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("08")]
    [InlineData("0801")]
    [InlineData("080512020000")] // unknown key type
    [InlineData("0801122000")] // data shorter than announced
    [InlineData("08011202000000")] // trailing bytes
    [InlineData("120208010801")] // fields out of order
    [InlineData("0801120400000000")] // Ed25519 key of 4 bytes
    [InlineData("08021203010203")] // secp256k1 key of 3 bytes
    [InlineData("0803120400000000")] // ECDSA key that is not DER
    [InlineData("0800120400000000")] // RSA key that is not DER
    public void FromProtobuf_RejectsMalformedKeys(string hex)
    {
        var e = Assert.Throws<Libp2pFormatException>(() => PublicKey.FromProtobuf(Convert.FromHexString(hex)));
        Assert.StartsWith("p2p.format.key", e.Code, StringComparison.Ordinal);
    }

    [Fact]
    public void FromProtobuf_RejectsPrivateKeyWhosePublicHalfDoesNotMatch()
    {
        var bytes = KeyVectors.Hex(KeyVectors.Ed25519Private);
        bytes[^1] ^= 1;
        Assert.Throws<Libp2pFormatException>(() => KeyPair.FromProtobuf(bytes));
    }

    [Fact]
    public async Task LoadOrCreate_WritesAnOwnerOnlyFile_AndReadsTheSameIdentityBack()
    {
        var dir = Directory.CreateTempSubdirectory("linq-key");
        try
        {
            var path = Path.Combine(dir.FullName, "sub", "identity.key");
            using var first = await KeyPair.LoadOrCreateAsync(path, CancellationToken.None);
            using var second = await KeyPair.LoadOrCreateAsync(path, CancellationToken.None);
            Assert.Equal(first.PeerId, second.PeerId);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
