using System.Text.RegularExpressions;
using LinqP2P.Core;

namespace LinqP2P.Execution;

/// <summary>
/// Checks a request before anything is created: a request that fails here never reaches the engine.
/// Every problem is listed in one <see cref="InvalidInputException"/> so the requester can fix them at once.
/// </summary>
public static partial class ExecutionRequestValidator
{
    /// <summary>Job variables plus shard parameters; keeps the container config (and the env block) small.</summary>
    public const int MaxEnvironmentVariables = 128;

    /// <summary>Total bytes of all NAME=value pairs the request adds.</summary>
    public const int MaxEnvironmentBytes = 64 * 1024;

    public const int MaxInputs = 32;
    public const int MaxOutputPaths = 256;
    public const int MaxArguments = 1024;

    /// <summary>Docker refuses less than 6 MiB.</summary>
    public const long MinMemoryBytes = 6 * ResourceLimits.MiB;

    /// <summary>Throws <see cref="InvalidInputException"/> (code <c>exec.request.invalid</c>) listing every problem.</summary>
    public static void Validate(ExecutionRequest request)
    {
        var problems = Problems(request);
        if (problems.Count > 0)
        {
            throw new InvalidInputException(
                ExecutionErrorCodes.InvalidRequest,
                $"The execution request for job '{request.JobId}' is invalid: {string.Join("; ", problems)}. Fix the job spec and submit it again.");
        }
    }

    /// <summary>The problems found, empty when the request is valid.</summary>
    public static IReadOnlyList<string> Problems(ExecutionRequest request)
    {
        var p = new List<string>();
        if (string.IsNullOrEmpty(request.JobId) || request.JobId.Length > 128 || !JobIdPattern().IsMatch(request.JobId))
        {
            p.Add("the job id must be 1-128 characters of letters, digits, '.', '-', '_'");
        }
        if (request.ShardCount < 1)
        {
            p.Add($"the shard count must be at least 1 (is {request.ShardCount})");
        }
        if (request.ShardIndex < 0 || request.ShardIndex >= Math.Max(1, request.ShardCount))
        {
            p.Add($"the shard index must be in [0, shard count) (is {request.ShardIndex} of {request.ShardCount})");
        }
        CheckImage(request.Image, p);
        CheckArguments(request, p);
        CheckEnvironment(request, p);
        CheckStartHook(request, p);
        CheckInputs(request.Inputs, p);
        CheckOutputs(request.OutputPaths, p);
        CheckLimits(request.Limits, p);
        return p;
    }

    private static void CheckImage(ImageSource? image, List<string> p)
    {
        if (image is null || string.IsNullOrWhiteSpace(image.Reference))
        {
            p.Add("the image reference is missing");
        }
        else if (image.Reference.Length > 255 || image.Reference.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            p.Add("the image reference must be at most 255 characters without spaces");
        }
    }

    private static void CheckArguments(ExecutionRequest request, List<string> p)
    {
        if (request.Command is { Count: 0 })
        {
            p.Add("the command, when given, needs at least the program");
        }
        var all = (request.Command ?? []).Concat(request.Args ?? []).ToList();
        if (all.Count > MaxArguments)
        {
            p.Add($"at most {MaxArguments} command arguments are allowed (has {all.Count})");
        }
        if (all.Any(a => a is null || a.Contains('\0', StringComparison.Ordinal)))
        {
            p.Add("command arguments may not be null or contain NUL characters");
        }
    }

    private static void CheckStartHook(ExecutionRequest request, List<string> p)
    {
        if (request.StartHook is not { } hook)
        {
            return;
        }
        foreach (var (name, value) in hook.Environment)
        {
            if (!EnvNamePattern().IsMatch(name) || !name.StartsWith(ExecutionContract.ReservedPrefix, StringComparison.Ordinal))
            {
                p.Add($"start hook variable '{Printable(name)}' must match LINQ_[A-Za-z0-9_]*");
            }
            else if (ExecutionContract.ExecutorVariables.Contains(name) || name.StartsWith(ExecutionContract.ParameterPrefix, StringComparison.Ordinal))
            {
                p.Add($"start hook variable '{name}' is set by the executor itself");
            }
            if (value is null || value.Contains('\0', StringComparison.Ordinal))
            {
                p.Add($"start hook variable '{Printable(name)}' has a null value or a NUL character");
            }
        }
    }

    private static void CheckEnvironment(ExecutionRequest request, List<string> p)
    {
        var count = request.Environment.Count + request.ShardParameters.Count;
        if (count > MaxEnvironmentVariables)
        {
            p.Add($"at most {MaxEnvironmentVariables} environment variables and shard parameters are allowed (has {count})");
        }
        long bytes = 0;
        foreach (var (name, value) in request.Environment)
        {
            bytes += name.Length + 1 + (value?.Length ?? 0);
            if (!EnvNamePattern().IsMatch(name))
            {
                p.Add($"environment variable name '{Printable(name)}' must match [A-Za-z_][A-Za-z0-9_]*");
            }
            else if (name.StartsWith(ExecutionContract.ReservedPrefix, StringComparison.OrdinalIgnoreCase))
            {
                p.Add($"environment variable '{name}' uses the reserved prefix LINQ_; pass it as a shard parameter instead");
            }
            if (value is null || value.Contains('\0', StringComparison.Ordinal))
            {
                p.Add($"environment variable '{Printable(name)}' has a null value or a NUL character");
            }
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.ShardParameters)
        {
            bytes += ExecutionContract.ParameterPrefix.Length + name.Length + 1 + (value?.Length ?? 0);
            if (!ParameterNamePattern().IsMatch(name))
            {
                p.Add($"shard parameter name '{Printable(name)}' must be 1-64 letters, digits or '_'");
            }
            else if (!seen.Add(ExecutionContract.ParameterName(name)))
            {
                p.Add($"shard parameters '{name}' and another differ only in case");
            }
            if (value is null || value.Contains('\0', StringComparison.Ordinal))
            {
                p.Add($"shard parameter '{Printable(name)}' has a null value or a NUL character");
            }
        }
        if (bytes > MaxEnvironmentBytes)
        {
            p.Add($"environment variables and shard parameters total {bytes} bytes, more than {MaxEnvironmentBytes}; pass large values as input files");
        }
    }

    private static void CheckInputs(IReadOnlyList<InputMount> inputs, List<string> p)
    {
        if (inputs.Count > MaxInputs)
        {
            p.Add($"at most {MaxInputs} inputs are allowed (has {inputs.Count})");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (input.Name is null || !SegmentPattern().IsMatch(input.Name) || input.Name is "." or "..")
            {
                p.Add($"input name '{Printable(input.Name)}' must be one path segment of letters, digits, '.', '-', '_'");
            }
            else if (!names.Add(input.Name))
            {
                p.Add($"input name '{input.Name}' is used twice");
            }
            if (string.IsNullOrEmpty(input.HostPath) || !Path.IsPathFullyQualified(input.HostPath))
            {
                p.Add($"input '{Printable(input.Name)}' needs an absolute host path");
            }
            else if (!Directory.Exists(input.HostPath))
            {
                p.Add($"input folder '{input.HostPath}' does not exist on this provider");
            }
        }
    }

    private static void CheckOutputs(IReadOnlyList<string> outputs, List<string> p)
    {
        if (outputs.Count > MaxOutputPaths)
        {
            p.Add($"at most {MaxOutputPaths} output paths are allowed (has {outputs.Count})");
        }
        foreach (var path in outputs)
        {
            if (!IsSafeRelativePath(path))
            {
                p.Add($"output path '{Printable(path)}' must be relative to {ExecutionContract.OutputRoot} without '..', '.', empty segments or backslashes");
            }
        }
    }

    private static void CheckLimits(ResourceLimits? l, List<string> p)
    {
        if (l is null)
        {
            p.Add("the resource limits are missing");
            return;
        }
        if (l.NanoCpus <= 0)
        {
            p.Add($"the CPU limit must be positive (is {l.NanoCpus} nano-CPUs)");
        }
        if (l.MemoryBytes < MinMemoryBytes)
        {
            p.Add($"the memory limit must be at least {MinMemoryBytes} bytes (is {l.MemoryBytes})");
        }
        if (l.PidsLimit < 1)
        {
            p.Add($"the pids limit must be at least 1 (is {l.PidsLimit})");
        }
        if (l.ScratchBytes <= 0)
        {
            p.Add($"the scratch size must be positive (is {l.ScratchBytes})");
        }
        if (l.GpuCount < 0)
        {
            p.Add($"the GPU count may not be negative (is {l.GpuCount})");
        }
        if (l.GpuCount > 0 && l.GpuIds.Count > 0)
        {
            p.Add("give either a GPU count or GPU ids, not both");
        }
        if (l.GpuIds.Any(id => string.IsNullOrWhiteSpace(id) || !GpuIdPattern().IsMatch(id)))
        {
            p.Add("GPU ids must be indexes or UUIDs as nvidia-smi lists them");
        }
        if (l.MaxDuration <= TimeSpan.Zero)
        {
            p.Add($"the maximum duration must be positive (is {l.MaxDuration})");
        }
        if (l.MaxOutputBytes < 0 || l.MaxOutputFiles < 0 || l.LogTailBytes < 0 || l.MaxStreamedLogBytes < 0)
        {
            p.Add("output and log caps may not be negative");
        }
    }

    /// <summary>A relative path with '/' separators that cannot climb out of the folder it is resolved against.</summary>
    public static bool IsSafeRelativePath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > 1024 || path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal)
            || path.Any(char.IsControl))
        {
            return false;
        }
        return path.TrimEnd('/').Split('/').All(s => s.Length > 0 && s != "." && s != "..");
    }

    private static string Printable(string? s) =>
        s is null ? "(null)" : new string([.. s.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex JobIdPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex("^[A-Za-z0-9_]{1,64}$")]
    private static partial Regex ParameterNamePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex SegmentPattern();

    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$")]
    private static partial Regex GpuIdPattern();
}
