using Google.Protobuf;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Host;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Protocols.Pb;
using LinqP2P.Libp2p.Streams;

namespace LinqP2P.Libp2p.Protocols;

/// <summary>What identify learned about a peer.</summary>
public sealed record IdentifyResult(
    PeerId Peer,
    string? ProtocolVersion,
    string? AgentVersion,
    IReadOnlyList<string> Protocols,
    IReadOnlyList<Multiaddr> ListenAddresses,
    Multiaddr? ObservedAddress);

/// <summary>
/// /ipfs/id/1.0.0 and /ipfs/id/push/1.0.0 (specs/identify/README.md): on every new connection each side
/// asks the other for its key, agent, listen addresses and protocols; a push sends the same message
/// unasked when our protocols change. One length-prefixed protobuf per stream, at most
/// <see cref="MaxMessageLength"/> bytes.
/// </summary>
public sealed class IdentifyService
{
    public const string ProtocolId = "/ipfs/id/1.0.0";
    public const string PushProtocolId = "/ipfs/id/push/1.0.0";
    public const int MaxMessageLength = 64 * 1024;
    private const int MaxListed = 128;

    private readonly Libp2pHost _host;
    private readonly HostOptions _options;

    internal IdentifyService(Libp2pHost host, HostOptions options)
    {
        _host = host;
        _options = options;
    }

    internal void Register()
    {
        _host.SetHandler(ProtocolId, HandleIdentifyAsync);
        _host.SetHandler(PushProtocolId, HandlePushAsync);
        _host.ProtocolsChanged += (_, _) => _ = PushToAllAsync();
    }

    /// <summary>Asks the peer on <paramref name="connection"/> to identify itself, records the answer and raises PeerIdentified.</summary>
    public async Task<IdentifyResult> IdentifyAsync(IConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        try
        {
            await using var stream = await connection.OpenStreamAsync([ProtocolId], cancellationToken);
            var bytes = await LengthPrefixed.ReadAsync(stream, MaxMessageLength, cancellationToken)
                ?? throw new Libp2pProtocolException("identify.empty", "the peer closed the identify stream without a message");
            return Apply(connection, Decode(bytes), replace: true);
        }
        catch (Exception e) when (e is Libp2pProtocolException or Libp2pConnectionException or ProtocolNotSupportedException or OperationCanceledException)
        {
            // The connection stays usable without identify; callers that asked get the error.
            throw;
        }
    }

    /// <summary>Decodes an identify message, rejecting malformed protobuf with <see cref="Libp2pProtocolException"/>.</summary>
    internal static Pb.Identify Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxMessageLength)
        {
            throw new Libp2pProtocolException("identify.too_large", $"an identify message of {bytes.Length} bytes exceeds {MaxMessageLength}");
        }
        try
        {
            return Pb.Identify.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new Libp2pProtocolException("identify.protobuf", "the identify message is not a valid protobuf", e);
        }
    }

    internal Pb.Identify CreateMessage(IConnection connection)
    {
        var message = new Pb.Identify
        {
            ProtocolVersion = _options.ProtocolVersion,
            AgentVersion = _options.AgentVersion,
            PublicKey = ByteString.CopyFrom(_host.Identity.PublicKey.ToProtobuf()),
            ObservedAddr = ByteString.CopyFrom(connection.RemoteAddress.ToBytes()),
        };
        message.ListenAddrs.AddRange(_host.ListenAddresses.Select(a => ByteString.CopyFrom(a.ToBytes())));
        message.Protocols.AddRange(_host.Protocols);
        return message;
    }

    private async Task HandleIdentifyAsync(P2PStream stream, CancellationToken cancellationToken)
    {
        await LengthPrefixed.WriteAsync(stream, CreateMessage(stream.Connection).ToByteArray(), cancellationToken);
    }

    private async Task HandlePushAsync(P2PStream stream, CancellationToken cancellationToken)
    {
        var bytes = await LengthPrefixed.ReadAsync(stream, MaxMessageLength, cancellationToken);
        if (bytes is not null)
        {
            Apply(stream.Connection, Decode(bytes), replace: false);
        }
    }

    private async Task PushToAllAsync()
    {
        foreach (var connection in _host.Connections)
        {
            try
            {
                using var cts = new CancellationTokenSource(_options.StreamNegotiationTimeout);
                await using var stream = await connection.OpenStreamAsync([PushProtocolId], cts.Token);
                await LengthPrefixed.WriteAsync(stream, CreateMessage(connection).ToByteArray(), cts.Token);
            }
            catch (Exception e) when (e is Libp2pProtocolException or Libp2pConnectionException or ProtocolNotSupportedException or OperationCanceledException)
            {
                // Peers without push, or gone, simply miss the update.
            }
        }
    }

    private IdentifyResult Apply(IConnection connection, Pb.Identify message, bool replace)
    {
        if (message.HasPublicKey)
        {
            PublicKey key;
            try
            {
                key = PublicKey.FromProtobuf(message.PublicKey.Span);
            }
            catch (Libp2pFormatException e)
            {
                throw new Libp2pProtocolException("identify.key", "identify carries an invalid public key: " + e.Message, e);
            }
            if (!connection.RemotePeer.Matches(key))
            {
                throw new Libp2pProtocolException("identify.key", "identify carries a key that is not the connection's peer");
            }
        }
        var listen = new List<Multiaddr>();
        foreach (var a in message.ListenAddrs.Take(MaxListed))
        {
            if (Multiaddr.TryFromBytes(a.Span, out var ma))
            {
                listen.Add(ma!);
            }
        }
        var protocols = message.Protocols.Take(MaxListed).Where(p => p.Length is > 0 and <= 1024).ToList();
        Multiaddr? observed = message.HasObservedAddr && Multiaddr.TryFromBytes(message.ObservedAddr.Span, out var o) ? o : null;
        var result = new IdentifyResult(connection.RemotePeer,
            message.HasProtocolVersion ? message.ProtocolVersion : null,
            message.HasAgentVersion ? message.AgentVersion : null,
            protocols, listen, observed);
        _host.PeerStore.Update(connection.RemotePeer, null,
            listen.Count > 0 || replace ? listen : null,
            protocols.Count > 0 || replace ? protocols : null,
            result.AgentVersion, result.ProtocolVersion);
        _host.RaisePeerIdentified(new PeerIdentifiedEventArgs(connection.RemotePeer, connection, protocols, result.AgentVersion));
        return result;
    }
}
