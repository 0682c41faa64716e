using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Kad.Providers;

/// <summary>
/// Provider records kept by a DHT server: for each content key (a multihash), which peers said they have
/// it, with the addresses they announced, until the record expires. In memory and capped: at most
/// <c>maxKeys</c> keys and <c>maxProvidersPerKey</c> providers per key. A full store refuses new keys;
/// a full key replaces its oldest provider. Thread-safe.
/// </summary>
public sealed class ProviderStore
{
    private readonly Dictionary<string, Dictionary<PeerId, Entry>> _byKey = new(StringComparer.Ordinal);
    private readonly object _sync = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly int _maxKeys;
    private readonly int _maxProvidersPerKey;

    public ProviderStore(TimeSpan ttl, int maxKeys, int maxProvidersPerKey, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxProvidersPerKey, 1);
        _ttl = ttl;
        _maxKeys = maxKeys;
        _maxProvidersPerKey = maxProvidersPerKey;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Keys currently held (expired ones included until the next <see cref="RemoveExpired"/>).</summary>
    public int KeyCount
    {
        get
        {
            lock (_sync)
            {
                return _byKey.Count;
            }
        }
    }

    /// <summary>Records that <paramref name="provider"/> has the content under <paramref name="key"/>; false when the store is full.</summary>
    public bool Add(ReadOnlySpan<byte> key, PeerId provider, IReadOnlyList<Multiaddr> addresses)
    {
        ArgumentNullException.ThrowIfNull(provider);
        var k = Convert.ToHexString(key);
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            if (!_byKey.TryGetValue(k, out var providers))
            {
                if (_byKey.Count >= _maxKeys)
                {
                    RemoveExpiredLocked(now);
                    if (_byKey.Count >= _maxKeys)
                    {
                        return false;
                    }
                }
                providers = [];
                _byKey[k] = providers;
            }
            if (!providers.ContainsKey(provider) && providers.Count >= _maxProvidersPerKey)
            {
                var oldest = providers.MinBy(p => p.Value.ExpiresAt).Key;
                providers.Remove(oldest);
            }
            providers[provider] = new Entry([.. addresses.Take(KadMessageCodec.MaxAddressesPerPeer)], now + _ttl);
            return true;
        }
    }

    /// <summary>The unexpired providers of <paramref name="key"/>, newest first.</summary>
    public IReadOnlyList<KadPeer> Get(ReadOnlySpan<byte> key)
    {
        var k = Convert.ToHexString(key);
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            if (!_byKey.TryGetValue(k, out var providers))
            {
                return [];
            }
            return providers.Where(p => p.Value.ExpiresAt > now)
                .OrderByDescending(p => p.Value.ExpiresAt)
                .Select(p => new KadPeer(p.Key, p.Value.Addresses))
                .ToList();
        }
    }

    /// <summary>Drops expired records; returns how many.</summary>
    public int RemoveExpired()
    {
        lock (_sync)
        {
            return RemoveExpiredLocked(_time.GetUtcNow());
        }
    }

    private int RemoveExpiredLocked(DateTimeOffset now)
    {
        var removed = 0;
        foreach (var (key, providers) in _byKey.ToList())
        {
            foreach (var (peer, entry) in providers.ToList())
            {
                if (entry.ExpiresAt <= now)
                {
                    providers.Remove(peer);
                    removed++;
                }
            }
            if (providers.Count == 0)
            {
                _byKey.Remove(key);
            }
        }
        return removed;
    }

    private sealed record Entry(IReadOnlyList<Multiaddr> Addresses, DateTimeOffset ExpiresAt);
}
