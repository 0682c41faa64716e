using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Pipelines;
using System.Text.Json;
using LinqP2P.Core;
using LinqP2P.Execution;
using LinqP2P.Ipfs;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Ipfs.Pinning;
using LinqP2P.Multiformats;

namespace LinqP2P.Artifacts;

/// <summary>A container image stored as a <c>docker save</c> archive under <see cref="Cid"/>.</summary>
/// <param name="ImageId">The image id (<c>sha256:</c> + the config blob's digest) the archive holds.</param>
public sealed record ImageArtifact(Cid Cid, string ImageId, IReadOnlyList<string> RepoTags, ulong Size)
{
    /// <summary>How a job names it: <c>ipfs://CID</c>.</summary>
    public string Reference => ImageArtifacts.Scheme + Cid;
}

/// <summary>An image archive is malformed, or is not what a job said it is.</summary>
public sealed class ImageArtifactException : LinqException
{
    public ImageArtifactException(string code, string message, Exception? inner = null)
        : base("artifacts.image." + code, message, retryable: false, inner) { }
}

/// <summary>
/// Container images as IPFS artifacts (SPEC.md §6.9). A requester stores the output of
/// <c>docker save</c> as one UnixFS file and names the image <c>ipfs://CID</c> in the job; a provider
/// resolves that to an <see cref="ImageSource"/> whose tarball streams out of the store, pinned by image
/// id, so <c>docker load</c> runs it without any registry.
/// </summary>
public sealed class ImageArtifacts
{
    public const string Scheme = "ipfs://";

    /// <summary>Largest manifest.json accepted in an archive.</summary>
    public const int MaxManifestBytes = 1 << 20;

    private readonly IBlockStore _store;
    private readonly PinStore? _pins;
    private readonly ImportProfile _profile;

    /// <param name="store">Where the archive's blocks are (a store that fetches missing blocks from peers works too).</param>
    /// <param name="pins">When given, stored images are pinned recursively.</param>
    public ImageArtifacts(IBlockStore store, PinStore? pins = null, ImportProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _pins = pins;
        _profile = profile ?? ImportProfile.Default;
    }

    public ImageArtifacts(IpfsRepo repo)
        : this((repo ?? throw new ArgumentNullException(nameof(repo))).Blocks, repo.Pins)
    {
    }

    /// <summary>True for <c>ipfs://CID</c> image references.</summary>
    public static bool IsArtifactReference(string image) =>
        image is not null && image.StartsWith(Scheme, StringComparison.Ordinal);

    /// <summary>The CID inside <c>ipfs://CID</c>.</summary>
    public static Cid ParseReference(string image)
    {
        if (!IsArtifactReference(image))
        {
            throw new ImageArtifactException("bad_reference", $"'{image}' is not an ipfs:// image reference: use ipfs://CID as printed by `linq ipfs add-image`");
        }
        try
        {
            return Cid.Parse(image[Scheme.Length..].TrimEnd('/'));
        }
        catch (MultiformatException e)
        {
            throw new ImageArtifactException("bad_reference", $"'{image}' does not hold a valid CID: {e.Message}", e);
        }
    }

    /// <summary>Stores a <c>docker save</c> archive read from <paramref name="archive"/> and checks that it holds one image.</summary>
    public async Task<ImageArtifact> AddArchiveAsync(Stream archive, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        var result = await new UnixFsImporter(_store, _profile).ImportFileAsync(archive, progress, cancellationToken);
        var (imageId, tags) = await InspectAsync(result.Cid, cancellationToken);
        _pins?.Add(result.Cid, PinKind.Recursive);
        return new ImageArtifact(result.Cid, imageId, tags, result.ContentSize);
    }

    /// <summary>Runs <c>docker save REFERENCE</c> and stores its output (the docker CLI must be on PATH).</summary>
    public async Task<ImageArtifact> AddImageAsync(string reference, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (reference.StartsWith('-'))
        {
            throw new ImageArtifactException("bad_reference", $"'{reference}' is not an image reference");
        }
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("save");
        psi.ArgumentList.Add(reference);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new ImageArtifactException("docker_missing", "the docker CLI could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ImageArtifactException("docker_missing", "the docker CLI is not installed or not on PATH: install docker, or save the image elsewhere and add the archive", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            ImageArtifact artifact;
            try
            {
                artifact = await AddArchiveAsync(process.StandardOutput.BaseStream, progress, cancellationToken);
            }
            catch (LinqException e)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
                await process.WaitForExitAsync(CancellationToken.None);
                if (process.ExitCode != 0)
                {
                    throw new ImageArtifactException("save_failed", $"docker save {reference} failed: {(await stderr).Trim()} (check the image exists: docker images)", e);
                }
                throw;
            }
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new ImageArtifactException("save_failed", $"docker save {reference} failed: {(await stderr).Trim()}");
            }
            return artifact;
        }
    }

    /// <summary>
    /// Turns <c>ipfs://CID</c> into something an executor can run: the image id the archive holds, and
    /// the archive streamed from the store for <c>docker load</c> when the image is not present.
    /// </summary>
    public async Task<ImageSource> ResolveAsync(string image, CancellationToken cancellationToken = default)
    {
        var cid = ParseReference(image);
        var (imageId, _) = await InspectAsync(cid, cancellationToken);
        var exporter = new UnixFsExporter(_store);
        return new ImageSource
        {
            // By id, not by tag: a tag on the provider may name another image, the id cannot.
            Reference = imageId,
            Tarball = ImageTarball.FromStream(image, ct => Task.FromResult(Open(exporter, cid, ct))),
        };
    }

    /// <summary>Reads manifest.json from the stored archive: the image id and its tags.</summary>
    public async Task<(string ImageId, IReadOnlyList<string> RepoTags)> InspectAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        await using var stream = Open(new UnixFsExporter(_store), cid, cancellationToken);
        return await ReadManifestAsync(stream, cancellationToken);
    }

    /// <summary>Finds manifest.json in a <c>docker save</c> tar (classic or OCI layout) and reads the one image in it.</summary>
    public static async Task<(string ImageId, IReadOnlyList<string> RepoTags)> ReadManifestAsync(Stream archive, CancellationToken cancellationToken)
    {
        try
        {
            await using var tar = new TarReader(archive, leaveOpen: true);
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (entry.Name is not ("manifest.json" or "./manifest.json"))
                {
                    continue;
                }
                if (entry.Length > MaxManifestBytes || entry.DataStream is null)
                {
                    throw new ImageArtifactException("bad_manifest", $"manifest.json is {entry.Length} bytes; at most {MaxManifestBytes} are accepted");
                }
                var bytes = new byte[entry.Length];
                await entry.DataStream.ReadExactlyAsync(bytes, cancellationToken);
                return ParseManifest(bytes);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ImageArtifactException("not_an_archive", $"the artifact is not a tar archive ({e.Message}): store the output of `docker save`", e);
        }
        throw new ImageArtifactException("no_manifest", "the archive has no manifest.json: store the output of `docker save`, not a filesystem tar");
    }

    /// <summary>Parses a docker save manifest.json: the one image's id and tags.</summary>
    public static (string ImageId, IReadOnlyList<string> RepoTags) ParseManifest(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.GetArrayLength() != 1)
            {
                throw new ImageArtifactException("bad_manifest", "manifest.json must list exactly one image: save one image per artifact");
            }
            var image = doc.RootElement[0];
            if (image.ValueKind != JsonValueKind.Object || !image.TryGetProperty("Config", out var config) || config.ValueKind != JsonValueKind.String)
            {
                throw new ImageArtifactException("bad_manifest", "manifest.json names no Config blob");
            }
            // Classic layout: "<hex>.json"; OCI layout (docker 25+): "blobs/sha256/<hex>".
            var name = config.GetString()!;
            var hex = name.EndsWith(".json", StringComparison.Ordinal) ? name[..^5] : name;
            hex = hex[(hex.LastIndexOf('/') + 1)..];
            if (hex.Length != 64 || !hex.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                throw new ImageArtifactException("bad_manifest", $"the Config blob '{name}' is not named by a sha256 digest");
            }
            var tags = image.TryGetProperty("RepoTags", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).Take(64).ToList()
                : [];
            return ("sha256:" + hex, tags);
        }
        catch (JsonException e)
        {
            throw new ImageArtifactException("bad_manifest", $"manifest.json is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The stored file as a stream, produced block by block into a bounded pipe; disposing it stops the producer.</summary>
    private static Stream Open(UnixFsExporter exporter, Cid cid, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20));
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await exporter.CatAsync(cid, pipe.Writer.AsStream(leaveOpen: true), 0, null, stop.Token);
                    await pipe.Writer.CompleteAsync();
                }
                catch (Exception e)
                {
                    await pipe.Writer.CompleteAsync(e);
                }
            },
            CancellationToken.None);
        return new ProducerStream(pipe.Reader.AsStream(), stop);
    }

    /// <summary>Reads the pipe; on dispose cancels the producer so an abandoned read does not export the rest.</summary>
    private sealed class ProducerStream(Stream inner, CancellationTokenSource stop) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                stop.Cancel();
                // Not disposed: the producer may still hold its token; cancelling is what stops it.
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
