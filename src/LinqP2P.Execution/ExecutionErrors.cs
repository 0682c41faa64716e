using LinqP2P.Core;

namespace LinqP2P.Execution;

/// <summary>Error codes the executor raises; stable, mapped to ProblemDetails by the API. See SPEC.md §8.6.</summary>
public static class ExecutionErrorCodes
{
    public const string InvalidRequest = "exec.request.invalid";
    public const string ExecutorUnavailable = "exec.daemon.unreachable";
    public const string ImageMissing = "exec.image.missing";
    public const string ImageLoadFailed = "exec.image.load_failed";
    public const string GpuUnavailable = "exec.gpu.unavailable";
    public const string OutputCollectionFailed = "exec.output.collect_failed";
}

/// <summary>The container engine (dockerd) cannot be reached or answered with a server error.</summary>
public sealed class ExecutorUnavailableException(string message, Exception? inner = null)
    : LinqException(ExecutionErrorCodes.ExecutorUnavailable, message, retryable: true, inner);

/// <summary>The image is not on this provider and the request does not allow fetching it from a registry.</summary>
public sealed class ImageMissingException(string reference, string message, Exception? inner = null)
    : LinqException(ExecutionErrorCodes.ImageMissing, message, retryable: false, inner)
{
    public string Reference { get; } = reference;
}

/// <summary>An image tarball could not be loaded (corrupt, not a <c>docker save</c> archive, or without the reference).</summary>
public sealed class ImageLoadException(string message, Exception? inner = null)
    : LinqException(ExecutionErrorCodes.ImageLoadFailed, message, retryable: false, inner);

/// <summary>The request asks for GPUs this provider does not have; raised before any container exists.</summary>
public sealed class GpuUnavailableException(string message)
    : LinqException(ExecutionErrorCodes.GpuUnavailable, message, retryable: false);

/// <summary>The provider could not copy the job's outputs (disk full, permissions on the work root).</summary>
public sealed class OutputCollectionException(string message, Exception inner)
    : LinqException(ExecutionErrorCodes.OutputCollectionFailed, message, retryable: true, inner);
