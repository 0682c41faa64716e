using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Kad.Routing;

/// <summary>What <see cref="RoutingTable.TryAdd"/> did.</summary>
public enum RoutingTableAddResult
{
    /// <summary>The peer is new in its bucket.</summary>
    Added,

    /// <summary>The peer was there already; it moved to the most-recently-seen end.</summary>
    Updated,

    /// <summary>The bucket is full: the caller should check the least-recently-seen peer and evict it if it is dead.</summary>
    BucketFull,

    /// <summary>Our own id is never added.</summary>
    Self,
}

/// <summary>One routing table entry.</summary>
public sealed record RoutingEntry(PeerId Peer, KadKey Key, DateTimeOffset AddedAt, DateTimeOffset LastSeen);

/// <summary>
/// Kademlia k-buckets (specs/kad-dht "Kademlia routing table"): bucket i holds up to k peers whose key
/// shares exactly i leading bits with ours (the last bucket takes every prefix length of 255 and up).
/// Within a bucket entries are ordered least recently seen first. When a bucket is full a new peer gets in
/// only after the least recently seen one fails a liveness check (<see cref="KadDht"/> does the check).
/// Thread-safe.
/// </summary>
public sealed class RoutingTable
{
    public const int BucketCount = 256;

    private readonly List<RoutingEntry>[] _buckets;
    private readonly object _sync = new();
    private readonly TimeProvider _time;

    public RoutingTable(PeerId self, int bucketSize, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketSize, 1);
        Self = self;
        SelfKey = KadKey.FromPeer(self);
        BucketSize = bucketSize;
        _time = time ?? TimeProvider.System;
        _buckets = new List<RoutingEntry>[BucketCount];
        for (var i = 0; i < BucketCount; i++)
        {
            _buckets[i] = [];
        }
    }

    public PeerId Self { get; }

    public KadKey SelfKey { get; }

    public int BucketSize { get; }

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _buckets.Sum(b => b.Count);
            }
        }
    }

    public int BucketIndex(KadKey key) => Math.Min(SelfKey.CommonPrefixLength(key), BucketCount - 1);

    /// <summary>
    /// Adds or refreshes <paramref name="peer"/>. On <see cref="RoutingTableAddResult.BucketFull"/>,
    /// <paramref name="leastRecentlySeen"/> is the entry to check for liveness.
    /// </summary>
    public RoutingTableAddResult TryAdd(PeerId peer, out PeerId? leastRecentlySeen)
    {
        ArgumentNullException.ThrowIfNull(peer);
        leastRecentlySeen = null;
        if (peer == Self)
        {
            return RoutingTableAddResult.Self;
        }
        var key = KadKey.FromPeer(peer);
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            var bucket = _buckets[BucketIndex(key)];
            var i = bucket.FindIndex(e => e.Peer == peer);
            if (i >= 0)
            {
                var entry = bucket[i];
                bucket.RemoveAt(i);
                bucket.Add(entry with { LastSeen = now });
                return RoutingTableAddResult.Updated;
            }
            if (bucket.Count >= BucketSize)
            {
                leastRecentlySeen = bucket[0].Peer;
                return RoutingTableAddResult.BucketFull;
            }
            bucket.Add(new RoutingEntry(peer, key, now, now));
            return RoutingTableAddResult.Added;
        }
    }

    /// <summary>Marks a peer as just seen alive (moves it to the end of its bucket); false when it is not in the table.</summary>
    public bool MarkSeen(PeerId peer) => TryAdd(peer, out _) == RoutingTableAddResult.Updated;

    public bool Remove(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var key = KadKey.FromPeer(peer);
        lock (_sync)
        {
            return _buckets[BucketIndex(key)].RemoveAll(e => e.Peer == peer) > 0;
        }
    }

    public bool Contains(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var key = KadKey.FromPeer(peer);
        lock (_sync)
        {
            return _buckets[BucketIndex(key)].Exists(e => e.Peer == peer);
        }
    }

    /// <summary>Up to <paramref name="count"/> peers closest to <paramref name="target"/>, closest first.</summary>
    public IReadOnlyList<PeerId> NearestPeers(KadKey target, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_sync)
        {
            return _buckets.SelectMany(b => b)
                .Select(e => (e.Peer, Distance: e.Key.Xor(target)))
                .Order(Comparer<(PeerId Peer, KadKey Distance)>.Create((x, y) => default(KadKey).CompareDistance(x.Distance, y.Distance)))
                .Take(count)
                .Select(e => e.Peer)
                .ToList();
        }
    }

    public IReadOnlyList<RoutingEntry> Entries()
    {
        lock (_sync)
        {
            return [.. _buckets.SelectMany(b => b)];
        }
    }

    /// <summary>Indexes of the non-empty buckets and the highest one, for refresh.</summary>
    public int HighestNonEmptyBucket()
    {
        lock (_sync)
        {
            for (var i = BucketCount - 1; i >= 0; i--)
            {
                if (_buckets[i].Count > 0)
                {
                    return i;
                }
            }
            return -1;
        }
    }
}
