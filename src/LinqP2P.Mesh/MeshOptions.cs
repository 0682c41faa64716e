namespace LinqP2P.Mesh;

/// <summary>Limits and ports of the mesh service (SPEC.md §8.8). Validated when the service starts.</summary>
public sealed class MeshOptions
{
    /// <summary>
    /// Shard K is reached at <c>127.0.0.1:BasePort+K</c> in every container of the job, and shard K's own
    /// job listens on that port in its container. Default 7000; every node of a job must use the same value
    /// (the header's target port is checked against it).
    /// </summary>
    public int BasePort { get; init; } = 7000;

    /// <summary>Open links per job on this node, both directions together. Default 64.</summary>
    public int MaxStreamsPerJob { get; init; } = 64;

    /// <summary>Open inbound links from one remote peer, all jobs together. Default 128.</summary>
    public int MaxStreamsPerPeer { get; init; } = 128;

    /// <summary>A link with no byte in either direction for this long is reset. Default 5 minutes.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Time to open the stream, send the header and get the reply. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the receiving node waits for the target shard's container to be attached and keeps
    /// retrying a refused connect to its port (the shards of a job start at about the same time, and the
    /// target job may still be opening its listener). Default 10 s.
    /// </summary>
    public TimeSpan TargetConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes buffered per direction per link; a slow reader stalls the writer beyond it. Default 64 KiB.</summary>
    public int RelayBufferBytes { get; init; } = 64 * 1024;

    /// <summary>Pending connections per listener inside a container. Default 16.</summary>
    public int ListenBacklog { get; init; } = 16;

    public void Validate()
    {
        var problems = new List<string>();
        if (BasePort < 1 || BasePort + MeshHeader.MaxShards - 1 > ushort.MaxValue)
        {
            problems.Add($"BasePort must be 1-{ushort.MaxValue - MeshHeader.MaxShards + 1} (is {BasePort})");
        }
        if (MaxStreamsPerJob < 1 || MaxStreamsPerPeer < 1)
        {
            problems.Add("MaxStreamsPerJob and MaxStreamsPerPeer must be positive");
        }
        if (IdleTimeout <= TimeSpan.Zero || HandshakeTimeout <= TimeSpan.Zero || TargetConnectTimeout < TimeSpan.Zero)
        {
            problems.Add("IdleTimeout and HandshakeTimeout must be positive, TargetConnectTimeout not negative");
        }
        if (RelayBufferBytes is < 1024 or > 16 * 1024 * 1024)
        {
            problems.Add($"RelayBufferBytes must be 1 KiB-16 MiB (is {RelayBufferBytes})");
        }
        if (ListenBacklog is < 1 or > 4096)
        {
            problems.Add($"ListenBacklog must be 1-4096 (is {ListenBacklog})");
        }
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid mesh options: " + string.Join("; ", problems));
        }
    }

    /// <summary>The loopback port shard <paramref name="shard"/> is reached at.</summary>
    public int PortOf(int shard) => BasePort + shard;
}
