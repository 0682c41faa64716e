using System.Text;
using FsCheck.Xunit;

namespace LinqP2P.Multiformats.Tests;

public class CidTests
{
    [Fact]
    public void V0_IsTheBase58OfTheSha256Multihash()
    {
        var data = Encoding.ASCII.GetBytes("linq");
        var cid = Cid.V0(Multihash.Sha256(data));
        var text = cid.ToString();
        Assert.StartsWith("Qm", text);
        Assert.Equal(46, text.Length);
        Assert.Equal(cid, Cid.Parse(text));
        Assert.True(cid.Hash.Matches(data));
    }

    [Fact]
    public void V1_TextStartsWithBafkForRawSha256()
    {
        // varint(1)=01, raw=55, sha2-256=12, len=20: base32 of 0x01551220... begins "bafkrei".
        var cid = Cid.V1(Multicodec.Raw, Multihash.Sha256([]));
        Assert.StartsWith("bafkrei", cid.ToString());
        Assert.Equal(cid, Cid.Parse(cid.ToString()));
        Assert.Equal(cid, Cid.Parse(cid.ToString(Multibase.Encoding.Base58Btc)));
    }

    [Fact]
    public void V0_ConvertsToV1WithTheSameHash()
    {
        var v0 = Cid.V0(Multihash.Sha256([1, 2, 3]));
        var v1 = v0.ToV1();
        Assert.Equal(1, v1.Version);
        Assert.Equal(Multicodec.DagPb, v1.Codec);
        Assert.StartsWith("bafybei", v1.ToString());
        Assert.Equal(v0.Hash, v1.Hash);
    }

    [Fact]
    public void Parse_RejectsUnknownVersion()
    {
        var bytes = new byte[] { 0x02, 0x55, 0x00, 0x00 };
        var e = Assert.Throws<MultiformatException>(() => Cid.Decode(bytes));
        Assert.Equal("multiformats.cid.version", e.Code);
    }

    [Fact]
    public void Decode_RejectsTruncatedDigest()
    {
        var bytes = Cid.V1(Multicodec.Raw, Multihash.Sha256([9])).ToBytes();
        Assert.Throws<MultiformatException>(() => Cid.Decode(bytes.AsSpan(0, bytes.Length - 1)));
    }

    [Fact]
    public void Multihash_RejectsSha256OfWrongLength()
    {
        Assert.Throws<MultiformatException>(() => Multihash.Decode([0x12, 0x03, 1, 2, 3]));
    }

    [Property]
    public bool V1_RoundTripsThroughBytesAndText(byte[] data, bool raw)
    {
        var cid = Cid.V1(raw ? Multicodec.Raw : Multicodec.DagPb, Multihash.Sha256(data));
        return Cid.Decode(cid.ToBytes()).Equals(cid) && Cid.Parse(cid.ToString()).Equals(cid);
    }

    [Property]
    public bool IdentityCid_RoundTripsSmallPayloads(byte[] data)
    {
        var payload = data.Length > Multihash.MaxDigestLength ? data[..Multihash.MaxDigestLength] : data;
        var cid = Cid.V1(Multicodec.Libp2pKey, Multihash.Identity(payload));
        return Cid.Decode(cid.ToBytes()).Hash.Digest.SequenceEqual(payload);
    }

    [Property]
    public void Decode_NeverThrowsAnythingButMultiformatException(byte[] input)
    {
        try
        {
            Cid.Decode(input);
        }
        catch (MultiformatException)
        {
        }
    }

    [Property]
    public void Parse_NeverThrowsAnythingButMultiformatException(string? text)
    {
        try
        {
            Cid.Parse(text ?? "");
        }
        catch (MultiformatException)
        {
        }
    }
}
