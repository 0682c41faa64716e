namespace LinqP2P.Execution;

/// <summary>
/// Copies what a finished job left in its output folder into a folder the caller owns, under caps and
/// without ever following a symbolic link. Run it only after every process of the job is gone: the
/// checks below are then not racing anyone. See SPEC.md §8.5.
/// </summary>
public static class OutputCollector
{
    /// <summary>Folders deeper than this below <c>/linq/out</c> are skipped (and not walked).</summary>
    public const int MaxDepth = 64;

    public sealed record Collection(IReadOnlyList<CollectedOutput> Collected, IReadOnlyList<SkippedOutput> Skipped, long Bytes);

    /// <param name="sourceRoot">The job's output folder (seen inside as <c>/linq/out</c>).</param>
    /// <param name="destinationRoot">Created if missing; receives the same relative layout.</param>
    /// <param name="outputPaths">Relative paths to collect (files or folders); empty collects everything.</param>
    public static async Task<Collection> CollectAsync(
        string sourceRoot,
        string destinationRoot,
        IReadOnlyList<string> outputPaths,
        long maxBytes,
        int maxFiles,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(destinationRoot);
        var state = new State(destinationRoot, maxBytes, maxFiles);
        var roots = outputPaths.Count == 0 ? [""] : outputPaths.Select(p => p.TrimEnd('/')).Distinct(StringComparer.Ordinal).ToList();
        foreach (var relative in roots)
        {
            if (relative.Length > 0 && !ExecutionRequestValidator.IsSafeRelativePath(relative))
            {
                state.Skip(relative, "not a safe relative path");
                continue;
            }
            // Every folder on the way down must be a real folder, not a link somewhere else.
            if (LinkOnTheWay(sourceRoot, relative) is { } link)
            {
                state.Skip(relative, $"'{link}' is a symbolic link; links are never followed");
                continue;
            }
            var full = relative.Length == 0 ? sourceRoot : Path.Combine(sourceRoot, relative);
            FileSystemInfo info = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full);
            if (!info.Exists && info.LinkTarget is null)
            {
                state.Skip(relative, "the job did not produce it");
                continue;
            }
            await VisitAsync(info, relative, state, cancellationToken);
        }
        return new Collection(state.Collected, state.Skipped, state.Bytes);
    }

    private static async Task VisitAsync(FileSystemInfo info, string relative, State state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (info.LinkTarget is not null)
        {
            state.Skip(relative, "symbolic link; links are never followed");
            return;
        }
        if (info is DirectoryInfo dir)
        {
            if (!state.Visited.Add(relative))
            {
                return;
            }
            if (relative.Count(c => c == '/') >= MaxDepth)
            {
                state.Skip(relative, $"deeper than {MaxDepth} folders");
                return;
            }
            // Folders count toward the entry cap too, so an empty-folder bomb cannot flood the provider.
            if (relative.Length > 0 && ++state.Entries > state.MaxFiles)
            {
                state.Skip(relative, $"over the cap of {state.MaxFiles} output entries");
                return;
            }
            Directory.CreateDirectory(state.Destination(relative));
            foreach (var child in dir.EnumerateFileSystemInfos().OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                await VisitAsync(child, relative.Length == 0 ? child.Name : relative + "/" + child.Name, state, cancellationToken);
            }
            return;
        }
        var file = (FileInfo)info;
        if (!state.Visited.Add(relative))
        {
            return;
        }
        if (++state.Entries > state.MaxFiles)
        {
            state.Skip(relative, $"over the cap of {state.MaxFiles} output entries");
            return;
        }
        var length = file.Length;
        if (state.Bytes + length > state.MaxBytes)
        {
            state.Skip(relative, $"{length} bytes would exceed the output cap of {state.MaxBytes} bytes");
            return;
        }
        var destination = state.Destination(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        if (length == 0)
        {
            // Not opened: FIFOs and sockets also report 0 bytes, and opening a FIFO would block.
            await File.WriteAllBytesAsync(destination, [], cancellationToken);
        }
        else
        {
            await using var source = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using var target = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await CopyAtMostAsync(source, target, length, cancellationToken);
        }
        state.Bytes += length;
        state.Collected.Add(new CollectedOutput(relative, length));
    }

    private static async Task CopyAtMostAsync(Stream source, Stream target, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        while (count > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0)
            {
                break;
            }
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            count -= read;
        }
    }

    private static string? LinkOnTheWay(string root, string relative)
    {
        if (new DirectoryInfo(root).LinkTarget is not null)
        {
            return ".";
        }
        var segments = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var path = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            path = Path.Combine(path, segments[i]);
            if (new FileInfo(path).LinkTarget is not null)
            {
                return string.Join('/', segments.Take(i + 1));
            }
        }
        return null;
    }

    private sealed class State(string destination, long maxBytes, int maxFiles)
    {
        public List<CollectedOutput> Collected { get; } = [];
        public List<SkippedOutput> Skipped { get; } = [];
        public HashSet<string> Visited { get; } = new(StringComparer.Ordinal);
        public long Bytes { get; set; }
        public int Entries { get; set; }
        public long MaxBytes { get; } = maxBytes;
        public int MaxFiles { get; } = maxFiles;
        public string Destination(string relative) => relative.Length == 0 ? destination : Path.Combine(destination, relative);

        public void Skip(string relative, string reason) => Skipped.Add(new SkippedOutput(relative.Length == 0 ? "." : relative, reason));
    }
}
