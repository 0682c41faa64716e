using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Car;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Ipfs.Pinning;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs;

/// <summary>Options of an <see cref="IpfsRepo"/>.</summary>
public sealed class IpfsRepoOptions
{
    /// <summary>The repo folder. Default: $LINQ_IPFS_REPO, else ~/.linq/ipfs.</summary>
    public string Path { get; init; } = DefaultPath;

    /// <summary>Blockstore quota in bytes; null (the default) means none.</summary>
    public long? QuotaBytes { get; init; }

    public static string DefaultPath =>
        Environment.GetEnvironmentVariable("LINQ_IPFS_REPO") is { Length: > 0 } env
            ? env
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".linq", "ipfs");
}

/// <summary>
/// A node's local IPFS store: blocks on disk, pins, import/export, GC and CAR files behind one object.
/// Layout: <c>blocks/</c>, <c>tmp/</c>, <c>pins.json</c>. SPEC.md §6.
/// </summary>
public sealed class IpfsRepo
{
    private IpfsRepo(string path, FileBlockStore blocks, PinStore pins)
    {
        Path = path;
        Blocks = blocks;
        Pins = pins;
        Exporter = new UnixFsExporter(blocks);
    }

    public string Path { get; }

    public FileBlockStore Blocks { get; }

    public PinStore Pins { get; }

    public UnixFsExporter Exporter { get; }

    /// <summary>Held by adds, CAR imports and GC of this repo object (one process; see SPEC.md §6.4).</summary>
    public AddGcGate Gate { get; } = new();

    public static IpfsRepo Open(IpfsRepoOptions? options = null)
    {
        options ??= new IpfsRepoOptions();
        Directory.CreateDirectory(options.Path);
        var blocks = new FileBlockStore(options.Path, new FileBlockStoreOptions { QuotaBytes = options.QuotaBytes });
        var pins = new PinStore(System.IO.Path.Combine(options.Path, "pins.json"));
        return new IpfsRepo(options.Path, blocks, pins);
    }

    public UnixFsImporter Importer(ImportProfile? profile = null) => new(Blocks, profile);

    /// <summary>Adds a file or a folder and pins the result recursively (as `ipfs add` does).</summary>
    public async Task<ImportResult> AddAsync(string path, ImportProfile? profile = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        await using var _ = await Gate.EnterAddAsync(cancellationToken);
        var importer = Importer(profile);
        ImportResult result;
        if (Directory.Exists(path))
        {
            result = await importer.ImportDirectoryAsync(path, progress, cancellationToken);
        }
        else
        {
            await using var stream = File.OpenRead(path);
            result = await importer.ImportFileAsync(stream, progress, cancellationToken);
        }
        Pins.Add(result.Cid, PinKind.Recursive);
        return result;
    }

    /// <summary>Pins <paramref name="cid"/>; a recursive pin first checks that the whole DAG is present.</summary>
    public async Task PinAsync(Cid cid, PinKind kind, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        if (kind == PinKind.Recursive)
        {
            await foreach (var _ in DagLinks.WalkAsync(Blocks, cid, cancellationToken))
            {
            }
        }
        else if (!await Blocks.HasAsync(cid, cancellationToken))
        {
            throw new BlockNotFoundException(cid.ToString());
        }
        Pins.Add(cid, kind);
    }

    public async Task<GcResult> CollectGarbageAsync(CancellationToken cancellationToken = default)
    {
        await using var _ = await Gate.EnterGcAsync(cancellationToken);
        return await GarbageCollector.CollectAsync(Blocks, Pins, cancellationToken);
    }

    public async Task<int> ExportCarAsync(IReadOnlyList<Cid> roots, Stream output, CancellationToken cancellationToken = default) =>
        await CarFile.ExportAsync(Blocks, roots, output, cancellationToken);

    /// <summary>Imports a CAR and pins its roots recursively when every block under them arrived.</summary>
    public async Task<(IReadOnlyList<Cid> Roots, int Blocks)> ImportCarAsync(Stream input, bool pinRoots = true, CancellationToken cancellationToken = default)
    {
        await using var _ = await Gate.EnterAddAsync(cancellationToken);
        var result = await CarFile.ImportAsync(Blocks, input, cancellationToken);
        if (pinRoots)
        {
            foreach (var root in result.Roots)
            {
                await PinAsync(root, PinKind.Recursive, cancellationToken);
            }
        }
        return result;
    }
}
