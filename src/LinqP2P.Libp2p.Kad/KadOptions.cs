namespace LinqP2P.Libp2p.Kad;

/// <summary>Whether this node answers DHT requests (server) or only asks (client). specs/kad-dht "Client and server mode".</summary>
public enum KadMode
{
    /// <summary>Registers the protocol handler, so identify announces it and other nodes add us to their tables.</summary>
    Server,

    /// <summary>Queries the DHT but does not announce or answer the protocol (for nodes others cannot dial).</summary>
    Client,
}

/// <summary>Settings of <see cref="KadDht"/>. Every default is stated; see SPEC.md §5 "Kademlia DHT".</summary>
public sealed class KadOptions
{
    /// <summary>The protocol id. Default <c>/ipfs/kad/1.0.0</c> (the IPFS Amino DHT; a private network may pick its own).</summary>
    public string ProtocolId { get; init; } = KadDht.DefaultProtocolId;

    /// <summary>Server or client mode. Default <see cref="KadMode.Server"/>.</summary>
    public KadMode Mode { get; init; } = KadMode.Server;

    /// <summary>k: bucket size, and how many closest peers a lookup returns and a provider record is stored on. Default 20.</summary>
    public int BucketSize { get; init; } = 20;

    /// <summary>alpha: requests in flight per lookup. Default 3.</summary>
    public int Alpha { get; init; } = 3;

    /// <summary>Time allowed for one request (dial, stream, answer). Default 10 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed for one whole iterative lookup. Default 60 s.</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest DHT message read, in either direction. Default 64 KiB.</summary>
    public int MaxMessageLength { get; init; } = 64 * 1024;

    /// <summary>Inbound requests each peer may make per second (token bucket); beyond it streams are reset. Default 20.</summary>
    public double MaxRequestsPerSecondPerPeer { get; init; } = 20;

    /// <summary>Burst size of the per-peer request bucket. Default 40.</summary>
    public int MaxRequestBurstPerPeer { get; init; } = 40;

    /// <summary>How long a provider record is kept after it was added. Default 48 h (as go and js).</summary>
    public TimeSpan ProviderTtl { get; init; } = TimeSpan.FromHours(48);

    /// <summary>How often our own provider records are announced again. Default 22 h (as go and js).</summary>
    public TimeSpan ProviderRepublishInterval { get; init; } = TimeSpan.FromHours(22);

    /// <summary>Most content keys in the provider store; further keys are refused. Default 100,000.</summary>
    public int MaxProviderKeys { get; init; } = 100_000;

    /// <summary>Most providers kept per key; a new one replaces the oldest. Default 20.</summary>
    public int MaxProvidersPerKey { get; init; } = 20;

    /// <summary>How often the routing table is refreshed (self lookup, random bucket lookups, liveness checks, expiry). Default 10 min.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A table entry not heard from for this long is pinged at the next refresh and dropped if it does not answer. Default 10 min.</summary>
    public TimeSpan LivenessInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Clock for expiry and liveness; tests pass a manual one. Default the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public void Validate()
    {
        if (string.IsNullOrEmpty(ProtocolId) || !ProtocolId.StartsWith('/'))
        {
            throw new ArgumentException("the DHT protocol id must start with '/'");
        }
        if (BucketSize < 1 || Alpha < 1 || MaxMessageLength < 1024 || MaxRequestBurstPerPeer < 1 || MaxRequestsPerSecondPerPeer <= 0
            || MaxProviderKeys < 1 || MaxProvidersPerKey < 1)
        {
            throw new ArgumentException("DHT sizes must be positive (k, alpha, burst, rate, store caps) and the message limit at least 1 KiB");
        }
        if (RequestTimeout <= TimeSpan.Zero || LookupTimeout <= TimeSpan.Zero || ProviderTtl <= TimeSpan.Zero
            || ProviderRepublishInterval <= TimeSpan.Zero || RefreshInterval <= TimeSpan.Zero || LivenessInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("DHT timeouts and intervals must be positive");
        }
        if (ProviderRepublishInterval >= ProviderTtl)
        {
            throw new ArgumentException("the provider republish interval must be shorter than the provider TTL, or records lapse");
        }
    }
}
