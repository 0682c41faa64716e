using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;
using LiteDB;

namespace LinqP2P.Libp2p.Host;

/// <summary>
/// The peer store in LiteDB: one document per peer (id = base58 peer id) with addresses (binary
/// multiaddrs), protocols, public key protobuf, agent and protocol version, last seen. Bounded: at most
/// <see cref="MaxAddresses"/> addresses and <see cref="MaxProtocols"/> protocols per peer, and at most
/// <see cref="MaxPeers"/> peers (the least recently seen are evicted).
/// </summary>
public sealed class LiteDbPeerStore : IPeerStore, IDisposable
{
    public const int MaxAddresses = 32;
    public const int MaxProtocols = 128;
    public const int MaxPeers = 10_000;

    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _peers;
    private readonly object _sync = new();

    /// <summary>Opens (or creates) the store at <paramref name="path"/>; null keeps it in memory.</summary>
    public LiteDbPeerStore(string? path)
    {
        _db = path is null ? new LiteDatabase(new MemoryStream()) : new LiteDatabase($"Filename={path};Connection=direct");
        _peers = _db.GetCollection("peers");
        _peers.EnsureIndex("lastSeen");
    }

    public PeerRecord? Get(PeerId peer)
    {
        lock (_sync)
        {
            var doc = _peers.FindById(peer.ToString());
            return doc is null ? null : ToRecord(doc);
        }
    }

    public IReadOnlyList<PeerRecord> All()
    {
        lock (_sync)
        {
            return _peers.FindAll().Select(ToRecord).Where(r => r is not null).Select(r => r!).ToList();
        }
    }

    public void AddAddresses(PeerId peer, IEnumerable<Multiaddr> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        lock (_sync)
        {
            var doc = GetOrNew(peer);
            var existing = doc["addrs"].AsArray.Select(a => a.AsBinary).ToList();
            foreach (var a in addresses.Select(a => a.WithoutPeerId().ToBytes()))
            {
                if (!existing.Any(e => e.AsSpan().SequenceEqual(a)))
                {
                    existing.Insert(0, a);
                }
            }
            doc["addrs"] = new BsonArray(existing.Take(MaxAddresses).Select(b => new BsonValue(b)));
            doc["lastSeen"] = DateTime.UtcNow;
            Save(doc);
        }
    }

    public void Update(PeerId peer, PublicKey? key, IEnumerable<Multiaddr>? addresses, IEnumerable<string>? protocols, string? agentVersion, string? protocolVersion)
    {
        lock (_sync)
        {
            var doc = GetOrNew(peer);
            if (key is not null)
            {
                doc["key"] = key.ToProtobuf();
            }
            if (addresses is not null)
            {
                doc["addrs"] = new BsonArray(addresses.Take(MaxAddresses).Select(a => new BsonValue(a.WithoutPeerId().ToBytes())));
            }
            if (protocols is not null)
            {
                doc["protocols"] = new BsonArray(protocols.Take(MaxProtocols).Select(p => new BsonValue(p)));
            }
            if (agentVersion is not null)
            {
                doc["agent"] = agentVersion;
            }
            if (protocolVersion is not null)
            {
                doc["protocolVersion"] = protocolVersion;
            }
            doc["lastSeen"] = DateTime.UtcNow;
            Save(doc);
        }
    }

    public void Remove(PeerId peer)
    {
        lock (_sync)
        {
            _peers.Delete(peer.ToString());
        }
    }

    private BsonDocument GetOrNew(PeerId peer) =>
        _peers.FindById(peer.ToString()) ?? new BsonDocument
        {
            ["_id"] = peer.ToString(),
            ["addrs"] = new BsonArray(),
            ["protocols"] = new BsonArray(),
            ["lastSeen"] = DateTime.UtcNow,
        };

    private void Save(BsonDocument doc)
    {
        _peers.Upsert(doc);
        if (_peers.Count() > MaxPeers)
        {
            var oldest = _peers.Query().OrderBy("lastSeen").Limit(1).ToList();
            foreach (var o in oldest)
            {
                _peers.Delete(o["_id"]);
            }
        }
    }

    private static PeerRecord? ToRecord(BsonDocument doc)
    {
        // Stored data is ours, but a damaged file must not take the node down: skip bad entries.
        try
        {
            var peer = PeerId.Parse(doc["_id"].AsString);
            var addrs = doc["addrs"].AsArray.Select(a => Multiaddr.FromBytes(a.AsBinary)).ToList();
            var protocols = doc["protocols"].AsArray.Select(p => p.AsString).ToList();
            var key = doc.TryGetValue("key", out var k) && k.IsBinary ? PublicKey.FromProtobuf(k.AsBinary) : null;
            return new PeerRecord(peer, addrs, protocols, key,
                doc.TryGetValue("agent", out var a) && a.IsString ? a.AsString : null,
                doc.TryGetValue("protocolVersion", out var v) && v.IsString ? v.AsString : null,
                new DateTimeOffset(DateTime.SpecifyKind(doc["lastSeen"].AsDateTime, DateTimeKind.Utc)));
        }
        catch (Libp2pFormatException)
        {
            return null;
        }
    }

    public void Dispose() => _db.Dispose();
}
