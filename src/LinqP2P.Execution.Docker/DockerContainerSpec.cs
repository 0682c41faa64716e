using System.Globalization;
using Docker.DotNet.Models;
using LinqP2P.Execution;

namespace LinqP2P.Execution.Docker;

/// <summary>
/// Turns a validated request into the container to create. Pure, so the exact hardening can be read and
/// tested without a daemon; SPEC.md §8.3 lists the same flags.
/// </summary>
public static class DockerContainerSpec
{
    /// <summary>Every Linux capability is dropped; nothing is added back.</summary>
    public static readonly IReadOnlyList<string> DroppedCapabilities = ["ALL"];

    /// <summary>setuid binaries and file capabilities cannot raise privileges.</summary>
    public static readonly IReadOnlyList<string> SecurityOptions = ["no-new-privileges"];

    /// <summary>
    /// The start gate (requests with a start hook): <c>/bin/sh</c> waits up to 60 s for
    /// <c>/linq/gate/ready</c>, then execs the job's own argv (passed as "$@"). Exit 125 if it never opens.
    /// </summary>
    public const string GateScript =
        "i=0; while [ ! -e " + ExecutionContract.GateReadyFile + " ]; do i=$((i+1)); " +
        "if [ $i -gt 1200 ]; then echo '[linq] the start gate did not open in 60 s' >&2; exit 125; fi; " +
        "sleep 0.05 2>/dev/null || sleep 1; done; exec \"$@\"";

    /// <param name="workPath">Host folder bound writable at <c>/linq/out</c>.</param>
    /// <param name="runId">Unique per run; part of the name and a label.</param>
    /// <param name="image">The image id (preferred) or reference to create from.</param>
    /// <param name="gatePath">Host folder bound read-only at <c>/linq/gate</c>; required when the request has a start hook.</param>
    /// <param name="imageArgv">The image's own entrypoint + CMD, needed to gate a request without <see cref="ExecutionRequest.Command"/>.</param>
    public static CreateContainerParameters Build(
        ExecutionRequest request, DockerExecutorOptions options, string workPath, string runId, string image,
        string? gatePath = null, IReadOnlyList<string>? imageEntrypoint = null, IReadOnlyList<string>? imageCmd = null)
    {
        var limits = request.Limits;
        var mounts = new List<Mount>
        {
            new() { Type = "bind", Source = workPath, Target = ExecutionContract.OutputRoot, ReadOnly = false },
        };
        IList<string>? entrypoint = request.Command is null ? null : [.. request.Command];
        IList<string>? cmd = request.Args is null ? null : [.. request.Args];
        if (request.StartHook is not null)
        {
            if (gatePath is null)
            {
                throw new ArgumentException("a request with a start hook needs the gate folder", nameof(gatePath));
            }
            mounts.Add(new Mount { Type = "bind", Source = gatePath, Target = ExecutionContract.GateRoot, ReadOnly = true });
            // The daemon's own rule: an explicit entrypoint drops the image's CMD.
            var argv = new List<string>(request.Command ?? imageEntrypoint ?? []);
            argv.AddRange(request.Args ?? (request.Command is null ? imageCmd ?? [] : []));
            entrypoint = ["/bin/sh", "-c", GateScript, "linq-gate"];
            cmd = argv;
        }
        foreach (var input in request.Inputs)
        {
            mounts.Add(new Mount
            {
                Type = "bind",
                Source = input.HostPath,
                Target = $"{ExecutionContract.InputRoot}/{input.Name}",
                ReadOnly = true,
            });
        }

        var host = new HostConfig
        {
            NetworkMode = "none",
            ReadonlyRootfs = true,
            CapDrop = [.. DroppedCapabilities],
            CapAdd = [],
            SecurityOpt = [.. SecurityOptions],
            Privileged = false,
            IpcMode = "private",
            CgroupnsMode = "private",
            PidsLimit = limits.PidsLimit,
            Memory = limits.MemoryBytes,
            // Equal to Memory: no swap on top, so the memory limit is the real one and OOM is detected.
            MemorySwap = limits.MemoryBytes,
            NanoCPUs = limits.NanoCpus,
            Tmpfs = new Dictionary<string, string>
            {
                // noexec: scratch is for data; programs come from the (hashed) image, not from downloads.
                [ExecutionContract.ScratchRoot] = string.Create(
                    CultureInfo.InvariantCulture, $"rw,noexec,nosuid,nodev,size={limits.ScratchBytes},mode=1777"),
            },
            Mounts = mounts,
            // A tiny init as PID 1 reaps zombies and passes signals on, so fork-heavy jobs end cleanly.
            Init = true,
            // Logs are read live through attach; the daemon keeps no copy on the provider's disk.
            LogConfig = new LogConfig { Type = "none", Config = new Dictionary<string, string>() },
            RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
            AutoRemove = false,
            Ulimits =
            [
                new Ulimit { Name = "core", Soft = 0, Hard = 0 },
                new Ulimit { Name = "nofile", Soft = 4096, Hard = 4096 },
            ],
            DeviceRequests = GpuRequests(limits, options.GpuDriver),
        };

        return new CreateContainerParameters
        {
            Name = "linq-" + runId,
            Image = image,
            Hostname = "linq",
            User = options.User,
            Entrypoint = entrypoint,
            Cmd = cmd,
            Env = [.. ExecutionContract.BuildEnvironment(request)],
            Labels = new Dictionary<string, string>
            {
                [DockerLabels.Managed] = "true",
                [DockerLabels.Job] = request.JobId,
                [DockerLabels.Shard] = request.ShardIndex.ToString(CultureInfo.InvariantCulture),
                [DockerLabels.Run] = runId,
            },
            NetworkDisabled = true,
            AttachStdin = false,
            AttachStdout = true,
            AttachStderr = true,
            OpenStdin = false,
            Tty = false,
            HostConfig = host,
        };
    }

    /// <summary>GPU device requests: by count or by ids, with the <c>gpu</c> capability; empty when none are wanted.</summary>
    public static IList<DeviceRequest> GpuRequests(ResourceLimits limits, string driver)
    {
        if (limits.GpuIds.Count > 0)
        {
            return [new DeviceRequest { Driver = driver, Count = 0, DeviceIDs = [.. limits.GpuIds], Capabilities = [["gpu"]] }];
        }
        if (limits.GpuCount > 0)
        {
            return [new DeviceRequest { Driver = driver, Count = limits.GpuCount, Capabilities = [["gpu"]] }];
        }
        return [];
    }
}
