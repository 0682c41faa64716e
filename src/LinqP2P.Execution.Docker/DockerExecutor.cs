using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using LinqP2P.Core;
using LinqP2P.Execution;

namespace LinqP2P.Execution.Docker;

/// <summary>
/// Runs shards in hardened Docker containers (SPEC.md §8.3) through the Engine API pinned to 1.41.
/// The container is always removed — after exit, timeout, cancellation or a fault — and the bound
/// output folder deleted once its contents are collected. Thread-safe: runs may overlap.
/// </summary>
public sealed class DockerExecutor : IExecutor, IDisposable
{
    /// <summary>The Engine API version every call uses (Docker 20.10).</summary>
    public static readonly System.Version ApiVersion = new(1, 41);

    private readonly DockerClientConfiguration _configuration;
    private readonly DockerClient _client;
    private readonly SemaphoreSlim _gpuProbe = new(1, 1);
    private IReadOnlyList<GpuInfo>? _gpus;

    public DockerExecutor(DockerExecutorOptions options)
    {
        options.Validate();
        Options = options;
        _gpus = options.Gpus;
        _configuration = new DockerClientConfiguration(options.Endpoint);
        _client = _configuration.CreateClient(ApiVersion);
    }

    public DockerExecutorOptions Options { get; }

    /// <inheritdoc />
    /// <remarks>
    /// Cancellation before the container starts throws <see cref="OperationCanceledException"/>; after it
    /// started, the container is killed and the result's outcome is <see cref="ExecutionOutcome.Cancelled"/>.
    /// An exception thrown by <paramref name="logSink"/> aborts the run (container killed and removed) and propagates.
    /// </remarks>
    public async Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, IExecutionLogSink logSink, CancellationToken cancellationToken)
    {
        ExecutionRequestValidator.Validate(request);
        CheckCpusFitThisMachine(request);
        await CheckGpusAsync(request.Limits, cancellationToken);
        try
        {
            return await Daemon(async () =>
            {
                await PingAsync(cancellationToken);
                var image = await DockerImages.EnsureAsync(_client, request.Image, cancellationToken);
                return await RunAsync(request, image, logSink, cancellationToken);
            });
        }
        catch (LogSinkFault fault)
        {
            // The caller's own exception, unchanged (not mistaken for a daemon fault on the way out).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fault.InnerException!);
            throw;
        }
    }

    /// <summary>Loads a <c>docker save</c> tarball and returns the references it held.</summary>
    public Task<IReadOnlyList<string>> LoadImageAsync(ImageTarball tarball, CancellationToken cancellationToken) =>
        Daemon(() => DockerImages.LoadAsync(_client, tarball, cancellationToken));

    /// <summary>True when the image is present locally.</summary>
    public Task<bool> HasImageAsync(string reference, CancellationToken cancellationToken) =>
        Daemon(async () => await DockerImages.TryInspectAsync(_client, reference, cancellationToken) is not null);

    /// <summary>Ids of the containers (running or not) labelled with <paramref name="jobId"/>.</summary>
    public Task<IReadOnlyList<string>> ListJobContainersAsync(string jobId, CancellationToken cancellationToken) =>
        ListByLabelAsync($"{DockerLabels.Job}={jobId}", cancellationToken);

    /// <summary>
    /// Removes every container this executor's label marks, for a node restarting after a crash. Call it
    /// only when no run is in progress.
    /// </summary>
    public async Task<int> RemoveOrphansAsync(CancellationToken cancellationToken)
    {
        var ids = await ListByLabelAsync($"{DockerLabels.Managed}=true", cancellationToken);
        foreach (var id in ids)
        {
            await RemoveContainerAsync(id);
        }
        return ids.Count;
    }

    /// <summary>Fails with <see cref="ExecutorUnavailableException"/> when the daemon does not answer a ping.</summary>
    public Task PingAsync(CancellationToken cancellationToken) =>
        Daemon(async () =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.PingTimeout);
            try
            {
                await _client.System.PingAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Unreachable(new TimeoutException($"no answer in {Options.PingTimeout}"));
            }
            return true;
        });

    /// <summary>
    /// What this provider offers: host resources, GPUs, engine version and which hardening options work.
    /// With <paramref name="probeImage"/> (a local image with a POSIX shell) a hardened container is run to
    /// verify them for real. Never throws for an unreachable daemon: that is reported as a problem.
    /// </summary>
    public Task<ProviderReport> CheckProviderAsync(string? probeImage, CancellationToken cancellationToken) =>
        DockerSelfCheck.RunAsync(this, _client, probeImage, cancellationToken);

    public void Dispose()
    {
        _client.Dispose();
        _configuration.Dispose();
        _gpuProbe.Dispose();
    }

    internal async Task<IReadOnlyList<GpuInfo>> GpusAsync(CancellationToken cancellationToken)
    {
        if (_gpus is { } known)
        {
            return known;
        }
        await _gpuProbe.WaitAsync(cancellationToken);
        try
        {
            return _gpus ??= await HostProbe.ListGpusAsync(cancellationToken);
        }
        finally
        {
            _gpuProbe.Release();
        }
    }

    private async Task<ExecutionResult> RunAsync(ExecutionRequest request, string image, IExecutionLogSink sink, CancellationToken cancellationToken)
    {
        var limits = request.Limits;
        var runId = $"{Sanitize(request.JobId)}-{request.ShardIndex}-{Guid.NewGuid().ToString("N")[..12]}";
        var folder = RunFolder.Create(Options.WorkRoot, runId, Options.UserId, Options.GroupId);
        var pump = new LogPump(sink, Options.MaxLogLineBytes, limits.MaxStreamedLogBytes, limits.LogTailBytes);
        var sampler = new UsageSampler();
        string? containerId = null;
        IAsyncDisposable? hookResources = null;
        using var background = new CancellationTokenSource();
        Task? pumpTask = null;
        Task? samplerTask = null;
        try
        {
            IReadOnlyList<string>? imageEntrypoint = null, imageCmd = null;
            if (request.StartHook is not null)
            {
                folder.CreateGate();
                if (request.Command is null)
                {
                    var config = (await _client.Images.InspectImageAsync(image, cancellationToken)).Config;
                    imageEntrypoint = config?.Entrypoint?.ToList();
                    imageCmd = config?.Cmd?.ToList();
                }
            }
            var spec = DockerContainerSpec.Build(request, Options, folder.WorkPath, runId, image, folder.GatePath, imageEntrypoint, imageCmd);
            containerId = (await _client.Containers.CreateContainerAsync(spec, cancellationToken)).ID;

            // Attached before start, so not a byte of output is missed.
            var attach = await _client.Containers.AttachContainerAsync(
                containerId, false, new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true }, cancellationToken);
            pumpTask = PumpAsync(pump, attach, background.Token);

            var startedAt = DateTimeOffset.UtcNow;
            try
            {
                // Not cancellable: once the process may be running, cancellation is the wait's business
                // (kill, then outcome Cancelled), not an exception halfway through a start.
                await _client.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), CancellationToken.None);
            }
            catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.InternalServerError)
            {
                // The runtime could not exec the command (missing binary, not executable): the job's fault.
                return await NotStartedAsync(request, containerId, e, pump, folder, startedAt, cancellationToken);
            }
            if (request.StartHook is { } hook)
            {
                hookResources = await RunStartHookAsync(request, hook, containerId, cancellationToken);
                folder.OpenGate();
            }
            if (Options.SampleUsage)
            {
                samplerTask = sampler.RunAsync(_client, containerId, background.Token);
            }

            var (outcome, exitCode) = await WaitAsync(containerId, limits.MaxDuration, pumpTask, cancellationToken);
            var finishedAt = DateTimeOffset.UtcNow;

            // The attach stream ends with the container; a bounded wait covers a daemon that keeps it open.
            await Task.WhenAny(pumpTask, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
            if (pumpTask.IsFaulted)
            {
                await pumpTask;
            }

            var collection = outcome == ExecutionOutcome.Cancelled
                ? new OutputCollector.Collection([], [new SkippedOutput(".", "the run was cancelled")], 0)
                : await CollectAsync(request, folder);
            Directory.CreateDirectory(folder.OutputPath);

            return new ExecutionResult
            {
                JobId = request.JobId,
                ShardIndex = request.ShardIndex,
                Outcome = outcome,
                ExitCode = exitCode,
                StartedAt = startedAt,
                FinishedAt = finishedAt,
                OutputDirectory = folder.OutputPath,
                Outputs = collection.Collected,
                SkippedOutputs = collection.Skipped,
                LogTail = pump.Tail,
                LogBytes = pump.TotalBytes,
                Usage = sampler.Usage,
            };
        }
        finally
        {
            await background.CancelAsync();
            if (containerId is not null)
            {
                await RemoveContainerAsync(containerId);
            }
            await Quietly(pumpTask);
            await Quietly(samplerTask);
            if (hookResources is not null)
            {
                await Quietly(hookResources.DisposeAsync().AsTask());
            }
            folder.DeleteWork();
        }
    }

    /// <summary>Runs the hook while the job waits at the gate; the caller's finally kills and removes the container if it throws.</summary>
    private async Task<IAsyncDisposable> RunStartHookAsync(ExecutionRequest request, IExecutionStartHook hook, string containerId, CancellationToken cancellationToken)
    {
        var state = (await _client.Containers.InspectContainerAsync(containerId, cancellationToken)).State;
        if (state is not { Running: true } || state.Pid <= 0)
        {
            throw new ExecutorUnavailableException(
                $"The container of job '{request.JobId}' shard {request.ShardIndex} stopped before its start hook ran " +
                $"(status {state?.Status}, exit {state?.ExitCode}); a gated job needs /bin/sh in its image. Check the image, then retry.");
        }
        var started = new StartedContainer(request.JobId, request.ShardIndex, request.ShardCount, containerId, (int)state.Pid);
        return await hook.OnStartedAsync(started, cancellationToken);
    }

    /// <summary>Waits for exit, the deadline or cancellation; kills on the latter two. A sink fault ends the wait too.</summary>
    private async Task<(ExecutionOutcome Outcome, long? ExitCode)> WaitAsync(
        string containerId, TimeSpan maxDuration, Task pumpTask, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(maxDuration);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var wait = _client.Containers.WaitContainerAsync(containerId, either.Token);
        if (await Task.WhenAny(wait, pumpTask) == pumpTask && pumpTask.IsFaulted)
        {
            await either.CancelAsync();
            await Quietly(wait);
            await pumpTask; // rethrows the sink's exception; the finally of RunAsync removes the container
        }

        ExecutionOutcome? killedAs = null;
        try
        {
            await wait;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            if (await KillAsync(containerId))
            {
                killedAs = cancellationToken.IsCancellationRequested ? ExecutionOutcome.Cancelled : ExecutionOutcome.TimedOut;
            }
            using var settle = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _client.Containers.WaitContainerAsync(containerId, settle.Token);
        }

        var state = (await _client.Containers.InspectContainerAsync(containerId, CancellationToken.None)).State;
        if (killedAs is { } killed)
        {
            return (killed, killed == ExecutionOutcome.Cancelled ? null : state.ExitCode);
        }
        if (state.OOMKilled)
        {
            return (ExecutionOutcome.OutOfMemory, state.ExitCode);
        }
        return (state.ExitCode == 0 ? ExecutionOutcome.Succeeded : ExecutionOutcome.Failed, state.ExitCode);
    }

    private async Task<ExecutionResult> NotStartedAsync(
        ExecutionRequest request, string containerId, DockerApiException e, LogPump pump, RunFolder folder, DateTimeOffset startedAt,
        CancellationToken cancellationToken)
    {
        var state = (await _client.Containers.InspectContainerAsync(containerId, CancellationToken.None)).State;
        var detail = string.IsNullOrEmpty(state.Error) ? e.ResponseBody : state.Error;
        await pump.AddNoticeAsync($"[linq] the container could not start: {detail?.Trim()}", cancellationToken);
        Directory.CreateDirectory(folder.OutputPath);
        return new ExecutionResult
        {
            JobId = request.JobId,
            ShardIndex = request.ShardIndex,
            Outcome = ExecutionOutcome.Failed,
            ExitCode = state.ExitCode != 0 ? state.ExitCode : 127,
            StartedAt = startedAt,
            FinishedAt = DateTimeOffset.UtcNow,
            OutputDirectory = folder.OutputPath,
            Outputs = [],
            SkippedOutputs = [],
            LogTail = pump.Tail,
            LogBytes = pump.TotalBytes,
        };
    }

    private static async Task<OutputCollector.Collection> CollectAsync(ExecutionRequest request, RunFolder folder)
    {
        try
        {
            return await OutputCollector.CollectAsync(
                folder.WorkPath, folder.OutputPath, request.OutputPaths, request.Limits.MaxOutputBytes, request.Limits.MaxOutputFiles,
                CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Caught here so a full disk is not mistaken for an unreachable daemon further up.
            throw new OutputCollectionException(
                $"The outputs of job '{request.JobId}' could not be copied to {folder.OutputPath}: {e.Message}. " +
                "Free disk space or fix permissions under the executor's WorkRoot, then run the shard again.", e);
        }
    }

    private static async Task PumpAsync(LogPump pump, MultiplexedStream attach, CancellationToken cancellationToken)
    {
        using (attach)
        {
            await pump.RunAsync(attach, cancellationToken);
        }
    }

    /// <summary>SIGKILL; false when the container had already stopped.</summary>
    private async Task<bool> KillAsync(string containerId)
    {
        try
        {
            await _client.Containers.KillContainerAsync(containerId, new ContainerKillParameters { Signal = "KILL" }, CancellationToken.None);
            return true;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    /// <summary>Force-removes with retries; never cancelled by the caller's token, so it also runs after cancellation.</summary>
    private async Task RemoveContainerAsync(string containerId)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _client.Containers.RemoveContainerAsync(
                    containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, timeout.Token);
                return;
            }
            catch (DockerContainerNotFoundException)
            {
                return;
            }
            catch (Exception e) when (attempt < 5 && e is DockerApiException or HttpRequestException or IOException or OperationCanceledException)
            {
                // 409 "removal already in progress" and transient socket errors clear up quickly.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), CancellationToken.None);
            }
        }
    }

    private async Task<IReadOnlyList<string>> ListByLabelAsync(string label, CancellationToken cancellationToken) =>
        await Daemon(async () =>
        {
            var list = await _client.Containers.ListContainersAsync(
                new ContainersListParameters
                {
                    All = true,
                    Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
                },
                cancellationToken);
            return (IReadOnlyList<string>)[.. list.Select(c => c.ID)];
        });

    private async Task CheckGpusAsync(ResourceLimits limits, CancellationToken cancellationToken)
    {
        if (!limits.WantsGpu)
        {
            return;
        }
        var gpus = await GpusAsync(cancellationToken);
        if (gpus.Count == 0)
        {
            throw new GpuUnavailableException(
                "This provider has no GPU (nvidia-smi lists none), so a job asking for GPUs cannot run here. " +
                "Bid only on CPU jobs, or install an NVIDIA GPU with its driver and the NVIDIA container toolkit.");
        }
        if (limits.GpuCount > gpus.Count)
        {
            throw new GpuUnavailableException(
                $"The job asks for {limits.GpuCount} GPUs but this provider has {gpus.Count}. Bid only on jobs that fit.");
        }
        var missing = limits.GpuIds
            .Where(id => !gpus.Any(g => g.Uuid == id || g.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) == id))
            .ToList();
        if (missing.Count > 0)
        {
            throw new GpuUnavailableException(
                $"The job asks for GPUs {string.Join(", ", missing)} that this provider does not have (it has {string.Join(", ", gpus.Select(g => g.Index))}).");
        }
    }

    private static void CheckCpusFitThisMachine(ExecutionRequest request)
    {
        var available = Environment.ProcessorCount * 1_000_000_000L;
        if (request.Limits.NanoCpus > available)
        {
            throw new InvalidInputException(
                ExecutionErrorCodes.InvalidRequest,
                $"The job asks for {request.Limits.NanoCpus / 1e9:0.##} CPUs but this provider has {Environment.ProcessorCount}. Bid only on jobs that fit.");
        }
    }

    /// <summary>Turns transport failures into <see cref="ExecutorUnavailableException"/>; LinqExceptions pass through.</summary>
    private static async Task<T> Daemon<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or TimeoutException
                                      || (e is IOException && e is not FileNotFoundException && e is not DirectoryNotFoundException))
        {
            throw Unreachable(e);
        }
        catch (DockerApiException e) when (e.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict)
        {
            throw new InvalidInputException(
                ExecutionErrorCodes.InvalidRequest,
                $"The Docker daemon refused the job's container ({(int)e.StatusCode}): {e.ResponseBody?.Trim()}. Fix the job spec (image, command, limits) and submit it again.",
                e);
        }
        catch (DockerApiException e) when ((int)e.StatusCode >= 500 && e is not DockerImageNotFoundException)
        {
            throw new ExecutorUnavailableException(
                $"The Docker daemon failed ({(int)e.StatusCode}): {e.ResponseBody?.Trim()}. Check 'docker info' and the daemon log, then retry.", e);
        }
    }

    private static ExecutorUnavailableException Unreachable(Exception e) =>
        new($"The Docker daemon is unreachable ({e.Message}). Start it (scripts/setup.sh starts 'dockerd --bridge=none " +
            "--iptables=false') and check that this user may use /var/run/docker.sock, then retry.", e);

    private static async Task Quietly(Task? task)
    {
        if (task is null)
        {
            return;
        }
        try
        {
            await task;
        }
        catch
        {
            // Already observed or irrelevant after removal.
        }
    }

    private static string Sanitize(string jobId)
    {
        var s = new string([.. jobId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        return s.Length > 24 ? s[..24] : s;
    }
}
