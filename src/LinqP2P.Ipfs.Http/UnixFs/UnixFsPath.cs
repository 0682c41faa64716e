using System.Globalization;
using LinqP2P.Core;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.DagPb;
using LinqP2P.Ipfs.UnixFs;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Http.UnixFs;

/// <summary>A content path resolved to its target, with the blocks that prove each step (for CAR responses).</summary>
public sealed record ResolvedPath(Cid Root, Cid Target, string Name, IReadOnlyList<Cid> PathBlocks);

/// <summary>
/// Parses and resolves <c>/ipfs/CID/a/b</c>, <c>CID/a/b</c> and bare CIDs through UnixFS directories
/// (plain and HAMT-sharded). Segments must be safe names: '..' and the like are refused, never followed.
/// </summary>
public static class UnixFsPath
{
    /// <summary>Longest path accepted; real paths are short.</summary>
    public const int MaxLength = 4096;

    /// <summary>Splits a path argument into its root CID and its segments.</summary>
    public static (Cid Root, IReadOnlyList<string> Segments) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0 || text.Length > MaxLength)
        {
            throw new InvalidInputException("ipfs.path.invalid", $"a path must be 1..{MaxLength} characters: give a CID or /ipfs/CID/path");
        }
        var trimmed = text.StartsWith("/ipfs/", StringComparison.Ordinal) ? text["/ipfs/".Length..] : text;
        if (trimmed.StartsWith('/'))
        {
            throw new InvalidInputException("ipfs.path.invalid", $"'{text}' is not an /ipfs/ path: only /ipfs/CID[/path] and CID[/path] are supported");
        }
        var parts = trimmed.Split('/');
        Cid root;
        try
        {
            root = Cid.Parse(parts[0]);
        }
        catch (MultiformatException e)
        {
            throw new InvalidInputException("ipfs.path.bad_cid", $"'{parts[0]}' is not a valid CID ({e.Message}): CIDs look like Qm... or bafy...", e);
        }
        var segments = new List<string>();
        for (var i = 1; i < parts.Length; i++)
        {
            var s = parts[i];
            if (s.Length == 0 && i == parts.Length - 1)
            {
                break;
            }
            CheckSegment(s);
            segments.Add(s);
        }
        return (root, segments);
    }

    /// <summary>Refuses names that could leave a folder or are not file names.</summary>
    public static void CheckSegment(string segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (segment.Length == 0 || segment == "." || segment == ".." || segment.Contains('\\', StringComparison.Ordinal)
            || segment.Contains('/', StringComparison.Ordinal) || segment.Contains('\0', StringComparison.Ordinal))
        {
            throw new UnsafePathException($"the path segment '{segment.Replace("\0", "\\0", StringComparison.Ordinal)}' is not a safe name");
        }
    }

    /// <summary>Follows <paramref name="segments"/> from <paramref name="root"/>, collecting the directory blocks crossed.</summary>
    public static async Task<ResolvedPath> ResolveAsync(IBlockStore store, Cid root, IReadOnlyList<string> segments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(segments);
        var current = root;
        var proof = new List<Cid>();
        foreach (var segment in segments)
        {
            var (blocks, entries) = await ReadDirectoryAsync(store, current, cancellationToken);
            proof.AddRange(blocks);
            var next = entries.FirstOrDefault(e => e.Name == segment)
                ?? throw new IpfsPathNotFoundException($"no link named '{segment}' under {current}");
            current = next.Cid;
        }
        return new ResolvedPath(root, current, segments.Count > 0 ? segments[^1] : root.ToString(), proof);
    }

    /// <summary>The blocks that make up a directory (one, or every HAMT shard node) and its entries.</summary>
    public static async Task<(List<Cid> Blocks, List<Exporting.DirectoryEntry> Entries)> ReadDirectoryAsync(IBlockStore store, Cid cid, CancellationToken cancellationToken)
    {
        var blocks = new List<Cid>();
        var entries = new List<Exporting.DirectoryEntry>();
        await WalkAsync(cid, 0);
        return (blocks, entries);

        async Task WalkAsync(Cid at, int depth)
        {
            if (depth > Exporting.UnixFsExporter.MaxDepth)
            {
                throw new IpfsFormatException("unixfs.too_deep", $"a HAMT is deeper than {Exporting.UnixFsExporter.MaxDepth} levels");
            }
            if (at.Codec != Multicodec.DagPb)
            {
                throw new IpfsFormatException("unixfs.not_a_directory", $"{at} is {Multicodec.NameOf(at.Codec)}, not a UnixFS directory");
            }
            var node = DagPbCodec.Decode(await store.GetAsync(at, cancellationToken));
            var data = node.Data is { } d ? UnixFsData.Decode(d.Span) : throw new IpfsFormatException("unixfs.no_data", $"dag-pb node {at} carries no UnixFS data");
            blocks.Add(at);
            if (data.Type == UnixFsType.Directory && depth == 0)
            {
                entries.AddRange(node.Links.Select(l => new Exporting.DirectoryEntry(l.Name ?? "", l.Hash, l.Tsize)));
                return;
            }
            if (data.Type != UnixFsType.HamtShard)
            {
                throw new IpfsFormatException("unixfs.not_a_directory", $"{at} is a UnixFS {data.Type.ToString().ToLowerInvariant()}, not a directory");
            }
            if (data.Fanout is not { } fanout || fanout < 2 || fanout > 1024 || (fanout & (fanout - 1)) != 0)
            {
                throw new IpfsFormatException("unixfs.bad_fanout", $"HAMT shard {at} has fanout {data.Fanout}; a power of two up to 1024 is required");
            }
            var labelLength = (fanout - 1).ToString("X", CultureInfo.InvariantCulture).Length;
            foreach (var link in node.Links)
            {
                var name = link.Name ?? "";
                if (name.Length < labelLength)
                {
                    throw new IpfsFormatException("unixfs.bad_shard_link", $"HAMT shard {at} has a link named '{name}' without a {labelLength}-digit prefix");
                }
                if (name.Length > labelLength)
                {
                    entries.Add(new Exporting.DirectoryEntry(name[labelLength..], link.Hash, link.Tsize));
                }
                else
                {
                    await WalkAsync(link.Hash, depth + 1);
                }
            }
        }
    }

    /// <summary>The UnixFS type of a block (raw blocks are files).</summary>
    public static async Task<UnixFsType> TypeOfAsync(IBlockStore store, Cid cid, CancellationToken cancellationToken)
    {
        if (cid.Codec == Multicodec.Raw)
        {
            await store.GetAsync(cid, cancellationToken);
            return UnixFsType.Raw;
        }
        if (cid.Codec != Multicodec.DagPb)
        {
            throw new IpfsFormatException("unixfs.not_unixfs", $"{cid} is {Multicodec.NameOf(cid.Codec)}, not UnixFS (dag-pb or raw)");
        }
        var node = DagPbCodec.Decode(await store.GetAsync(cid, cancellationToken));
        return node.Data is { } d ? UnixFsData.Decode(d.Span).Type : throw new IpfsFormatException("unixfs.no_data", $"dag-pb node {cid} carries no UnixFS data");
    }

    /// <summary>A symlink's target text.</summary>
    public static async Task<string> SymlinkTargetAsync(IBlockStore store, Cid cid, CancellationToken cancellationToken)
    {
        var node = DagPbCodec.Decode(await store.GetAsync(cid, cancellationToken));
        var data = UnixFsData.Decode((node.Data ?? ReadOnlyMemory<byte>.Empty).Span);
        return System.Text.Encoding.UTF8.GetString((data.Data ?? ReadOnlyMemory<byte>.Empty).Span);
    }
}

/// <summary>A path named a link that does not exist in its directory.</summary>
public sealed class IpfsPathNotFoundException : LinqException
{
    public IpfsPathNotFoundException(string message)
        : base("ipfs.path.not_found", message + ": check the path with `linq ipfs ls`", retryable: false) { }
}
