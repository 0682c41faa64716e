namespace LinqP2P.Execution;

/// <summary>
/// One shard of one job, ready to run: what image, what command, what it may read and write, and the
/// limits it runs under. Validated by <see cref="ExecutionRequestValidator"/> before anything starts.
/// See SPEC.md §8 "Execution".
/// </summary>
public sealed record ExecutionRequest
{
    /// <summary>The market job id; becomes <c>LINQ_JOB_ID</c> and the container label <c>org.linqp2p.job</c>.</summary>
    public required string JobId { get; init; }

    /// <summary>Zero-based shard index; <c>LINQ_SHARD_INDEX</c>.</summary>
    public int ShardIndex { get; init; }

    /// <summary>Number of shards of the job; <c>LINQ_SHARD_COUNT</c>.</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>The image to run and where it may come from.</summary>
    public required ImageSource Image { get; init; }

    /// <summary>Replaces the image's entrypoint when set (argv[0] and following).</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>Arguments after the entrypoint (the image's CMD when null).</summary>
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>Job environment variables. Names starting with <c>LINQ_</c> are reserved for the executor.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The shard's parameters, each exposed as <c>LINQ_PARAM_&lt;NAME&gt;</c>; names are upper-cased.</summary>
    public IReadOnlyDictionary<string, string> ShardParameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Host folders bound read-only into the container, each under <c>/linq/in</c>.</summary>
    public IReadOnlyList<InputMount> Inputs { get; init; } = [];

    /// <summary>
    /// Paths relative to <c>/linq/out</c> (files or folders) collected after the run. Empty means
    /// everything the job wrote there.
    /// </summary>
    public IReadOnlyList<string> OutputPaths { get; init; } = [];

    /// <summary>Resource limits; the defaults are stated on each property.</summary>
    public ResourceLimits Limits { get; init; } = new();

    /// <summary>
    /// Optional node code run after the container starts and before the job's command (mesh links,
    /// SPEC.md §8.8); null runs the command at once.
    /// </summary>
    public IExecutionStartHook? StartHook { get; init; }
}

/// <summary>
/// Where the image comes from. The reference must be present locally, or be inside
/// <see cref="Tarball"/> (a <c>docker save</c> archive, later fetched from the artifact store by CID),
/// or be pulled from a registry — only when <see cref="AllowRegistryPull"/> is true.
/// </summary>
public sealed record ImageSource
{
    /// <summary>A local image reference (<c>name:tag</c>) or image id (<c>sha256:...</c>).</summary>
    public required string Reference { get; init; }

    /// <summary>A <c>docker save</c> tarball that holds <see cref="Reference"/>; loaded when the image is not present.</summary>
    public ImageTarball? Tarball { get; init; }

    /// <summary>False by default: providers run only images they were given, never whatever a registry serves.</summary>
    public bool AllowRegistryPull { get; init; }

    public static ImageSource Local(string reference) => new() { Reference = reference };
}

/// <summary>A <c>docker save</c> archive, as a file or as a stream opened on demand (for example from the IPFS store).</summary>
public sealed class ImageTarball
{
    private readonly Func<CancellationToken, Task<Stream>> _open;

    private ImageTarball(string description, Func<CancellationToken, Task<Stream>> open)
    {
        Description = description;
        _open = open;
    }

    /// <summary>Where the archive comes from, for error messages.</summary>
    public string Description { get; }

    public static ImageTarball FromFile(string path) =>
        new(path, _ => Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true)));

    /// <summary>The stream is opened once per load and disposed by the executor.</summary>
    public static ImageTarball FromStream(string description, Func<CancellationToken, Task<Stream>> open) => new(description, open);

    public Task<Stream> OpenAsync(CancellationToken cancellationToken) => _open(cancellationToken);

    public override string ToString() => Description;
}

/// <summary>A host folder bound read-only at <c>/linq/in/&lt;Name&gt;</c>.</summary>
/// <param name="HostPath">An existing absolute folder on the provider.</param>
/// <param name="Name">A single path segment: letters, digits, '.', '-', '_'.</param>
public sealed record InputMount(string HostPath, string Name);
