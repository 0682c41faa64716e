namespace LinqP2P.Ethereum.Rpc;

/// <summary>
/// Where a log subscription stands: the next block to read, and the recent blocks it has read with the
/// logs it delivered from each (kept for <see cref="LogPollerOptions.ReorgWindow"/> blocks so a reorg can be
/// undone log by log). Persisted by an <see cref="ILogCursorStore"/> after every delivered log.
/// </summary>
public sealed class LogCursor
{
    /// <summary>The next block number to read.</summary>
    public long NextBlock { get; set; }

    /// <summary>The blocks read most recently, oldest first.</summary>
    public List<SeenBlock> RecentBlocks { get; set; } = [];
}

/// <summary>A block the poller read: its identity and the logs delivered from it, in order.</summary>
public sealed class SeenBlock
{
    public long Number { get; set; }

    public string Hash { get; set; } = "";

    public string ParentHash { get; set; } = "";

    /// <summary>True once every log of the block was delivered.</summary>
    public bool Complete { get; set; }

    public List<EventLog> Delivered { get; set; } = [];
}

/// <summary>Durable storage of log cursors. Save must be atomic: a crash leaves the old or the new cursor.</summary>
public interface ILogCursorStore
{
    LogCursor? Load(string subscription);

    void Save(string subscription, LogCursor cursor);
}

/// <summary>A cursor store in memory, for callers that do not need to survive a restart.</summary>
public sealed class InMemoryLogCursorStore : ILogCursorStore
{
    private readonly Dictionary<string, string> _cursors = [];

    public LogCursor? Load(string subscription)
    {
        lock (_cursors)
        {
            return _cursors.TryGetValue(subscription, out var json) ? LogCursorJson.Deserialize(json) : null;
        }
    }

    public void Save(string subscription, LogCursor cursor)
    {
        lock (_cursors)
        {
            _cursors[subscription] = LogCursorJson.Serialize(cursor);
        }
    }
}

/// <summary>The JSON form of a cursor, shared by stores that keep it as text.</summary>
public static class LogCursorJson
{
    private static readonly System.Text.Json.JsonSerializerOptions Options = new() { WriteIndented = false };

    public static string Serialize(LogCursor cursor) => System.Text.Json.JsonSerializer.Serialize(cursor, Options);

    public static LogCursor Deserialize(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<LogCursor>(json, Options) ?? throw new FormatException("a stored log cursor is null");
}
