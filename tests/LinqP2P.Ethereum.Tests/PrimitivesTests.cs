using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Core;
using LinqP2P.TestKit;

namespace LinqP2P.Ethereum.Tests;

public sealed class PrimitivesTests
{
    [Fact]
    public async Task Keccak256_MatchesCastOnRandomInputs()
    {
        var inputs = Generators.BytesUpTo(300).Draw(100);
        var expected = await Cast.RunManyAsync(inputs, b => ["keccak", Hex.Encode(b)]);
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(expected[i], Keccak256.Hash(inputs[i]).ToString());
        }
    }

    [Fact]
    public async Task Keccak256_OfText_MatchesCast()
    {
        Assert.Equal(await Cast.RunAsync("keccak", "transfer(address,uint256)"), Keccak256.Hash("transfer(address,uint256)").ToString());
    }

    [Fact]
    public async Task Address_FromPrivateKey_MatchesCastWalletAddress()
    {
        var keys = Generators.Key.Draw(60);
        var expected = await Cast.RunManyAsync(keys, k => ["wallet", "address", "--private-key", Hex.Encode(k.ExportBytes())]);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(expected[i], keys[i].Address.ToString());
        }
    }

    [Fact]
    public async Task Address_ToString_IsCastsChecksum()
    {
        var addresses = Generators.Address.Draw(60);
        var expected = await Cast.RunManyAsync(addresses, a => ["to-check-sum-address", a.ToLowerString()]);
        for (var i = 0; i < addresses.Length; i++)
        {
            Assert.Equal(expected[i], addresses[i].ToString());
            Assert.True(Address.IsChecksummed(expected[i]));
        }
    }

    [Property(MaxTest = 200)]
    public bool Address_Parse_AcceptsChecksummedLowerAndUpperCase(byte[] raw)
    {
        var bytes = new byte[20];
        raw.AsSpan(0, Math.Min(raw.Length, 20)).CopyTo(bytes);
        var a = Address.FromBytes(bytes);
        var hex = Convert.ToHexStringLower(bytes);
        return Address.Parse(a.ToString()) == a
            && Address.Parse("0x" + hex) == a
            && Address.Parse("0x" + hex.ToUpperInvariant()) == a
            && Address.Parse(hex) == a;
    }

    [Property(MaxTest = 200)]
    public void Address_Parse_RejectsMixedCaseWithAFlippedLetter(byte[] raw, int position)
    {
        var bytes = new byte[20];
        raw.AsSpan(0, Math.Min(raw.Length, 20)).CopyTo(bytes);
        var text = Address.FromBytes(bytes).ToString().ToCharArray();
        var letters = Enumerable.Range(2, 40).Where(i => char.IsLetter(text[i])).ToArray();
        var hasLower = text.Skip(2).Any(char.IsLower);
        var hasUpper = text.Skip(2).Any(char.IsUpper);
        if (letters.Length < 2 || !hasLower || !hasUpper)
        {
            return; // all digits or single-case: nothing mixed to corrupt
        }
        var i = letters[Math.Abs(position % letters.Length)];
        text[i] = char.IsUpper(text[i]) ? char.ToLowerInvariant(text[i]) : char.ToUpperInvariant(text[i]);
        var corrupted = new string(text);
        var still = corrupted.Skip(2).Any(char.IsLower) && corrupted.Skip(2).Any(char.IsUpper);
        if (!still)
        {
            return;
        }
        var e = Assert.Throws<InvalidInputException>(() => Address.Parse(corrupted));
        Assert.Equal("eth.address.checksum", e.Code);
    }

    [Theory]
    [InlineData("0x123")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd")]
    [InlineData("0xZaAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    public void Address_Parse_RejectsWrongLengthOrDigits(string text)
    {
        var e = Assert.Throws<InvalidInputException>(() => Address.Parse(text));
        Assert.Equal("eth.address.invalid", e.Code);
    }

    [Property(MaxTest = 200)]
    public bool Hex_RoundTripsBytes(byte[] bytes) => Hex.Decode(Hex.Encode(bytes)).AsSpan().SequenceEqual(bytes);

    [Property(MaxTest = 200)]
    public bool Hex_QuantityRoundTripsAndHasNoLeadingZeros(ulong hi, ulong lo)
    {
        var value = ((BigInteger)hi << 64) | lo;
        var text = Hex.EncodeQuantity(value);
        return Hex.DecodeQuantity(text) == value && (text == "0x0" || text[2] != '0');
    }

    [Theory]
    [InlineData("0x1")]
    [InlineData("0xgg")]
    [InlineData("12 ")]
    public void Hex_Decode_RejectsOddLengthOrNonHex(string text) =>
        Assert.Equal("eth.hex.invalid", Assert.Throws<InvalidInputException>(() => Hex.Decode(text)).Code);

    [Theory]
    [InlineData("1")]
    [InlineData("0x")]
    [InlineData("0xz")]
    public void Hex_DecodeQuantity_RejectsMissingPrefixEmptyOrNonHex(string text) =>
        Assert.Equal("eth.hex.invalid-quantity", Assert.Throws<InvalidInputException>(() => Hex.DecodeQuantity(text)).Code);

    [Fact]
    public async Task Sign_PersonalMessage_EqualsCastWalletSign()
    {
        // cast reads the bare "0x" of an empty message inconsistently across subcommands, so messages are non-empty.
        var cases = Gen.Zip(Generators.Key, Generators.BytesUpTo(100).Where(m => m.Length > 0)).Draw(40);
        var expected = await Cast.RunManyAsync(cases, c => ["wallet", "sign", "--private-key", Hex.Encode(c.Item1.ExportBytes()), Hex.Encode(c.Item2)]);
        for (var i = 0; i < cases.Length; i++)
        {
            var (key, message) = cases[i];
            var signature = key.SignMessage(message);
            Assert.True(expected[i] == signature.ToString(), $"key {Hex.Encode(key.ExportBytes())} message {Hex.Encode(message)}: cast {expected[i]}, ours {signature}");
            Assert.Equal(key.Address, PersonalMessage.RecoverSigner(message, Signature.Parse(expected[i])));
        }
    }

    [Fact]
    public async Task Sign_RawDigest_EqualsCastWalletSignNoHash()
    {
        var cases = Gen.Zip(Generators.Key, Generators.Hash).Draw(60);
        var expected = await Cast.RunManyAsync(cases, c => ["wallet", "sign", "--no-hash", "--private-key", Hex.Encode(c.Item1.ExportBytes()), c.Item2.ToString()]);
        for (var i = 0; i < cases.Length; i++)
        {
            Assert.Equal(expected[i], cases[i].Item1.Sign(cases[i].Item2).ToString());
        }
    }

    [Property(MaxTest = 100)]
    public bool Sign_IsLowS_AndRecoversTheSignerAndVerifies(byte[] seed, byte[] message)
    {
        var key = KeyFrom(seed);
        var digest = Keccak256.Hash(message);
        var signature = key.Sign(digest);
        return signature.IsLowS
            && signature.Recover(digest).Equals(key.PublicKey)
            && key.PublicKey.Verify(digest, signature)
            && signature.Equals(key.Sign(digest));
    }

    [Property(MaxTest = 100)]
    public bool Recover_WithTheOtherRecoveryId_GivesAnotherKey(byte[] seed, byte[] message)
    {
        var key = KeyFrom(seed);
        var digest = Keccak256.Hash(message);
        var s = key.Sign(digest);
        var flipped = new Signature(s.R, s.S, (byte)(s.RecoveryId ^ 1));
        return flipped.RecoverAddress(digest) != key.Address;
    }

    [Property(MaxTest = 100)]
    public bool Verify_RejectsSignatureOverAnotherDigest(byte[] seed, byte[] message)
    {
        var key = KeyFrom(seed);
        var digest = Keccak256.Hash(message);
        var other = Keccak256.Hash(digest.Span);
        return !key.PublicKey.Verify(other, key.Sign(digest));
    }

    [Property(MaxTest = 100)]
    public bool PublicKey_CompressedAndUncompressedFormsRoundTrip(byte[] seed)
    {
        var pub = KeyFrom(seed).PublicKey;
        return PublicKey.FromBytes(pub.ToCompressed()).Equals(pub)
            && PublicKey.FromBytes(pub.ToUncompressed()).Equals(pub)
            && PublicKey.FromBytes(pub.ToUncompressed64()).Equals(pub);
    }

    [Property(MaxTest = 200)]
    public void PublicKey_FromRandomBytes_ThrowsOnlyTypedErrors(byte[] bytes)
    {
        try
        {
            PublicKey.FromBytes(bytes);
        }
        catch (InvalidInputException)
        {
        }
    }

    [Property(MaxTest = 200)]
    public void Signature_FromRandomBytes_ThrowsOnlyTypedErrors(byte[] bytes, byte[] digest)
    {
        try
        {
            var padded = new byte[65];
            bytes.AsSpan(0, Math.Min(65, bytes.Length)).CopyTo(padded);
            Signature.FromBytes(bytes.Length >= 65 ? padded : bytes).Recover(Keccak256.Hash(digest));
        }
        catch (InvalidInputException)
        {
        }
    }

    [Fact]
    public void Recover_OfTheDefaultSignature_ThrowsATypedError() =>
        Assert.Equal("eth.signature.unrecoverable", Assert.Throws<InvalidInputException>(() => default(Signature).Recover(Hash32.Zero)).Code);

    [Fact]
    public void PrivateKey_RejectsZeroAndOrder()
    {
        Assert.Throws<InvalidInputException>(() => PrivateKey.FromBytes(new byte[32]));
        Assert.Throws<InvalidInputException>(() => PrivateKey.Parse("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"));
        Assert.NotNull(PrivateKey.Parse("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"));
    }

    [Fact]
    public void PrivateKey_ToString_DoesNotRevealTheSecret()
    {
        var key = PrivateKey.Generate();
        Assert.DoesNotContain(Convert.ToHexStringLower(key.ExportBytes()), key.ToString().ToLowerInvariant(), StringComparison.Ordinal);
    }

    [Property(MaxTest = 100)]
    public bool Signature_Normalize_FlipsHighSAndStillRecovers(byte[] seed, byte[] message)
    {
        var key = KeyFrom(seed);
        var digest = Keccak256.Hash(message);
        var low = key.Sign(digest);
        var high = new Signature(low.R, Secp256k1.NumericsN - low.S, (byte)(low.RecoveryId ^ 1));
        return !high.IsLowS && high.RecoverAddress(digest) == key.Address && high.Normalize() == low;
    }

    [Property(MaxTest = 300)]
    public void TextParsers_OfRandomStrings_ThrowOnlyTypedErrors(string text)
    {
        text ??= "";
        foreach (var parse in new Action[] { () => Address.Parse(text), () => Hash32.Parse(text), () => Hex.Decode(text), () => Hex.DecodeQuantity(text), () => PrivateKey.Parse(text), () => Signature.Parse(text) })
        {
            try
            {
                parse();
            }
            catch (InvalidInputException)
            {
            }
        }
    }

    private static PrivateKey KeyFrom(byte[] seed) => PrivateKey.FromBytes(Keccak256.Hash(seed).Span.ToArray() is var b && b[0] == 0xff ? [.. b[1..], 1] : b);
}
