namespace LinqP2P.Ipfs.Importing;

/// <summary>
/// One thing to put in an imported directory, at a '/'-separated path relative to the directory's root.
/// Folders that hold entries are implied; list a <see cref="DirectoryImportEntry"/> only for empty ones.
/// </summary>
public abstract record ImportEntry(string Path);

public sealed record FileImportEntry(string Path, Func<Stream> Open) : ImportEntry(Path);

public sealed record DirectoryImportEntry(string Path) : ImportEntry(Path);

public sealed record SymlinkImportEntry(string Path, string Target) : ImportEntry(Path);

/// <summary>The root of an import: its CID, its cumulative DAG size (the Tsize a parent link gives it) and its content size.</summary>
public sealed record ImportResult(LinqP2P.Multiformats.Cid Cid, ulong DagSize, ulong ContentSize);
