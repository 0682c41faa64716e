using LinqP2P.Libp2p.Yamux;

namespace LinqP2P.Libp2p.Host;

/// <summary>Settings of a <see cref="Libp2pHost"/>. Every default is stated; see SPEC.md §5.</summary>
public sealed class HostOptions
{
    /// <summary>Sent in identify. Default <c>linqp2p/0.1.0</c>.</summary>
    public string AgentVersion { get; init; } = "linqp2p/0.1.0";

    /// <summary>Sent in identify. Default <c>ipfs/0.1.0</c> (what js-libp2p and go-libp2p send).</summary>
    public string ProtocolVersion { get; init; } = "ipfs/0.1.0";

    /// <summary>Time allowed for the TCP connect. Default 10 s.</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for multistream-select, Noise and muxer negotiation on a new connection. Default 10 s.</summary>
    public TimeSpan UpgradeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed to negotiate the protocol of a new stream. Default 10 s.</summary>
    public TimeSpan StreamNegotiationTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Yamux limits; <see cref="YamuxOptions.MaxStreams"/> caps the streams per connection (so per peer).</summary>
    public YamuxOptions Yamux { get; init; } = new();

    /// <summary>Connection manager limits.</summary>
    public ConnectionLimits Limits { get; init; } = new();

    /// <summary>LiteDB file of the peer store; null keeps it in memory. Default null.</summary>
    public string? PeerStorePath { get; init; }

    /// <summary>Run identify on every new connection and answer it. Default true.</summary>
    public bool EnableIdentify { get; init; } = true;

    /// <summary>Answer /ipfs/ping/1.0.0. Default true.</summary>
    public bool EnablePing { get; init; } = true;

    public void Validate()
    {
        if (DialTimeout <= TimeSpan.Zero || UpgradeTimeout <= TimeSpan.Zero || StreamNegotiationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("timeouts must be positive");
        }
        if (Yamux.WindowSize < 256 * 1024 || Yamux.MaxStreams < 1 || Yamux.MaxFramePayload is < 1024 or > Noise.NoiseStream.MaxPlaintext - YamuxHeader.Size)
        {
            throw new ArgumentException("Yamux window must be at least 256 KiB, streams at least 1, frames 1 KiB..65507 bytes");
        }
        Limits.Validate();
    }
}

/// <summary>Connection manager limits. See SPEC.md §5.</summary>
public sealed class ConnectionLimits
{
    /// <summary>Most open connections; inbound connections beyond it are closed at once, dials fail. Default 256.</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>Most inbound connections accepted per second (token bucket, burst of the same size). Default 64.</summary>
    public int MaxInboundPerSecond { get; init; } = 64;

    /// <summary>Most connections being upgraded (handshaking) at once. Default 64.</summary>
    public int MaxPendingUpgrades { get; init; } = 64;

    /// <summary>First wait before redialing a peer kept connected; doubles up to <see cref="ReconnectMaxBackoff"/>. Default 1 s.</summary>
    public TimeSpan ReconnectInitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between redials. Default 60 s.</summary>
    public TimeSpan ReconnectMaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    public void Validate()
    {
        if (MaxConnections < 1 || MaxInboundPerSecond < 1 || MaxPendingUpgrades < 1)
        {
            throw new ArgumentException("connection limits must be at least 1");
        }
        if (ReconnectInitialBackoff <= TimeSpan.Zero || ReconnectMaxBackoff < ReconnectInitialBackoff)
        {
            throw new ArgumentException("reconnect backoff must be positive and max >= initial");
        }
    }
}
