using Docker.DotNet;
using Docker.DotNet.Models;
using LinqP2P.Execution;

namespace LinqP2P.Execution.Docker;

/// <summary>Follows <c>docker stats</c> of a running container, keeping peak memory, pids and the last CPU total.</summary>
internal sealed class UsageSampler : IProgress<ContainerStatsResponse>
{
    private long _peakMemory;
    private long _peakPids;
    private ulong _cpuNanos;
    private int _samples;

    public ResourceUsage? Usage =>
        Volatile.Read(ref _samples) == 0
            ? null
            : new ResourceUsage(Interlocked.Read(ref _peakMemory), TimeSpan.FromTicks((long)(Volatile.Read(ref _cpuNanos) / 100)), Interlocked.Read(ref _peakPids));

    public void Report(ContainerStatsResponse value)
    {
        if (value.Read == default)
        {
            return; // the empty frame sent after the container stopped
        }
        var memory = (long)Math.Max(value.MemoryStats?.MaxUsage ?? 0, value.MemoryStats?.Usage ?? 0);
        InterlockedMax(ref _peakMemory, memory);
        InterlockedMax(ref _peakPids, (long)(value.PidsStats?.Current ?? 0));
        var cpu = value.CPUStats?.CPUUsage?.TotalUsage ?? 0;
        if (cpu > Volatile.Read(ref _cpuNanos))
        {
            Volatile.Write(ref _cpuNanos, cpu);
        }
        Interlocked.Increment(ref _samples);
    }

    public async Task RunAsync(IDockerClient client, string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await client.Containers.GetContainerStatsAsync(containerId, new ContainerStatsParameters { Stream = true }, this, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or DockerApiException or HttpRequestException or IOException)
        {
            // Usage is best effort: a short job may be gone before the first sample.
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
