using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Kad;

/// <summary>A token bucket per peer, with a cap on how many peers are tracked (idle buckets are dropped first).</summary>
internal sealed class PeerRateLimiter(double perSecond, int burst, TimeProvider time, int maxTracked = 10_000)
{
    private readonly Dictionary<PeerId, (double Tokens, DateTimeOffset At)> _buckets = [];
    private readonly object _sync = new();

    public bool TryTake(PeerId peer)
    {
        var now = time.GetUtcNow();
        lock (_sync)
        {
            if (!_buckets.TryGetValue(peer, out var b))
            {
                if (_buckets.Count >= maxTracked)
                {
                    // Full buckets carry no state worth keeping.
                    foreach (var (p, v) in _buckets.ToList())
                    {
                        if (Refill(v, now) >= burst)
                        {
                            _buckets.Remove(p);
                        }
                    }
                }
                b = (burst, now);
            }
            var tokens = Refill(b, now);
            if (tokens < 1)
            {
                _buckets[peer] = (tokens, now);
                return false;
            }
            _buckets[peer] = (tokens - 1, now);
            return true;
        }
    }

    private double Refill((double Tokens, DateTimeOffset At) b, DateTimeOffset now) =>
        Math.Min(burst, b.Tokens + (Math.Max(0, (now - b.At).TotalSeconds) * perSecond));
}
