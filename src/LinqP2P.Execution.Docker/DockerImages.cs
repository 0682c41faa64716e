using Docker.DotNet;
using Docker.DotNet.Models;
using LinqP2P.Execution;

namespace LinqP2P.Execution.Docker;

/// <summary>
/// Makes sure the image of a request is present: already local, or loaded from its <c>docker save</c>
/// tarball, or — only when the request allows it — pulled. Never pulls on its own initiative.
/// </summary>
internal static class DockerImages
{
    /// <summary>Returns the image id to create the container from.</summary>
    public static async Task<string> EnsureAsync(IDockerClient client, ImageSource source, CancellationToken cancellationToken)
    {
        // A tag is mutable, so a tarball given with a tag is always loaded: the tarball is what the job
        // pinned (by CID), and a local image with the same tag may be something else.
        var pinnedById = source.Reference.StartsWith("sha256:", StringComparison.Ordinal);
        if (source.Tarball is null || pinnedById)
        {
            if (await TryInspectAsync(client, source.Reference, cancellationToken) is { } present)
            {
                return present;
            }
        }
        if (source.Tarball is not null)
        {
            var loaded = await LoadAsync(client, source.Tarball, cancellationToken);
            return await TryInspectAsync(client, source.Reference, cancellationToken)
                ?? throw new ImageLoadException(
                    $"The tarball {source.Tarball} loaded ({string.Join(", ", loaded)}) but does not contain '{source.Reference}'. " +
                    "Check that the job's image reference matches the archive (docker save <reference>).");
        }
        if (source.AllowRegistryPull)
        {
            await PullAsync(client, source.Reference, cancellationToken);
            return await TryInspectAsync(client, source.Reference, cancellationToken)
                ?? throw new ImageMissingException(source.Reference, $"Pulling '{source.Reference}' finished but the image is not present; retry the pull or provide a tarball.");
        }
        throw new ImageMissingException(
            source.Reference,
            $"The image '{source.Reference}' is not on this provider and the job does not allow registry pulls. " +
            "Attach the image as a docker save tarball (its CID), load it with 'docker load', or allow pulls for this job.");
    }

    /// <summary>Loads a <c>docker save</c> archive and returns what the daemon reported as loaded.</summary>
    public static async Task<IReadOnlyList<string>> LoadAsync(IDockerClient client, ImageTarball tarball, CancellationToken cancellationToken)
    {
        var progress = new LoadProgress();
        try
        {
            await using var stream = await tarball.OpenAsync(cancellationToken);
            await client.Images.LoadImageAsync(new ImageLoadParameters { Quiet = false }, stream, progress, cancellationToken);
        }
        catch (DockerApiException e)
        {
            throw new ImageLoadException(
                $"The daemon refused the image tarball {tarball}: {Short(e.ResponseBody)}. It must be a 'docker save' archive; fetch it again.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException($"The image tarball {tarball} could not be read: {e.Message}. Fetch it again.", e);
        }
        if (progress.Error is { } error)
        {
            throw new ImageLoadException($"Loading the image tarball {tarball} failed: {Short(error)}. It must be a 'docker save' archive; fetch it again.");
        }
        if (progress.Loaded.Count == 0)
        {
            throw new ImageLoadException($"The image tarball {tarball} contained no image. It must be a 'docker save' archive; fetch it again.");
        }
        return progress.Loaded;
    }

    public static async Task<string?> TryInspectAsync(IDockerClient client, string reference, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.Images.InspectImageAsync(reference, cancellationToken)).ID;
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException e) when (e.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.BadRequest)
        {
            return null;
        }
    }

    private static async Task PullAsync(IDockerClient client, string reference, CancellationToken cancellationToken)
    {
        var (name, tag) = SplitTag(reference);
        var progress = new LoadProgress();
        try
        {
            await client.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = name, Tag = tag }, null, progress, cancellationToken);
        }
        catch (DockerApiException e)
        {
            throw new ImageMissingException(reference, $"The image '{reference}' could not be pulled: {Short(e.ResponseBody)}. Provide it as a tarball instead.", e);
        }
        if (progress.Error is { } error)
        {
            throw new ImageMissingException(reference, $"The image '{reference}' could not be pulled: {Short(error)}. Provide it as a tarball instead.");
        }
    }

    /// <summary>Splits <c>registry:5000/name:tag</c> into name and tag (default <c>latest</c>); digests stay in the name.</summary>
    internal static (string Name, string Tag) SplitTag(string reference)
    {
        if (reference.Contains('@', StringComparison.Ordinal))
        {
            return (reference, "");
        }
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        return colon > slash ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
    }

    private static string Short(string? s) => s is null ? "(no detail)" : s.Length > 300 ? s[..300] + "..." : s.Trim();

    private sealed class LoadProgress : IProgress<JSONMessage>
    {
        public List<string> Loaded { get; } = [];

        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            var error = value.Error?.Message ?? value.ErrorMessage;
            if (!string.IsNullOrEmpty(error))
            {
                Error ??= error;
            }
            var text = value.Stream ?? value.Status;
            if (text is not null && text.StartsWith("Loaded image", StringComparison.Ordinal))
            {
                Loaded.Add(text[(text.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
            }
        }
    }
}
