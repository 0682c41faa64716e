namespace LinqP2P.Ipfs.Pinning;

/// <summary>
/// Keeps garbage collection away from adds in flight: an add's blocks are unpinned until the add ends,
/// so a sweep in between would delete them. Adds enter shared (many at once); GC enters alone, after
/// the adds already running have finished, and new adds wait for it.
/// </summary>
public sealed class AddGcGate
{
    private readonly SemaphoreSlim _turnstile = new(1, 1);
    private readonly Lock _lock = new();
    private int _adds;
    private TaskCompletionSource _idle = NewIdle(completed: true);

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            tcs.SetResult();
        }
        return tcs;
    }

    public async Task<IAsyncDisposable> EnterAddAsync(CancellationToken cancellationToken = default)
    {
        await _turnstile.WaitAsync(cancellationToken);
        lock (_lock)
        {
            if (_adds++ == 0)
            {
                _idle = NewIdle(completed: false);
            }
        }
        _turnstile.Release();
        return new Exit(() =>
        {
            lock (_lock)
            {
                if (--_adds == 0)
                {
                    _idle.TrySetResult();
                }
            }
        });
    }

    public async Task<IAsyncDisposable> EnterGcAsync(CancellationToken cancellationToken = default)
    {
        await _turnstile.WaitAsync(cancellationToken);
        Task idle;
        lock (_lock)
        {
            idle = _idle.Task;
        }
        try
        {
            await idle.WaitAsync(cancellationToken);
        }
        catch
        {
            _turnstile.Release();
            throw;
        }
        return new Exit(() => _turnstile.Release());
    }

    private sealed class Exit(Action onExit) : IAsyncDisposable
    {
        private int _done;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                onExit();
            }
            return ValueTask.CompletedTask;
        }
    }
}
