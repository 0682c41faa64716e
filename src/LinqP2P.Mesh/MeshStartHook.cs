using System.Globalization;
using LinqP2P.Execution;

namespace LinqP2P.Mesh;

/// <summary>
/// Joins a shard's container to the mesh through the executor's start gate: the environment tells the
/// job where its peers are, and the listeners exist before its command runs.
/// </summary>
internal sealed class MeshStartHook(MeshService service, string jobId, int shardIndex, int shardCount) : IExecutionStartHook
{
    public IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["LINQ_MESH_LISTEN"] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{service.Options.PortOf(shardIndex)}"),
        ["LINQ_MESH_PEERS"] = service.PeersVariable(shardIndex, shardCount),
    };

    public async Task<IAsyncDisposable> OnStartedAsync(StartedContainer container, CancellationToken cancellationToken)
    {
        if (container.JobId != jobId || container.ShardIndex != shardIndex)
        {
            throw new InvalidOperationException($"the mesh hook of job '{jobId}' shard {shardIndex} was given job '{container.JobId}' shard {container.ShardIndex}");
        }
        return await service.AttachAsync(jobId, shardIndex, shardCount, container.Pid, cancellationToken);
    }
}
