using System.Net;

namespace LinqP2P.Libp2p.Mdns;

/// <summary>Settings of <see cref="MdnsService"/>. Every default is stated; see SPEC.md §5 "Discovery".</summary>
public sealed class MdnsOptions
{
    /// <summary>The DNS-SD service queried and announced. Default <c>_p2p._udp.local</c> (specs/discovery/mdns.md).</summary>
    public string ServiceName { get; init; } = "_p2p._udp.local";

    /// <summary>Multicast group. Default 224.0.0.251 (mDNS).</summary>
    public IPAddress Group { get; init; } = IPAddress.Parse("224.0.0.251");

    /// <summary>UDP port. Default 5353 (mDNS); tests use another so parallel runs do not see each other.</summary>
    public int Port { get; init; } = 5353;

    /// <summary>
    /// The local interface address multicast is sent from and joined on. Default 127.0.0.1, so nothing
    /// leaves the machine unless this is set to a LAN address on purpose.
    /// </summary>
    public IPAddress InterfaceAddress { get; init; } = IPAddress.Loopback;

    /// <summary>How often a PTR query is sent. Default 10 s (as js-libp2p).</summary>
    public TimeSpan QueryInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>TTL of the records we announce. Default 120 s.</summary>
    public uint RecordTtlSeconds { get; init; } = 120;

    /// <summary>Dial peers as they are discovered. Default true.</summary>
    public bool DialDiscovered { get; init; } = true;

    /// <summary>Most answers sent per second (queries beyond it go unanswered). Default 10.</summary>
    public int MaxResponsesPerSecond { get; init; } = 10;

    /// <summary>Most discovered peers remembered. Default 1,000.</summary>
    public int MaxPeers { get; init; } = 1000;

    public void Validate()
    {
        if (!ServiceName.EndsWith(".local", StringComparison.OrdinalIgnoreCase) || ServiceName.Length > 200)
        {
            throw new ArgumentException("the mDNS service name must end in .local and be at most 200 characters");
        }
        if (Port is < 1 or > 65535 || QueryInterval <= TimeSpan.Zero || MaxResponsesPerSecond < 1 || MaxPeers < 1)
        {
            throw new ArgumentException("mDNS port must be 1..65535 and the interval, response rate and peer cap positive");
        }
        if (Group.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || InterfaceAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException("mDNS here runs over IPv4: give an IPv4 group and interface address");
        }
    }
}
