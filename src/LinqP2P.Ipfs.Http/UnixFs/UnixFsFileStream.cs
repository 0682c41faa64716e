using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.DagPb;
using LinqP2P.Ipfs.UnixFs;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Http.UnixFs;

/// <summary>
/// A read-only, seekable stream over a UnixFS file DAG. It holds one leaf and a bounded cache of
/// internal nodes, so memory stays constant whatever the file size, and a seek costs one descent from
/// the root. Seekable with a known length, so range requests and tar entries can use it directly.
/// </summary>
public sealed class UnixFsFileStream : Stream
{
    private const int MaxCachedNodes = 64;

    private readonly IBlockStore _store;
    private readonly Cid _root;
    private readonly Dictionary<Cid, FileNode> _nodes = [];
    private long _position;
    private long _segmentStart;
    private ReadOnlyMemory<byte> _segment;

    private UnixFsFileStream(IBlockStore store, Cid root, FileNode rootNode)
    {
        _store = store;
        _root = root;
        Length = (long)rootNode.Size;
        _nodes[root] = rootNode;
        _segmentStart = -1;
    }

    /// <summary>Opens the file at <paramref name="cid"/>; fails when it is not a UnixFS file or raw block.</summary>
    public static async Task<UnixFsFileStream> OpenAsync(IBlockStore store, Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(cid);
        var node = await LoadAsync(store, cid, cancellationToken);
        return new UnixFsFileStream(store, cid, node);
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0 || _position >= Length)
        {
            return 0;
        }
        if (_segmentStart < 0 || _position < _segmentStart || _position >= _segmentStart + _segment.Length)
        {
            await FindSegmentAsync(_position, cancellationToken);
        }
        var from = (int)(_position - _segmentStart);
        var n = Math.Min(buffer.Length, _segment.Length - from);
        _segment.Slice(from, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    /// <summary>Descends from the root to the node whose own bytes hold <paramref name="position"/>.</summary>
    private async Task FindSegmentAsync(long position, CancellationToken cancellationToken)
    {
        var cid = _root;
        var node = _nodes[_root];
        var start = 0L;
        for (var depth = 0; ; depth++)
        {
            if (depth > Exporting.UnixFsExporter.MaxDepth)
            {
                throw new IpfsFormatException("unixfs.too_deep", $"the file tree of {_root} is deeper than {Exporting.UnixFsExporter.MaxDepth} levels");
            }
            var own = node.Data;
            if (position < start + own.Length)
            {
                _segmentStart = start;
                _segment = own;
                return;
            }
            var offset = start + own.Length;
            var next = -1;
            for (var i = 0; i < node.Links.Count; i++)
            {
                var size = (long)node.BlockSizes[i];
                if (position < offset + size)
                {
                    next = i;
                    break;
                }
                offset += size;
            }
            if (next < 0)
            {
                throw new IpfsFormatException("unixfs.size_mismatch", $"file node {cid} does not cover byte {position} that its parent promised");
            }
            var childCid = node.Links[next];
            var expected = node.BlockSizes[next];
            if (!_nodes.TryGetValue(childCid, out var child))
            {
                child = await LoadAsync(_store, childCid, cancellationToken);
                if (child.Links.Count > 0)
                {
                    if (_nodes.Count >= MaxCachedNodes)
                    {
                        foreach (var key in _nodes.Keys.Where(k => !k.Equals(_root)).ToList())
                        {
                            _nodes.Remove(key);
                        }
                    }
                    _nodes[childCid] = child;
                }
            }
            if (child.Size != expected)
            {
                throw new IpfsFormatException("unixfs.size_mismatch", $"file node {childCid} holds {child.Size} bytes but its parent {cid} says {expected}");
            }
            cid = childCid;
            node = child;
            start = offset;
        }
    }

    private static async Task<FileNode> LoadAsync(IBlockStore store, Cid cid, CancellationToken cancellationToken)
    {
        var bytes = await store.GetAsync(cid, cancellationToken);
        if (cid.Codec == Multicodec.Raw)
        {
            return new FileNode(bytes, [], [], (ulong)bytes.Length);
        }
        if (cid.Codec != Multicodec.DagPb)
        {
            throw new IpfsFormatException("unixfs.not_unixfs", $"{cid} is {Multicodec.NameOf(cid.Codec)}, not UnixFS (dag-pb or raw)");
        }
        var pb = DagPbCodec.Decode(bytes);
        if (pb.Data is not { } raw)
        {
            throw new IpfsFormatException("unixfs.no_data", $"dag-pb node {cid} carries no UnixFS data");
        }
        var data = UnixFsData.Decode(raw.Span);
        if (data.Type is not (UnixFsType.File or UnixFsType.Raw))
        {
            throw new IpfsFormatException("unixfs.not_a_file", $"{cid} is a UnixFS {data.Type.ToString().ToLowerInvariant()}, not a file");
        }
        if (pb.Links.Count != data.BlockSizes.Count)
        {
            throw new IpfsFormatException("unixfs.blocksizes_mismatch", $"file node {cid} has {pb.Links.Count} links but {data.BlockSizes.Count} block sizes");
        }
        return new FileNode(data.Data ?? ReadOnlyMemory<byte>.Empty, pb.Links.Select(l => l.Hash).ToList(), data.BlockSizes, data.ContentSize());
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private sealed record FileNode(ReadOnlyMemory<byte> Data, IReadOnlyList<Cid> Links, IReadOnlyList<ulong> BlockSizes, ulong Size);
}
