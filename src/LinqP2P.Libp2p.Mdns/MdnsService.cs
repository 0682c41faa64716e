using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Mdns.Dns;

namespace LinqP2P.Libp2p.Mdns;

/// <summary>A peer heard of through mDNS.</summary>
public sealed class PeerDiscoveredEventArgs(PeerId peer, IReadOnlyList<Multiaddr> addresses) : EventArgs
{
    public PeerId Peer { get; } = peer;

    public IReadOnlyList<Multiaddr> Addresses { get; } = addresses;
}

/// <summary>
/// libp2p mDNS discovery (specs/discovery/mdns.md, SPEC.md §5 "Discovery"): sends a PTR query for
/// <c>_p2p._udp.local</c> every <see cref="MdnsOptions.QueryInterval"/>, answers such queries with a PTR
/// record naming a random peer name plus TXT records <c>dnsaddr=MULTIADDR/p2p/ID</c>, and reports (and by
/// default dials) the peers in the answers it hears. Malformed packets are counted and dropped.
/// </summary>
public sealed class MdnsService : IAsyncDisposable
{
    private const string DnsAddrPrefix = "dnsaddr=";
    private const int MaxAddressesPerPeer = 32;

    private readonly IHost _host;
    private readonly MdnsOptions _options;
    private readonly IMdnsTransport? _injected;
    private readonly Dictionary<PeerId, string> _known = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private IMdnsTransport? _transport;
    private double _responseTokens;
    private long _lastRefill = Stopwatch.GetTimestamp();
    private long _malformed;

    public MdnsService(IHost host, MdnsOptions? options = null, IMdnsTransport? transport = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        _host = host;
        _options = options ?? new MdnsOptions();
        _options.Validate();
        _injected = transport;
        _responseTokens = _options.MaxResponsesPerSecond;
        PeerName = RandomName();
    }

    /// <summary>The random instance name we announce (<c>PeerName._p2p._udp.local</c>).</summary>
    public string PeerName { get; }

    /// <summary>Packets that failed to decode, for tests and metrics.</summary>
    public long MalformedPackets => Interlocked.Read(ref _malformed);

    public event EventHandler<PeerDiscoveredEventArgs>? PeerDiscovered;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_transport is not null)
        {
            return Task.CompletedTask;
        }
        _transport = _injected ?? new MulticastUdpTransport(_options);
        _loops.Add(Task.Run(() => ReceiveLoopAsync(_stopping.Token), CancellationToken.None));
        _loops.Add(Task.Run(() => QueryLoopAsync(_stopping.Token), CancellationToken.None));
        return Task.CompletedTask;
    }

    /// <summary>Sends one PTR query now.</summary>
    public async Task QueryAsync(CancellationToken cancellationToken)
    {
        var transport = _transport ?? throw new InvalidOperationException("start the mDNS service first");
        var query = new DnsMessage(0, false, [new DnsQuestion(_options.ServiceName, DnsType.Ptr)], [], []);
        await transport.SendAsync(DnsCodec.Encode(query), cancellationToken);
    }

    /// <summary>Our answer to a PTR query: PTR in answers, the dnsaddr TXT records in additionals.</summary>
    internal DnsMessage BuildResponse()
    {
        var instance = PeerName + "." + _options.ServiceName;
        var texts = _host.ListenAddresses
            .Where(a => a.TryGetTcpEndpoint(out var h, out _, out _) && h is not "0.0.0.0" and not "::")
            .Select(a => Encoding.UTF8.GetBytes(DnsAddrPrefix + a.WithPeerId(_host.PeerId)))
            .Where(t => t.Length <= 255)
            .Take(MaxAddressesPerPeer)
            .ToList();
        // One TXT record per address, as js-libp2p and go-libp2p write them.
        var txt = texts.Select(t => DnsRecord.Txt(instance, [t], _options.RecordTtlSeconds)).ToList();
        return new DnsMessage(0, true, [], [DnsRecord.Ptr(_options.ServiceName, instance, _options.RecordTtlSeconds)], txt);
    }

    /// <summary>Handles one received packet; returns the response to send, if any.</summary>
    internal DnsMessage? Handle(ReadOnlySpan<byte> packet)
    {
        DnsMessage message;
        try
        {
            message = DnsCodec.Decode(packet);
        }
        catch (Libp2pProtocolException)
        {
            Interlocked.Increment(ref _malformed);
            return null;
        }
        if (!message.IsResponse)
        {
            var asked = message.Questions.Any(q => string.Equals(q.Name, _options.ServiceName, StringComparison.OrdinalIgnoreCase) && q.Type is DnsType.Ptr or DnsType.Any);
            return asked && TakeResponseToken() ? BuildResponse() : null;
        }
        var records = message.Answers.Concat(message.Additionals).ToList();
        foreach (var ptr in records.Where(r => r.Type == DnsType.Ptr && r.Target is not null && string.Equals(r.Name, _options.ServiceName, StringComparison.OrdinalIgnoreCase)))
        {
            if (ptr.Target!.StartsWith(PeerName + ".", StringComparison.Ordinal))
            {
                continue;
            }
            var addresses = new List<Multiaddr>();
            PeerId? peer = null;
            foreach (var t in records.Where(r => r.Type == DnsType.Txt && string.Equals(r.Name, ptr.Target, StringComparison.OrdinalIgnoreCase)).SelectMany(r => r.Texts ?? []))
            {
                var text = Encoding.UTF8.GetString(t);
                if (!text.StartsWith(DnsAddrPrefix, StringComparison.Ordinal) || !Multiaddr.TryParse(text[DnsAddrPrefix.Length..], out var ma) || ma!.PeerId is null)
                {
                    continue;
                }
                peer ??= ma.PeerId;
                if (ma.PeerId == peer && addresses.Count < MaxAddressesPerPeer)
                {
                    addresses.Add(ma.WithoutPeerId());
                }
            }
            if (peer is not null && peer != _host.PeerId && addresses.Count > 0)
            {
                Discovered(peer, addresses);
            }
        }
        return null;
    }

    private void Discovered(PeerId peer, List<Multiaddr> addresses)
    {
        var signature = string.Join(' ', addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal));
        lock (_known)
        {
            if (_known.TryGetValue(peer, out var old) && old == signature)
            {
                return;
            }
            if (!_known.ContainsKey(peer) && _known.Count >= _options.MaxPeers)
            {
                return;
            }
            _known[peer] = signature;
        }
        _host.PeerStore.AddAddresses(peer, addresses);
        PeerDiscovered?.Invoke(this, new PeerDiscoveredEventArgs(peer, addresses));
        if (_options.DialDiscovered && !_host.Connections.Any(c => c.RemotePeer == peer && !c.IsClosed))
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await _host.DialAsync(peer, _stopping.Token);
                }
                catch (Exception e) when (e is Libp2pConnectionException or Libp2pProtocolException or ProtocolNotSupportedException or OperationCanceledException or ObjectDisposedException)
                {
                    // The next answer from that peer tries again.
                    lock (_known)
                    {
                        _known.Remove(peer);
                    }
                }
            });
        }
    }

    private bool TakeResponseToken()
    {
        lock (_known)
        {
            var now = Stopwatch.GetTimestamp();
            _responseTokens = Math.Min(_options.MaxResponsesPerSecond, _responseTokens + (Stopwatch.GetElapsedTime(_lastRefill, now).TotalSeconds * _options.MaxResponsesPerSecond));
            _lastRefill = now;
            if (_responseTokens < 1)
            {
                return false;
            }
            _responseTokens--;
            return true;
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[DnsCodec.MaxPacketLength + 1];
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var n = await _transport!.ReceiveAsync(buffer, cancellationToken);
                var response = Handle(buffer.AsSpan(0, n));
                if (response is not null)
                {
                    await _transport.SendAsync(DnsCodec.Encode(response), cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    private async Task QueryLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await QueryAsync(cancellationToken);
                await Task.Delay(_options.QueryInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                // Sending failed (interface down?): try again at the next interval.
                try
                {
                    await Task.Delay(_options.QueryInterval, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static string RandomName()
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(Alphabet, 32);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync();
        if (_transport is not null)
        {
            await _transport.DisposeAsync();
        }
        await Task.WhenAll(_loops);
        _stopping.Dispose();
    }
}
