using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>
/// The mcache of gossipsub v1.0: messages of the last <c>length</c> heartbeats, served on IWANT, and whose
/// ids from the newest <c>gossip</c> windows are advertised in IHAVE. <see cref="Shift"/> runs each heartbeat.
/// </summary>
public sealed class MessageCache
{
    private readonly int _gossip;
    private readonly LinkedList<List<(MessageId Id, string Topic)>> _windows = new();
    private readonly Dictionary<MessageId, Entry> _messages = [];

    public MessageCache(int length, int gossip)
    {
        if (gossip < 1 || gossip > length)
        {
            throw new ArgumentException("mcache needs 1 <= gossip <= length");
        }
        _gossip = gossip;
        for (var i = 0; i < length; i++)
        {
            _windows.AddLast(new List<(MessageId, string)>());
        }
    }

    public int Count => _messages.Count;

    /// <summary>Adds a validated message to the newest window; false when already cached.</summary>
    public bool Put(MessageId id, PubsubMessage message)
    {
        if (_messages.ContainsKey(id))
        {
            return false;
        }
        _messages[id] = new Entry(message);
        _windows.First!.Value.Add((id, message.Topic));
        return true;
    }

    public bool TryGet(MessageId id, out PubsubMessage message)
    {
        if (_messages.TryGetValue(id, out var e))
        {
            message = e.Message;
            return true;
        }
        message = null!;
        return false;
    }

    /// <summary>
    /// Looks up a message for a peer's IWANT and counts the request; returns false once the peer has
    /// asked for it more than <paramref name="maxTransmissions"/> times (IWANT spam).
    /// </summary>
    public bool TryGetForPeer(MessageId id, PeerId peer, int maxTransmissions, out PubsubMessage message)
    {
        message = null!;
        if (!_messages.TryGetValue(id, out var e))
        {
            return false;
        }
        e.Requests ??= [];
        var n = e.Requests.GetValueOrDefault(peer) + 1;
        e.Requests[peer] = n;
        if (n > maxTransmissions)
        {
            return false;
        }
        message = e.Message;
        return true;
    }

    /// <summary>Ids of <paramref name="topic"/> in the gossip windows, newest first.</summary>
    public List<MessageId> GossipIds(string topic)
    {
        var ids = new List<MessageId>();
        var i = 0;
        for (var w = _windows.First; w is not null && i < _gossip; w = w.Next, i++)
        {
            foreach (var (id, t) in w.Value)
            {
                if (t == topic)
                {
                    ids.Add(id);
                }
            }
        }
        return ids;
    }

    /// <summary>Drops the oldest window and opens a new one.</summary>
    public void Shift()
    {
        var last = _windows.Last!;
        _windows.RemoveLast();
        foreach (var (id, _) in last.Value)
        {
            _messages.Remove(id);
        }
        last.Value.Clear();
        _windows.AddFirst(last);
    }

    private sealed class Entry(PubsubMessage message)
    {
        public PubsubMessage Message { get; } = message;

        public Dictionary<PeerId, int>? Requests { get; set; }
    }
}
