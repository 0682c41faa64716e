using Google.Protobuf;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Kad;

/// <summary>The request types of /ipfs/kad/1.0.0 (numbers as on the wire).</summary>
public enum KadMessageType
{
    PutValue = 0,
    GetValue = 1,
    AddProvider = 2,
    GetProviders = 3,
    FindNode = 4,
    Ping = 5,
}

/// <summary>A peer as carried in closerPeers/providerPeers: its id and the addresses that decoded.</summary>
public sealed record KadPeer(PeerId Peer, IReadOnlyList<Multiaddr> Addresses);

/// <summary>
/// A decoded, bounds-checked DHT message (SPEC.md §5 "Kademlia DHT"). Peers with a malformed id are
/// dropped, as are malformed addresses; everything else malformed is a <see cref="Libp2pProtocolException"/>.
/// </summary>
public sealed record KadMessage(
    KadMessageType Type,
    byte[] Key,
    IReadOnlyList<KadPeer> CloserPeers,
    IReadOnlyList<KadPeer> ProviderPeers,
    byte[]? RecordKey = null,
    byte[]? RecordValue = null)
{
    public static KadMessage Request(KadMessageType type, byte[] key) => new(type, key, [], []);
}

/// <summary>Encoder and strict decoder of <see cref="KadMessage"/>.</summary>
public static class KadMessageCodec
{
    /// <summary>Longest key accepted (a peer id or multihash is far shorter). </summary>
    public const int MaxKeyLength = 256;

    /// <summary>Most peers read from closerPeers or providerPeers; the rest are ignored.</summary>
    public const int MaxPeersPerList = 64;

    /// <summary>Most addresses read per peer; the rest are ignored.</summary>
    public const int MaxAddressesPerPeer = 32;

    /// <summary>Largest record value accepted in a message.</summary>
    public const int MaxRecordValueLength = 16 * 1024;

    public static byte[] Encode(KadMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var pb = new Pb.Message
        {
            Type = (Pb.Message.Types.MessageType)message.Type,
            Key = ByteString.CopyFrom(message.Key),
        };
        pb.CloserPeers.AddRange(message.CloserPeers.Select(ToPb));
        pb.ProviderPeers.AddRange(message.ProviderPeers.Select(ToPb));
        if (message.RecordKey is not null)
        {
            pb.Record = new Pb.Record { Key = ByteString.CopyFrom(message.RecordKey), Value = ByteString.CopyFrom(message.RecordValue ?? []) };
        }
        return pb.ToByteArray();
    }

    /// <summary>Decodes one message of at most <paramref name="maxLength"/> bytes.</summary>
    public static KadMessage Decode(ReadOnlySpan<byte> bytes, int maxLength)
    {
        if (bytes.Length > maxLength)
        {
            throw new Libp2pProtocolException("kad.too_large", $"a DHT message of {bytes.Length} bytes exceeds {maxLength}");
        }
        Pb.Message pb;
        try
        {
            pb = Pb.Message.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new Libp2pProtocolException("kad.protobuf", "the DHT message is not a valid protobuf: " + e.Message, e);
        }
        if (!Enum.IsDefined((KadMessageType)pb.Type))
        {
            throw new Libp2pProtocolException("kad.type", $"unknown DHT message type {(int)pb.Type}");
        }
        if (pb.Key.Length > MaxKeyLength)
        {
            throw new Libp2pProtocolException("kad.key", $"a DHT key of {pb.Key.Length} bytes exceeds {MaxKeyLength}");
        }
        if (pb.Record is not null && (pb.Record.Key.Length > MaxKeyLength || pb.Record.Value.Length > MaxRecordValueLength))
        {
            throw new Libp2pProtocolException("kad.record", "a DHT record's key or value exceeds the limits");
        }
        return new KadMessage(
            (KadMessageType)pb.Type,
            pb.Key.ToByteArray(),
            ReadPeers(pb.CloserPeers),
            ReadPeers(pb.ProviderPeers),
            pb.Record?.Key.ToByteArray(),
            pb.Record?.Value.ToByteArray());
    }

    private static List<KadPeer> ReadPeers(IEnumerable<Pb.Message.Types.Peer> peers)
    {
        var result = new List<KadPeer>();
        foreach (var p in peers.Take(MaxPeersPerList))
        {
            PeerId id;
            try
            {
                id = PeerId.FromBytes(p.Id.Span);
            }
            catch (Libp2pFormatException)
            {
                continue;
            }
            var addresses = new List<Multiaddr>();
            foreach (var a in p.Addrs.Take(MaxAddressesPerPeer))
            {
                if (Multiaddr.TryFromBytes(a.Span, out var ma))
                {
                    addresses.Add(ma!.WithoutPeerId());
                }
            }
            result.Add(new KadPeer(id, addresses));
        }
        return result;
    }

    private static Pb.Message.Types.Peer ToPb(KadPeer peer)
    {
        var pb = new Pb.Message.Types.Peer { Id = ByteString.CopyFrom(peer.Peer.ToBytes()) };
        pb.Addrs.AddRange(peer.Addresses.Take(MaxAddressesPerPeer).Select(a => ByteString.CopyFrom(a.ToBytes())));
        return pb;
    }
}
