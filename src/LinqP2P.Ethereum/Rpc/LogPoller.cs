using LinqP2P.Core;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>Options of <see cref="LogPoller"/>.</summary>
public sealed class LogPollerOptions
{
    /// <summary>The block to start from when no cursor is stored. Default 0.</summary>
    public long StartBlock { get; set; }

    /// <summary>How many recent blocks are remembered to detect and undo a reorg. Default 64.</summary>
    public int ReorgWindow { get; set; } = 64;

    /// <summary>Blocks behind the head that are not read yet (0 reads up to the head). Default 0.</summary>
    public int Lag { get; set; }

    /// <summary>The most blocks read by one poll. Default 500.</summary>
    public int MaxBlocksPerPoll { get; set; } = 500;

    /// <summary>The pause between polls of <see cref="LogPoller.RunAsync"/>. Default 1 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Only logs of these contracts (lowercase 0x-hex); empty means all.</summary>
    public IReadOnlyList<string> Addresses { get; set; } = [];
}

/// <summary>A reorg went deeper than the remembered window: the cursor cannot be rolled back safely.</summary>
public sealed class ReorgTooDeepException : LinqException
{
    public ReorgTooDeepException(string subscription, long fromBlock)
        : base("eth.logs.reorg_too_deep", $"Subscription {subscription}: the chain changed below block {fromBlock}, deeper than the " +
            "remembered window. Raise LogPollerOptions.ReorgWindow, then reset the cursor to a block before the fork.", retryable: false)
    {
    }
}

/// <summary>
/// Reads event logs block by block from a persisted cursor (SPEC.md §3, "JSON-RPC"), surviving restarts
/// and reorgs. Each block's parent hash is checked against the block read before it; on a mismatch the
/// poller walks back to the common ancestor, re-delivers the logs of the abandoned blocks with
/// <see cref="EventLog.Removed"/> set (newest first), and reads the new canonical blocks. The cursor is
/// saved after every delivered log, so a consumer sees each (blockHash, logIndex) once per canonical
/// inclusion; only a crash inside the handler itself can repeat that one log.
/// </summary>
public sealed class LogPoller
{
    private readonly EthRpc _rpc;
    private readonly ILogCursorStore _store;
    private readonly string _subscription;
    private readonly LogPollerOptions _options;
    private readonly Func<EventLog, CancellationToken, Task> _handler;

    public LogPoller(EthRpc rpc, ILogCursorStore store, string subscription, Func<EventLog, CancellationToken, Task> handler, LogPollerOptions? options = null)
    {
        _rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _subscription = subscription ?? throw new ArgumentNullException(nameof(subscription));
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _options = options ?? new LogPollerOptions();
    }

    /// <summary>Polls until cancelled. Transient RPC faults are waited out; other faults end the loop.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (LinqException ex) when (ex.Retryable)
            {
                // The node is away for a moment; the cursor is safe, try again next interval.
            }
            await Task.Delay(_options.Interval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Handles any reorg, then reads and delivers up to <see cref="LogPollerOptions.MaxBlocksPerPoll"/> new blocks.
    /// Returns how many logs were delivered (removed ones included).</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        var cursor = _store.Load(_subscription) ?? new LogCursor { NextBlock = _options.StartBlock };
        var delivered = await UndoReorgAsync(cursor, cancellationToken).ConfigureAwait(false);

        var head = await _rpc.BlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var last = Math.Min(head - _options.Lag, cursor.NextBlock + _options.MaxBlocksPerPoll - 1);
        for (var number = cursor.NextBlock; number <= last; number++)
        {
            var header = await _rpc.GetBlockByNumberAsync(BlockTag.At(number), cancellationToken).ConfigureAwait(false);
            if (header is null)
            {
                break;
            }
            var previous = cursor.RecentBlocks.LastOrDefault(b => b.Number == number - 1);
            if (previous is not null && previous.Hash != header.ParentHash)
            {
                // The chain moved under us between reads; the next poll rolls back first.
                break;
            }
            var seen = cursor.RecentBlocks.LastOrDefault(b => b.Number == number);
            if (seen is null || seen.Hash != header.Hash)
            {
                cursor.RecentBlocks.RemoveAll(b => b.Number >= number);
                seen = new SeenBlock { Number = number, Hash = header.Hash, ParentHash = header.ParentHash };
                cursor.RecentBlocks.Add(seen);
            }
            var logs = await _rpc.GetLogsByBlockHashAsync(header.Hash, _options.Addresses, cancellationToken: cancellationToken).ConfigureAwait(false);
            foreach (var log in logs.OrderBy(l => l.LogIndex))
            {
                if (seen.Delivered.Any(d => d.LogIndex == log.LogIndex))
                {
                    continue;
                }
                await _handler(log, cancellationToken).ConfigureAwait(false);
                seen.Delivered.Add(log);
                delivered++;
                _store.Save(_subscription, cursor);
            }
            seen.Complete = true;
            cursor.NextBlock = number + 1;
            Trim(cursor);
            _store.Save(_subscription, cursor);
        }
        return delivered;
    }

    private async Task<int> UndoReorgAsync(LogCursor cursor, CancellationToken cancellationToken)
    {
        if (cursor.RecentBlocks.Count == 0)
        {
            return 0;
        }
        // Walk back from the newest remembered block to the first one still canonical.
        var keep = cursor.RecentBlocks.Count;
        while (keep > 0)
        {
            var block = cursor.RecentBlocks[keep - 1];
            var canonical = await _rpc.GetBlockByNumberAsync(BlockTag.At(block.Number), cancellationToken).ConfigureAwait(false);
            if (canonical is not null && canonical.Hash == block.Hash)
            {
                break;
            }
            keep--;
        }
        if (keep == cursor.RecentBlocks.Count)
        {
            return 0;
        }
        if (keep == 0 && cursor.RecentBlocks[0].Number > _options.StartBlock)
        {
            throw new ReorgTooDeepException(_subscription, cursor.RecentBlocks[0].Number);
        }

        var delivered = 0;
        for (var i = cursor.RecentBlocks.Count - 1; i >= keep; i--)
        {
            var abandoned = cursor.RecentBlocks[i];
            for (var j = abandoned.Delivered.Count - 1; j >= 0; j--)
            {
                await _handler(abandoned.Delivered[j] with { Removed = true }, cancellationToken).ConfigureAwait(false);
                abandoned.Delivered.RemoveAt(j);
                delivered++;
                _store.Save(_subscription, cursor);
            }
            cursor.RecentBlocks.RemoveAt(i);
            cursor.NextBlock = abandoned.Number;
            _store.Save(_subscription, cursor);
        }
        return delivered;
    }

    private void Trim(LogCursor cursor)
    {
        var excess = cursor.RecentBlocks.Count - _options.ReorgWindow;
        if (excess > 0)
        {
            cursor.RecentBlocks.RemoveRange(0, excess);
        }
    }
}
