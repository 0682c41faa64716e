namespace LinqP2P.Execution;

/// <summary>
/// Code the node runs after a shard's container has started but before the job's command does — for
/// instance mesh listeners created inside the container's network namespace (SPEC.md §8.8). The
/// executor holds the job back behind a start gate until <see cref="OnStartedAsync"/> returns, and
/// disposes what it returned once the container is gone. A hook needs <c>/bin/sh</c> in the image (the
/// gate is a shell loop waiting for <c>/linq/gate/ready</c>).
/// </summary>
public interface IExecutionStartHook
{
    /// <summary>
    /// Extra variables for the job, fixed before the container is created. Names must start with
    /// <c>LINQ_</c> and must not be one the executor sets itself.
    /// </summary>
    IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>
    /// Runs once the container's processes exist (so its namespaces do). A throw aborts the run: the
    /// container is killed and removed and the exception propagates from <see cref="IExecutor.ExecuteAsync"/>.
    /// </summary>
    /// <returns>Released after the container is removed (for example the listeners it opened).</returns>
    Task<IAsyncDisposable> OnStartedAsync(StartedContainer container, CancellationToken cancellationToken);
}

/// <summary>A shard's container that is running but whose job command is still held at the start gate.</summary>
/// <param name="ContainerId">The engine's container id.</param>
/// <param name="Pid">PID of the container's first process in the provider's PID namespace (Docker's <c>State.Pid</c>).</param>
public sealed record StartedContainer(string JobId, int ShardIndex, int ShardCount, string ContainerId, int Pid);
