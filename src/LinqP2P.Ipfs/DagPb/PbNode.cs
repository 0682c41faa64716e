using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.DagPb;

/// <summary>
/// One link of a dag-pb node (https://ipld.io/specs/codecs/dag-pb/spec/). <see cref="Name"/> and
/// <see cref="Tsize"/> are optional and an empty name is not the same as no name: the encoding differs,
/// and so does the CID.
/// </summary>
public sealed record PbLink(Cid Hash, string? Name, ulong? Tsize);

/// <summary>A dag-pb node: links, then optional opaque data (UnixFS puts its message there). SPEC.md §6.</summary>
public sealed class PbNode
{
    public PbNode(IReadOnlyList<PbLink> links, ReadOnlyMemory<byte>? data)
    {
        ArgumentNullException.ThrowIfNull(links);
        Links = links;
        Data = data;
    }

    public IReadOnlyList<PbLink> Links { get; }

    /// <summary>Null when the node has no Data field; an empty value is encoded as an empty field.</summary>
    public ReadOnlyMemory<byte>? Data { get; }
}
