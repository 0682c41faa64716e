namespace LinqP2P.Ipfs.Bitswap;

/// <summary>Settings of <see cref="BitswapService"/>; each default is stated here and checked by <see cref="Validate"/> at start (SPEC.md §6.8).</summary>
public sealed class BitswapOptions
{
    /// <summary>Decoder limits (message 4 MiB, block 2 MiB, 8192 wants or presences per message).</summary>
    public BitswapLimits Limits { get; init; } = BitswapLimits.Default;

    /// <summary>Protocol ids offered when we open a stream, newest first. Default: 1.2.0, 1.1.0, 1.0.0.</summary>
    public IReadOnlyList<string> OutboundProtocols { get; init; } = BitswapProtocols.All;

    /// <summary>Protocol ids we accept inbound streams for. Default: 1.2.0, 1.1.0, 1.0.0.</summary>
    public IReadOnlyList<string> InboundProtocols { get; init; } = BitswapProtocols.All;

    /// <summary>Most want-blocks a fetch session keeps outstanding at once, across its peers. Default 48.</summary>
    public int MaxInFlightWantsPerSession { get; init; } = 48;

    /// <summary>Most want-blocks a fetch session keeps outstanding with one peer. Default 24.</summary>
    public int MaxInFlightWantsPerPeer { get; init; } = 24;

    /// <summary>How long a want-block may go unanswered before it is cancelled and retried on another peer. Default 15 s.</summary>
    public TimeSpan WantTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a session waits for HAVE / DONT_HAVE after a want-have before treating silence as DONT_HAVE. Default 10 s.</summary>
    public TimeSpan DiscoveryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts (want-blocks to some peer) per block before a fetch fails. Default 5.</summary>
    public int MaxAttemptsPerBlock { get; init; } = 5;

    /// <summary>Most wants we hold (and serve) for one peer; entries past it are ignored until some are answered. Default 1024, as Helia.</summary>
    public int MaxWantsServedPerPeer { get; init; } = 1024;

    /// <summary>Most inbound Bitswap streams handled at once, over all peers; more are reset. Default 256.</summary>
    public int MaxConcurrentStreams { get; init; } = 256;

    /// <summary>Most inbound Bitswap streams one peer may have open at once; more are reset. Default 16.</summary>
    public int MaxStreamsPerPeer { get; init; } = 16;

    /// <summary>Blocks are packed into one message until it reaches this size (one larger block still goes alone). Default 1 MiB.</summary>
    public int TargetMessageSize { get; init; } = 1024 * 1024;

    /// <summary>A want-have for a block at most this large is answered with the block itself. Default 1024 bytes, as boxo and Helia.</summary>
    public int MaxSizeReplaceHaveWithBlock { get; init; } = 1024;

    /// <summary>Messages queued for one peer before senders wait. Default 4.</summary>
    public int SendQueueLength { get; init; } = 4;

    /// <summary>An outbound stream idle this long is closed (Helia resets idle inbound streams after 10 s). Default 5 s.</summary>
    public TimeSpan IdleStreamTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout for opening a stream and for writing one message. Default 10 s.</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a peer that sent a corrupt or unsolicited block is ignored (and disconnected). Default 10 min.</summary>
    public TimeSpan BanDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most progress reports per second from one fetch (the final one is always sent). Default 10.</summary>
    public int ProgressReportsPerSecond { get; init; } = 10;

    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Limits);
        Require(OutboundProtocols.Count > 0 && OutboundProtocols.All(p => BitswapProtocols.All.Contains(p)), nameof(OutboundProtocols), "must list Bitswap protocol ids");
        Require(InboundProtocols.Count > 0 && InboundProtocols.All(p => BitswapProtocols.All.Contains(p)), nameof(InboundProtocols), "must list Bitswap protocol ids");
        Require(MaxInFlightWantsPerSession > 0, nameof(MaxInFlightWantsPerSession), "must be positive");
        Require(MaxInFlightWantsPerPeer > 0, nameof(MaxInFlightWantsPerPeer), "must be positive");
        Require(WantTimeout > TimeSpan.Zero, nameof(WantTimeout), "must be positive");
        Require(DiscoveryTimeout > TimeSpan.Zero, nameof(DiscoveryTimeout), "must be positive");
        Require(MaxAttemptsPerBlock > 0, nameof(MaxAttemptsPerBlock), "must be positive");
        Require(MaxWantsServedPerPeer > 0, nameof(MaxWantsServedPerPeer), "must be positive");
        Require(MaxConcurrentStreams > 0, nameof(MaxConcurrentStreams), "must be positive");
        Require(MaxStreamsPerPeer > 0, nameof(MaxStreamsPerPeer), "must be positive");
        Require(TargetMessageSize > 0 && TargetMessageSize + Limits.MaxBlockSize + 4096 <= Limits.MaxMessageSize, nameof(TargetMessageSize), "must be positive and leave room for one more block under Limits.MaxMessageSize");
        Require(SendQueueLength > 0, nameof(SendQueueLength), "must be positive");
        Require(IdleStreamTimeout > TimeSpan.Zero, nameof(IdleStreamTimeout), "must be positive");
        Require(SendTimeout > TimeSpan.Zero, nameof(SendTimeout), "must be positive");
        Require(ProgressReportsPerSecond > 0, nameof(ProgressReportsPerSecond), "must be positive");
    }

    private static void Require(bool ok, string name, string what)
    {
        if (!ok)
        {
            throw new ArgumentException($"BitswapOptions.{name} {what}: fix the node configuration", name);
        }
    }
}
