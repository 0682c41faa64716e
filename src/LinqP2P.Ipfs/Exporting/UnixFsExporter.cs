using System.Globalization;
using System.Text;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.DagPb;
using LinqP2P.Ipfs.UnixFs;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Exporting;

/// <summary>One entry of a UnixFS directory (plain or HAMT-sharded).</summary>
public sealed record DirectoryEntry(string Name, Cid Cid, ulong? DagSize);

/// <summary>What a CID is as UnixFS.</summary>
public sealed record UnixFsStat(Cid Cid, UnixFsType Type, ulong ContentSize);

/// <summary>
/// Reads UnixFS back out of a blockstore: file bytes (whole or a range), directory listings, and whole
/// trees onto disk. Everything read is bounded (tree depth, name rules) and never trusted to stay inside
/// the target folder. SPEC.md §6.
/// </summary>
public sealed class UnixFsExporter
{
    /// <summary>Deepest file tree or directory nesting followed; real DAGs are a few levels deep.</summary>
    public const int MaxDepth = 128;

    private readonly IBlockStore _store;

    public UnixFsExporter(IBlockStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
    }

    private async Task<(PbNode? Node, UnixFsData Data, byte[] Bytes)> LoadAsync(Cid cid, CancellationToken cancellationToken)
    {
        var bytes = await _store.GetAsync(cid, cancellationToken);
        if (cid.Codec == Multicodec.Raw)
        {
            return (null, new UnixFsData { Type = UnixFsType.Raw, Data = bytes }, bytes);
        }
        if (cid.Codec != Multicodec.DagPb)
        {
            throw new IpfsFormatException("unixfs.not_unixfs", $"{cid} is {Multicodec.NameOf(cid.Codec)}, not UnixFS (dag-pb or raw)");
        }
        var node = DagPbCodec.Decode(bytes);
        if (node.Data is not { } data)
        {
            throw new IpfsFormatException("unixfs.no_data", $"dag-pb node {cid} carries no UnixFS data");
        }
        return (node, UnixFsData.Decode(data.Span), bytes);
    }

    public async Task<UnixFsStat> StatAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        var (_, data, _) = await LoadAsync(cid, cancellationToken);
        return new UnixFsStat(cid, data.Type, data.IsDirectory ? 0 : data.FileSize ?? data.ContentSize());
    }

    /// <summary>
    /// Writes the file's bytes from <paramref name="offset"/> on, at most <paramref name="length"/> of them
    /// (all when null), reading only the blocks that hold them.
    /// </summary>
    public async Task CatAsync(Cid cid, Stream output, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "length cannot be negative");
        }
        var end = length is { } l ? (ulong)offset + (ulong)l : ulong.MaxValue;
        await WriteRangeAsync(cid, (ulong)offset, end, output, 0, null, cancellationToken);
    }

    /// <summary>Writes bytes [start, end) of the file rooted at <paramref name="cid"/>; returns how many it wrote.</summary>
    private async Task<ulong> WriteRangeAsync(Cid cid, ulong start, ulong end, Stream output, int depth, ulong? expectedSize, CancellationToken cancellationToken)
    {
        if (depth > MaxDepth)
        {
            throw new IpfsFormatException("unixfs.too_deep", $"a file tree is deeper than {MaxDepth} levels");
        }
        var (node, data, _) = await LoadAsync(cid, cancellationToken);
        if (data.Type is not (UnixFsType.File or UnixFsType.Raw))
        {
            throw new IpfsFormatException("unixfs.not_a_file", $"{cid} is a UnixFS {data.Type.ToString().ToLowerInvariant()}, not a file: use get or ls for directories");
        }
        var own = data.Data ?? ReadOnlyMemory<byte>.Empty;
        var links = node?.Links ?? [];
        if (links.Count != data.BlockSizes.Count)
        {
            throw new IpfsFormatException("unixfs.blocksizes_mismatch", $"file node {cid} has {links.Count} links but {data.BlockSizes.Count} block sizes");
        }
        var total = data.ContentSize();
        if (expectedSize is { } expected && expected != total)
        {
            throw new IpfsFormatException("unixfs.size_mismatch", $"file node {cid} holds {total} bytes but its parent says {expected}");
        }
        ulong written = 0;
        if (start < (ulong)own.Length && end > start)
        {
            var slice = own[(int)start..(int)Math.Min((ulong)own.Length, end)];
            await output.WriteAsync(slice, cancellationToken);
            written += (ulong)slice.Length;
        }
        var position = (ulong)own.Length;
        for (var i = 0; i < links.Count && position < end; i++)
        {
            var size = data.BlockSizes[i];
            var childEnd = position + size;
            if (childEnd > start && size > 0)
            {
                var from = start > position ? start - position : 0;
                var to = Math.Min(end, childEnd) - position;
                var n = await WriteRangeAsync(links[i].Hash, from, to, output, depth + 1, size, cancellationToken);
                if (n != to - from)
                {
                    throw new IpfsFormatException("unixfs.size_mismatch", $"a child of {cid} gave {n} bytes where {to - from} were expected");
                }
                written += n;
            }
            position = childEnd;
        }
        return written;
    }

    /// <summary>The entries of a directory, in link order; HAMT shards are walked transparently.</summary>
    public async IAsyncEnumerable<DirectoryEntry> ListAsync(Cid cid, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        var (node, data, _) = await LoadAsync(cid, cancellationToken);
        if (data.Type == UnixFsType.Directory)
        {
            foreach (var link in node!.Links)
            {
                yield return new DirectoryEntry(link.Name ?? "", link.Hash, link.Tsize);
            }
            yield break;
        }
        if (data.Type != UnixFsType.HamtShard)
        {
            throw new IpfsFormatException("unixfs.not_a_directory", $"{cid} is a UnixFS {data.Type.ToString().ToLowerInvariant()}, not a directory");
        }
        await foreach (var e in ListShardAsync(cid, node!, data, 0, cancellationToken))
        {
            yield return e;
        }
    }

    private async IAsyncEnumerable<DirectoryEntry> ListShardAsync(Cid cid, PbNode node, UnixFsData data, int depth, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (depth > MaxDepth)
        {
            throw new IpfsFormatException("unixfs.too_deep", $"a HAMT is deeper than {MaxDepth} levels");
        }
        if (data.Fanout is not { } fanout || fanout < 2 || fanout > 1024 || (fanout & (fanout - 1)) != 0)
        {
            throw new IpfsFormatException("unixfs.bad_fanout", $"HAMT shard {cid} has fanout {data.Fanout}; a power of two up to 1024 is required");
        }
        if (data.HashType != UnixFsData.Murmur3X64_64)
        {
            throw new IpfsFormatException("unixfs.bad_hash_type", $"HAMT shard {cid} uses hash 0x{data.HashType:x}; only murmur3-x64-64 (0x22) exists");
        }
        var labelLength = (fanout - 1).ToString("X", CultureInfo.InvariantCulture).Length;
        foreach (var link in node.Links)
        {
            var name = link.Name ?? "";
            if (name.Length < labelLength || !int.TryParse(name.AsSpan(0, labelLength), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _))
            {
                throw new IpfsFormatException("unixfs.bad_shard_link", $"HAMT shard {cid} has a link named '{name}' without a {labelLength}-digit hex prefix");
            }
            if (name.Length > labelLength)
            {
                yield return new DirectoryEntry(name[labelLength..], link.Hash, link.Tsize);
                continue;
            }
            var (child, childData, _) = await LoadAsync(link.Hash, cancellationToken);
            if (childData.Type != UnixFsType.HamtShard)
            {
                throw new IpfsFormatException("unixfs.bad_shard_link", $"HAMT shard {cid} links to {link.Hash} as a sub-shard, but it is a {childData.Type}");
            }
            await foreach (var e in ListShardAsync(link.Hash, child!, childData, depth + 1, cancellationToken))
            {
                yield return e;
            }
        }
    }

    /// <summary>
    /// Writes the file or directory tree at <paramref name="cid"/> to <paramref name="targetPath"/>, which
    /// must not exist yet. Names that could leave the target (empty, '.', '..', containing '/', '\' or
    /// NUL) and symlinks pointing outside it are refused with <see cref="UnsafePathException"/>.
    /// </summary>
    public async Task GetAsync(Cid cid, string targetPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        ArgumentException.ThrowIfNullOrEmpty(targetPath);
        var root = Path.GetFullPath(targetPath);
        if (File.Exists(root) || Directory.Exists(root) || new FileInfo(root).LinkTarget is not null)
        {
            throw new IOException($"{root} already exists: choose a new output path");
        }
        await WriteEntryAsync(cid, root, root, 0, cancellationToken);
    }

    private async Task WriteEntryAsync(Cid cid, string path, string root, int depth, CancellationToken cancellationToken)
    {
        if (depth > MaxDepth)
        {
            throw new IpfsFormatException("unixfs.too_deep", $"a directory tree is deeper than {MaxDepth} levels");
        }
        var (_, data, _) = await LoadAsync(cid, cancellationToken);
        switch (data.Type)
        {
            case UnixFsType.File or UnixFsType.Raw:
                EnsureParentIsReal(path, root);
                await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                {
                    await CatAsync(cid, file, 0, null, cancellationToken);
                }
                break;
            case UnixFsType.Directory or UnixFsType.HamtShard:
                EnsureParentIsReal(path, root);
                Directory.CreateDirectory(path);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                await foreach (var entry in ListAsync(cid, cancellationToken))
                {
                    CheckName(entry.Name);
                    if (!seen.Add(entry.Name))
                    {
                        throw new UnsafePathException($"directory {cid} lists '{entry.Name}' twice");
                    }
                    var childPath = Path.Combine(path, entry.Name);
                    if (!IsInside(childPath, root))
                    {
                        throw new UnsafePathException($"entry '{entry.Name}' would be written outside {root}");
                    }
                    await WriteEntryAsync(entry.Cid, childPath, root, depth + 1, cancellationToken);
                }
                break;
            case UnixFsType.Symlink:
                var target = Encoding.UTF8.GetString((data.Data ?? ReadOnlyMemory<byte>.Empty).Span);
                if (target.Length == 0 || target.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(target)
                    || !IsInside(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, target)), root))
                {
                    throw new UnsafePathException($"symlink {Path.GetRelativePath(root, path)} -> '{target}' points outside the output folder; refusing to create it");
                }
                EnsureParentIsReal(path, root);
                File.CreateSymbolicLink(path, target);
                break;
            default:
                throw new IpfsFormatException("unixfs.unsupported_type", $"{cid} is a UnixFS {data.Type}, which cannot be written to disk");
        }
    }

    private static void CheckName(string name)
    {
        if (name.Length == 0 || name == "." || name == ".." || name.Contains('/', StringComparison.Ordinal)
            || name.Contains('\\', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new UnsafePathException($"a directory entry is named '{name.Replace("\0", "\\0", StringComparison.Ordinal)}', which is not a safe file name; refusing to write it");
        }
    }

    private static bool IsInside(string path, string root)
    {
        var full = Path.GetFullPath(path);
        return full == root || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>Refuses to write through a symlinked folder, which could lead outside the target.</summary>
    private static void EnsureParentIsReal(string path, string root)
    {
        for (var dir = Path.GetDirectoryName(path); dir is not null && IsInside(dir, root) && dir != root; dir = Path.GetDirectoryName(dir))
        {
            if (new DirectoryInfo(dir).LinkTarget is not null)
            {
                throw new UnsafePathException($"{dir} is a symlink; refusing to write through it");
            }
        }
    }
}
