using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Ipfs.DagPb;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Tests;

public class DagPbCodecTests
{
    private static readonly Cid SomeCid = Cid.V1(Multicodec.Raw, Multihash.Sha256([1, 2, 3]));

    [Fact]
    public void Encode_WritesLinksBeforeData()
    {
        var bytes = DagPbCodec.Encode(new PbNode([new PbLink(SomeCid, "a", 3)], new byte[] { 8, 1 }));
        Assert.Equal(0x12, bytes[0]);
        Assert.Equal(new byte[] { 0x0a, 0x02, 0x08, 0x01 }, bytes[^4..]);
    }

    [Fact]
    public void Encode_DistinguishesEmptyNameFromNoName()
    {
        var empty = DagPbCodec.Encode(new PbNode([new PbLink(SomeCid, "", 1)], null));
        var none = DagPbCodec.Encode(new PbNode([new PbLink(SomeCid, null, 1)], null));
        Assert.Equal(none.Length + 2, empty.Length);
        Assert.Equal("", DagPbCodec.Decode(empty).Links[0].Name);
        Assert.Null(DagPbCodec.Decode(none).Links[0].Name);
    }

    [Fact]
    public void Encode_OfEmptyNodeIsEmpty()
    {
        Assert.Empty(DagPbCodec.Encode(new PbNode([], null)));
        var node = DagPbCodec.Decode([]);
        Assert.Empty(node.Links);
        Assert.Null(node.Data);
    }

    [Fact]
    public void Decode_RejectsDataBeforeLinks()
    {
        var canonical = DagPbCodec.Encode(new PbNode([new PbLink(SomeCid, "a", 3)], new byte[] { 8, 1 }));
        var data = canonical[^4..];
        var swapped = data.Concat(canonical[..^4]).ToArray();
        var e = Assert.Throws<IpfsFormatException>(() => DagPbCodec.Decode(swapped));
        Assert.Equal("ipfs.dagpb.field_after_data", e.Code);
    }

    [Fact]
    public void Decode_RejectsUnknownField()
    {
        var e = Assert.Throws<IpfsFormatException>(() => DagPbCodec.Decode([0x1a, 0x00]));
        Assert.Equal("ipfs.dagpb.unknown_field", e.Code);
    }

    [Fact]
    public void Decode_RejectsLinkWithoutHash()
    {
        // Links: { Name: "a" }
        var e = Assert.Throws<IpfsFormatException>(() => DagPbCodec.Decode([0x12, 0x03, 0x12, 0x01, 0x61]));
        Assert.Equal("ipfs.dagpb.link_no_hash", e.Code);
    }

    [Fact]
    public void Decode_RejectsLinkFieldsOutOfOrder()
    {
        var cid = SomeCid.ToBytes();
        var link = new byte[] { 0x18, 0x01, 0x0a, (byte)cid.Length }.Concat(cid).ToArray();
        var node = new byte[] { 0x12, (byte)link.Length }.Concat(link).ToArray();
        var e = Assert.Throws<IpfsFormatException>(() => DagPbCodec.Decode(node));
        Assert.Equal("ipfs.dagpb.link_field_order", e.Code);
    }

    [Fact]
    public void Decode_RejectsTruncatedLength()
    {
        Assert.Throws<IpfsFormatException>(() => DagPbCodec.Decode([0x0a, 0x05, 0x01]));
    }

    [Fact]
    public void Decode_RejectsNonMinimalVarint()
    {
        var e = Assert.Throws<IpfsFormatException>(() => DagPbCodec.Decode([0x0a, 0x81, 0x00, 0x01]));
        Assert.Equal("ipfs.dagpb.varint_not_minimal", e.Code);
    }

    [Fact]
    public void Decode_RejectsInvalidUtf8Name()
    {
        var cid = SomeCid.ToBytes();
        var link = new byte[] { 0x0a, (byte)cid.Length }.Concat(cid).Concat(new byte[] { 0x12, 0x01, 0xff }).ToArray();
        var node = new byte[] { 0x12, (byte)link.Length }.Concat(link).ToArray();
        Assert.Equal("ipfs.dagpb.link_bad_name", Assert.Throws<IpfsFormatException>(() => DagPbCodec.Decode(node)).Code);
    }

    [Fact]
    public void DecodeAndEncode_RefuseBlocksOver2MiB()
    {
        var data = new byte[Limits.MaxBlockSize];
        Assert.Equal("ipfs.dagpb.too_large", Assert.Throws<IpfsFormatException>(() => DagPbCodec.Encode(new PbNode([], data))).Code);
        Assert.Equal("ipfs.dagpb.too_large", Assert.Throws<IpfsFormatException>(() => DagPbCodec.Decode(new byte[Limits.MaxBlockSize + 1])).Code);
    }

    [Property]
    public bool EncodeThenDecode_RoundTripsToTheSameBytes(byte[][] hashes, string?[] names, ulong[] sizes, byte[]? data)
    {
        var links = new List<PbLink>();
        for (var i = 0; i < hashes.Length; i++)
        {
            var name = i < names.Length ? names[i] : null;
            if (name is not null && name.Any(char.IsSurrogate))
            {
                name = "s";
            }
            links.Add(new PbLink(Cid.V1(Multicodec.Raw, Multihash.Sha256(hashes[i] ?? [])), name, i < sizes.Length ? sizes[i] : null));
        }
        var bytes = DagPbCodec.Encode(new PbNode(links, data));
        var decoded = DagPbCodec.Decode(bytes);
        return DagPbCodec.Encode(decoded).AsSpan().SequenceEqual(bytes)
            && decoded.Links.Count == links.Count
            && decoded.Links.Zip(links).All(p => p.First.Equals(p.Second))
            && (data is null ? decoded.Data is null : decoded.Data!.Value.Span.SequenceEqual(data));
    }

    [Property]
    public void Decode_OfRandomBytesThrowsOnlyFormatErrors(byte[] input)
    {
        try
        {
            var node = DagPbCodec.Decode(input);
            Assert.Equal(input, DagPbCodec.Encode(node));
        }
        catch (IpfsFormatException)
        {
        }
    }

    [Property]
    public Property Decode_OfMutatedValidNodesThrowsOnlyFormatErrors()
    {
        var valid = DagPbCodec.Encode(new PbNode([new PbLink(SomeCid, "name", 12), new PbLink(SomeCid, "", null)], new byte[] { 8, 2, 0x12, 1, 0x41 }));
        return Prop.ForAll(Gen.Choose(0, valid.Length - 1).Zip(Gen.Choose(0, 255)).ToArbitrary(), t =>
        {
            var copy = (byte[])valid.Clone();
            copy[t.Item1] = (byte)t.Item2;
            try
            {
                var node = DagPbCodec.Decode(copy);
                return DagPbCodec.Encode(node).AsSpan().SequenceEqual(copy);
            }
            catch (IpfsFormatException)
            {
                return true;
            }
        });
    }
}
