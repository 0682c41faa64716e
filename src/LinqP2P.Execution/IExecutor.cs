namespace LinqP2P.Execution;

/// <summary>
/// Runs one shard of a job in isolation and reports how it ended. Implementations enforce every limit
/// in <see cref="ResourceLimits"/>, never leave the sandbox behind (also on timeout, cancellation and
/// faults), and stream the job's output to the sink as it arrives. See SPEC.md §8.1.
/// </summary>
public interface IExecutor
{
    /// <summary>
    /// Runs <paramref name="request"/> to completion. Outcomes of the job (non-zero exit, timeout, OOM,
    /// cancellation) are results; faults of the provider (daemon down, image missing, invalid request,
    /// GPU absent) are <see cref="Core.LinqException"/>s thrown before the job starts.
    /// </summary>
    Task<ExecutionResult> ExecuteAsync(ExecutionRequest request, IExecutionLogSink logSink, CancellationToken cancellationToken);
}

public enum LogStream
{
    Stdout,
    Stderr,
}

/// <summary>One line (without its newline) a job wrote; lines longer than the executor's limit are split.</summary>
public readonly record struct LogLine(LogStream Stream, string Text, DateTimeOffset ReceivedAt);

/// <summary>Receives a job's output while it runs, in the order the executor read it.</summary>
public interface IExecutionLogSink
{
    ValueTask WriteAsync(LogLine line, CancellationToken cancellationToken);
}

/// <summary>Ready-made sinks.</summary>
public static class ExecutionLogSink
{
    /// <summary>Drops everything (the result still carries the tail).</summary>
    public static IExecutionLogSink None { get; } = new CallbackSink(_ => { });

    /// <summary>Calls <paramref name="onLine"/> for each line, on the executor's log reader.</summary>
    public static IExecutionLogSink FromCallback(Action<LogLine> onLine) => new CallbackSink(onLine);

    private sealed class CallbackSink(Action<LogLine> onLine) : IExecutionLogSink
    {
        public ValueTask WriteAsync(LogLine line, CancellationToken cancellationToken)
        {
            onLine(line);
            return ValueTask.CompletedTask;
        }
    }
}
