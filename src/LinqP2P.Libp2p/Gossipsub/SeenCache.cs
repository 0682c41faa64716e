namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>
/// Message ids seen within the last TTL, so a message is handled once however many peers forward it.
/// Entries expire in insertion order (first-seen time); a hard cap bounds memory under a flood.
/// </summary>
public sealed class SeenCache(TimeSpan ttl, int capacity = 1_000_000)
{
    private readonly Dictionary<MessageId, DateTimeOffset> _expiry = [];
    private readonly Queue<(MessageId Id, DateTimeOffset Expiry)> _order = new();

    public int Count => _expiry.Count;

    /// <summary>Adds <paramref name="id"/>; false when it was already there.</summary>
    public bool Add(MessageId id, DateTimeOffset now)
    {
        if (_expiry.ContainsKey(id))
        {
            return false;
        }
        while (_order.Count >= capacity)
        {
            _expiry.Remove(_order.Dequeue().Id);
        }
        var expiry = now + ttl;
        _expiry[id] = expiry;
        _order.Enqueue((id, expiry));
        return true;
    }

    public bool Contains(MessageId id) => _expiry.ContainsKey(id);

    /// <summary>Forgets ids whose TTL has passed.</summary>
    public void Prune(DateTimeOffset now)
    {
        while (_order.TryPeek(out var head) && head.Expiry <= now)
        {
            _order.Dequeue();
            _expiry.Remove(head.Id);
        }
    }
}
