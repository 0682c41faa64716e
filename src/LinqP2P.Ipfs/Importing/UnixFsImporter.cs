using System.Text;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.DagPb;
using LinqP2P.Ipfs.UnixFs;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Importing;

/// <summary>
/// Turns files and folders into UnixFS DAGs exactly as ipfs-unixfs-importer 17 does for the same
/// <see cref="ImportProfile"/>: fixed-size chunks, a balanced tree filled level by level, a single chunk
/// stored as the root itself, HAMT sharding past the profile's threshold. Files stream through in memory
/// bounded by one chunk plus one pending row of links per tree level. SPEC.md §6.
/// </summary>
public sealed class UnixFsImporter
{
    private readonly IBlockStore _store;
    private readonly ImportProfile _profile;

    public UnixFsImporter(IBlockStore store, ImportProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _profile = profile ?? ImportProfile.Default;
    }

    public ImportProfile Profile => _profile;

    internal readonly record struct Child(Cid Cid, ulong DagSize, ulong ContentSize);

    /// <summary>Imports bytes already in memory; chunks are slices of <paramref name="content"/>, never copies.</summary>
    public Task<ImportResult> ImportBytesAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var position = 0;
        return ImportChunksAsync((_, _, _) =>
        {
            var n = Math.Min(_profile.ChunkSize, content.Length - position);
            var chunk = content.Slice(position, n);
            position += n;
            return ValueTask.FromResult<(ReadOnlyMemory<byte>, byte[]?, bool)?>((chunk, null, position >= content.Length));
        }, null, cancellationToken);
    }

    /// <summary>
    /// How many chunks are hashed and stored at once (default: the processor count). Links are still
    /// added in file order, so the DAG does not depend on it; memory is one chunk per slot.
    /// </summary>
    public int Parallelism { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Imports one file from <paramref name="content"/>; <paramref name="progress"/> gets the bytes read so far.</summary>
    public Task<ImportResult> ImportFileAsync(Stream content, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return ImportChunksAsync(async (chunksSoFar, free, ct) =>
        {
            var buffer = free.Count > 0 ? free.Pop() : new byte[_profile.ChunkSize];
            var n = await FillAsync(content, buffer, ct);
            // The importer's chunker yields an empty chunk only when the whole file is empty.
            if (n == 0 && chunksSoFar > 0)
            {
                free.Push(buffer);
                return null;
            }
            return (buffer.AsMemory(0, n), buffer, n < buffer.Length);
        }, progress, cancellationToken);
    }

    /// <summary>
    /// The layout loop: <paramref name="next"/> gives the next chunk (and the buffer to recycle once it is
    /// stored, if any, and whether it is the last), or null when the previous chunk was the last.
    /// </summary>
    private async Task<ImportResult> ImportChunksAsync(
        Func<int, Stack<byte[]>, CancellationToken, ValueTask<(ReadOnlyMemory<byte> Chunk, byte[]? Buffer, bool Last)?>> next,
        IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        var window = Math.Max(1, Parallelism);
        var free = new Stack<byte[]>();
        var inFlight = new Queue<(Task<Child> Leaf, byte[]? Buffer)>();
        var levels = new List<List<Child>>();
        long read = 0;
        var chunks = 0;
        Child? first = null;
        try
        {
            while (true)
            {
                var item = await next(chunks, free, cancellationToken);
                if (item is null)
                {
                    break;
                }
                var (chunk, buffer, last) = item.Value;
                var n = chunk.Length;
                chunks++;
                read += n;
                progress?.Report(read);
                inFlight.Enqueue((Task.Run(() => WriteLeafAsync(chunk, cancellationToken), cancellationToken), buffer));
                if (inFlight.Count >= window)
                {
                    first = await CompleteOldestAsync(inFlight, free, levels, first, chunks, cancellationToken);
                }
                if (last)
                {
                    break;
                }
            }
            while (inFlight.Count > 0)
            {
                first = await CompleteOldestAsync(inFlight, free, levels, first, chunks, cancellationToken);
            }
        }
        finally
        {
            // On failure, let running leaf writes end before their buffers are dropped.
            foreach (var (leaf, _) in inFlight)
            {
                await leaf.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        if (chunks == 1)
        {
            // One chunk (possibly empty) is the file: the importer's reduceSingleLeafToSelf.
            return new ImportResult(first!.Value.Cid, first.Value.DagSize, first.Value.ContentSize);
        }
        for (var level = 0; ; level++)
        {
            var row = levels[level];
            var isTop = levels.Skip(level + 1).All(r => r.Count == 0);
            if (isTop && row.Count == 1)
            {
                var root = row[0];
                return new ImportResult(root.Cid, root.DagSize, root.ContentSize);
            }
            if (row.Count > 0)
            {
                // A partial row at the end of a balanced layout still gets its own parent, as the
                // importer batches every level, including the last incomplete batch.
                var parent = await WriteFileNodeAsync(row, cancellationToken);
                row.Clear();
                await AddAsync(levels, level + 1, parent, cancellationToken);
            }
        }
    }

    /// <summary>Waits for the oldest leaf and links it; the first leaf waits until a second chunk proves the file has several.</summary>
    private async Task<Child?> CompleteOldestAsync(Queue<(Task<Child> Leaf, byte[]? Buffer)> inFlight, Stack<byte[]> free, List<List<Child>> levels, Child? first, int chunks, CancellationToken cancellationToken)
    {
        var (task, buffer) = inFlight.Dequeue();
        var leaf = await task;
        if (buffer is not null)
        {
            free.Push(buffer);
        }
        if (first is null && chunks == 1 && inFlight.Count == 0)
        {
            return leaf;
        }
        if (first is { } pending)
        {
            await AddAsync(levels, 0, pending, cancellationToken);
        }
        await AddAsync(levels, 0, leaf, cancellationToken);
        return null;
    }

    private async Task AddAsync(List<List<Child>> levels, int level, Child child, CancellationToken cancellationToken)
    {
        while (levels.Count <= level)
        {
            levels.Add(new List<Child>(_profile.MaxLinksPerNode));
        }
        var row = levels[level];
        row.Add(child);
        if (row.Count == _profile.MaxLinksPerNode)
        {
            var parent = await WriteFileNodeAsync(row, cancellationToken);
            row.Clear();
            await AddAsync(levels, level + 1, parent, cancellationToken);
        }
    }

    private static async Task<int> FillAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (n == 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    private async Task<Child> WriteLeafAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        if (_profile.RawLeaves)
        {
            // Raw leaves are always CIDv1: a CIDv0 can only name dag-pb.
            var raw = Block.Create(chunk, Multicodec.Raw, 1);
            await _store.PutAsync(raw, cancellationToken);
            return new Child(raw.Cid, (ulong)chunk.Length, (ulong)chunk.Length);
        }
        // dag-pb {Data: UnixFS {Type: file, Data: chunk, filesize}} written straight into one pooled
        // buffer: the same bytes UnixFsData and DagPbCodec would give, without two extra chunk copies.
        var length = (ulong)chunk.Length;
        var unixfsLength = ProtoWire.SizeOfVarintField((ulong)UnixFsType.File)
            + (chunk.Length > 0 ? ProtoWire.SizeOfBytesField(chunk.Length) : 0)
            + ProtoWire.SizeOfVarintField(length);
        var total = ProtoWire.SizeOfBytesField(unixfsLength);
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(total);
        try
        {
            var span = rented.AsSpan();
            var n = ProtoWire.WriteTag(1, ProtoWire.LengthDelimited, span);
            n += ProtoWire.WriteVarint((ulong)unixfsLength, span[n..]);
            n += ProtoWire.WriteVarintField(1, (ulong)UnixFsType.File, span[n..]);
            if (chunk.Length > 0)
            {
                n += ProtoWire.WriteBytesField(2, chunk.Span, span[n..]);
            }
            ProtoWire.WriteVarintField(3, length, span[n..]);
            var block = Block.Create(rented.AsMemory(0, total), Multicodec.DagPb, _profile.CidVersion);
            await _store.PutAsync(block, cancellationToken);
            return new Child(block.Cid, (ulong)total, length);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private async Task<Child> WriteFileNodeAsync(List<Child> children, CancellationToken cancellationToken)
    {
        var sizes = new ulong[children.Count];
        var links = new PbLink[children.Count];
        ulong total = 0, linked = 0;
        for (var i = 0; i < children.Count; i++)
        {
            sizes[i] = children[i].ContentSize;
            total += children[i].ContentSize;
            linked += children[i].DagSize;
            links[i] = new PbLink(children[i].Cid, "", children[i].DagSize);
        }
        var unixfs = new UnixFsData { Type = UnixFsType.File, FileSize = total, BlockSizes = sizes };
        var bytes = DagPbCodec.Encode(new PbNode(links, unixfs.Encode()));
        var block = Block.Create(bytes, Multicodec.DagPb, _profile.CidVersion);
        await _store.PutAsync(block, cancellationToken);
        return new Child(block.Cid, (ulong)bytes.Length + linked, total);
    }

    /// <summary>
    /// Imports a folder from disk: files, symlinks (as UnixFS symlinks, never followed) and empty folders,
    /// walked in ordinal name order.
    /// </summary>
    public Task<ImportResult> ImportDirectoryAsync(string folder, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var root = new DirectoryInfo(folder);
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"folder {folder} does not exist");
        }
        return ImportEntriesAsync(EntriesOf(root), progress, cancellationToken);
    }

    /// <summary>The entries <see cref="ImportDirectoryAsync"/> imports for <paramref name="root"/>, paths relative to it.</summary>
    public static IEnumerable<ImportEntry> EntriesOf(DirectoryInfo root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return Walk(root, "");

        static IEnumerable<ImportEntry> Walk(DirectoryInfo dir, string prefix)
        {
            var children = dir.EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
            foreach (var info in children)
            {
                var path = prefix + info.Name;
                if (info.LinkTarget is { } target)
                {
                    yield return new SymlinkImportEntry(path, target);
                }
                else if (info is DirectoryInfo sub)
                {
                    if (!sub.EnumerateFileSystemInfos().Any())
                    {
                        yield return new DirectoryImportEntry(path);
                    }
                    foreach (var e in Walk(sub, path + "/"))
                    {
                        yield return e;
                    }
                }
                else if (info is FileInfo file)
                {
                    yield return new FileImportEntry(path, () => file.OpenRead());
                }
            }
        }
    }

    /// <summary>Imports a directory made of <paramref name="entries"/> and returns its root.</summary>
    public async Task<ImportResult> ImportEntriesAsync(IEnumerable<ImportEntry> entries, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var root = new DirectoryBuilder.Dir();
        long done = 0;
        foreach (var entry in entries)
        {
            var parts = SplitPath(entry.Path);
            Child child;
            switch (entry)
            {
                case FileImportEntry f:
                    await using (var stream = f.Open())
                    {
                        var before = done;
                        var r = await ImportFileAsync(stream, progress is null ? null : new Progress<long>(n => progress.Report(before + n)), cancellationToken);
                        done += (long)r.ContentSize;
                        child = new Child(r.Cid, r.DagSize, r.ContentSize);
                    }
                    break;
                case SymlinkImportEntry s:
                    var data = new UnixFsData { Type = UnixFsType.Symlink, Data = Encoding.UTF8.GetBytes(s.Target) };
                    child = await WriteNodeAsync(new PbNode([], data.Encode()), cancellationToken);
                    break;
                case DirectoryImportEntry:
                    if (parts.Length == 0)
                    {
                        continue;
                    }
                    child = await WriteNodeAsync(new PbNode([], new UnixFsData { Type = UnixFsType.Directory }.Encode()), cancellationToken);
                    break;
                default:
                    throw new ArgumentException($"unknown import entry {entry.GetType().Name}", nameof(entries));
            }
            if (parts.Length == 0)
            {
                throw new ArgumentException("a file or symlink entry needs a name inside the directory", nameof(entries));
            }
            root.Put(parts, child, entry is DirectoryImportEntry);
        }
        var builder = new DirectoryBuilder(this, _profile);
        var result = await builder.FlushAsync(root, cancellationToken);
        return new ImportResult(result.Cid, result.DagSize, 0);
    }

    internal async Task<Child> WriteNodeAsync(PbNode node, CancellationToken cancellationToken)
    {
        var bytes = DagPbCodec.Encode(node);
        var block = Block.Create(bytes, Multicodec.DagPb, _profile.CidVersion);
        await _store.PutAsync(block, cancellationToken);
        ulong linked = 0;
        foreach (var l in node.Links)
        {
            linked += l.Tsize ?? 0;
        }
        return new Child(block.Cid, (ulong)bytes.Length + linked, 0);
    }

    private static string[] SplitPath(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        foreach (var p in parts)
        {
            if (p == ".." || p.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"import path '{path}' has a '..' or NUL component", nameof(path));
            }
        }
        return parts;
    }
}
