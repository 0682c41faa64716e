using System.Text;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.DagPb;

/// <summary>
/// The dag-pb codec, written by hand because the canonical form is stricter than protobuf: links
/// (field 2) are written before data (field 1) although their numbers say otherwise, link fields come in
/// Hash, Name, Tsize order, Data appears at most once and nothing else may appear. Decoding accepts only
/// that form, so decoding then encoding gives back the same bytes and the same CID.
/// </summary>
public static class DagPbCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Encode(PbNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var linkBytes = new byte[node.Links.Count][];
        var size = 0;
        for (var i = 0; i < node.Links.Count; i++)
        {
            linkBytes[i] = EncodeLink(node.Links[i]);
            size += ProtoWire.SizeOfBytesField(linkBytes[i].Length);
        }
        if (node.Data is { } data)
        {
            size += ProtoWire.SizeOfBytesField(data.Length);
        }
        if (size > Limits.MaxBlockSize)
        {
            throw new IpfsFormatException("dagpb.too_large", $"a dag-pb node of {size} bytes exceeds the {Limits.MaxBlockSize}-byte block limit");
        }
        var bytes = new byte[size];
        var n = 0;
        foreach (var link in linkBytes)
        {
            n += ProtoWire.WriteBytesField(2, link, bytes.AsSpan(n));
        }
        if (node.Data is { } d)
        {
            n += ProtoWire.WriteBytesField(1, d.Span, bytes.AsSpan(n));
        }
        return bytes;
    }

    private static byte[] EncodeLink(PbLink link)
    {
        ArgumentNullException.ThrowIfNull(link.Hash);
        var hash = link.Hash.ToBytes();
        var name = link.Name is null ? null : StrictUtf8.GetBytes(link.Name);
        var size = ProtoWire.SizeOfBytesField(hash.Length);
        if (name is not null)
        {
            size += ProtoWire.SizeOfBytesField(name.Length);
        }
        if (link.Tsize is { } t)
        {
            size += ProtoWire.SizeOfVarintField(t);
        }
        var bytes = new byte[size];
        var n = ProtoWire.WriteBytesField(1, hash, bytes);
        if (name is not null)
        {
            n += ProtoWire.WriteBytesField(2, name, bytes.AsSpan(n));
        }
        if (link.Tsize is { } tsize)
        {
            ProtoWire.WriteVarintField(3, tsize, bytes.AsSpan(n));
        }
        return bytes;
    }

    /// <summary>Decodes one canonical dag-pb block; anything else throws <see cref="IpfsFormatException"/>.</summary>
    public static PbNode Decode(ReadOnlySpan<byte> block)
    {
        if (block.Length > Limits.MaxBlockSize)
        {
            throw new IpfsFormatException("dagpb.too_large", $"a dag-pb block of {block.Length} bytes exceeds the {Limits.MaxBlockSize}-byte block limit");
        }
        var reader = new ProtoReader(block, "dagpb");
        var links = new List<PbLink>();
        ReadOnlyMemory<byte>? data = null;
        while (!reader.AtEnd)
        {
            reader.ReadTag(out var field, out var wireType);
            if (data is not null)
            {
                throw new IpfsFormatException("dagpb.field_after_data", "a dag-pb node has a field after Data (Data must come last and only once)");
            }
            reader.Expect(wireType, ProtoWire.LengthDelimited, field.ToString(System.Globalization.CultureInfo.InvariantCulture));
            switch (field)
            {
                case 1:
                    data = reader.ReadBytes().ToArray();
                    break;
                case 2:
                    links.Add(DecodeLink(reader.ReadBytes()));
                    break;
                default:
                    throw new IpfsFormatException("dagpb.unknown_field", $"a dag-pb node has unknown field {field}");
            }
        }
        return new PbNode(links, data);
    }

    private static PbLink DecodeLink(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes, "dagpb.link");
        Cid? hash = null;
        string? name = null;
        ulong? tsize = null;
        var lastField = 0;
        while (!reader.AtEnd)
        {
            reader.ReadTag(out var field, out var wireType);
            if (field <= lastField)
            {
                throw new IpfsFormatException("dagpb.link_field_order", "a dag-pb link repeats a field or writes them out of Hash, Name, Tsize order");
            }
            lastField = field;
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, ProtoWire.LengthDelimited, "Hash");
                    var cidBytes = reader.ReadBytes();
                    if (cidBytes.Length > Limits.MaxCidLength)
                    {
                        throw new IpfsFormatException("dagpb.link_hash_too_long", $"a dag-pb link hash of {cidBytes.Length} bytes exceeds {Limits.MaxCidLength}");
                    }
                    try
                    {
                        hash = Cid.Decode(cidBytes);
                    }
                    catch (MultiformatException e)
                    {
                        throw new IpfsFormatException("dagpb.link_bad_cid", "a dag-pb link hash is not a valid CID: " + e.Message, e);
                    }
                    break;
                case 2:
                    reader.Expect(wireType, ProtoWire.LengthDelimited, "Name");
                    try
                    {
                        name = StrictUtf8.GetString(reader.ReadBytes());
                    }
                    catch (DecoderFallbackException e)
                    {
                        throw new IpfsFormatException("dagpb.link_bad_name", "a dag-pb link name is not valid UTF-8", e);
                    }
                    break;
                case 3:
                    reader.Expect(wireType, ProtoWire.Varint, "Tsize");
                    tsize = reader.ReadVarint();
                    break;
                default:
                    throw new IpfsFormatException("dagpb.unknown_field", $"a dag-pb link has unknown field {field}");
            }
        }
        if (hash is null)
        {
            throw new IpfsFormatException("dagpb.link_no_hash", "a dag-pb link has no Hash");
        }
        return new PbLink(hash, name, tsize);
    }
}
