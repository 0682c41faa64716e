using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>Why a message was not accepted, for scoring: only some reasons are the sender's fault.</summary>
public enum RejectReason
{
    /// <summary>The topic validator said Reject: penalise every peer that delivered it.</summary>
    ValidatorReject,

    /// <summary>The topic validator said Ignore: no penalty.</summary>
    ValidatorIgnore,

    /// <summary>Bad or missing signature, author or seqno: the sender forwarded an invalid message.</summary>
    InvalidSignature,

    /// <summary>The payload is over the size limit.</summary>
    TooLarge,
}

/// <summary>
/// The v1.1 peer score (gossipsub-v1.1.md §Peer scoring): per-topic counters P1–P4, application score
/// P5, IP colocation P6 and behaviour penalty P7, decayed every <see cref="PeerScoreParams.DecayInterval"/>.
/// Kept by the router; scores of disconnected peers are retained for <see cref="PeerScoreParams.RetainScore"/>.
/// </summary>
public sealed class PeerScore
{
    private readonly PeerScoreParams _params;
    private readonly Dictionary<PeerId, PeerStats> _peers = [];
    private readonly Dictionary<string, HashSet<PeerId>> _peersByIp = new(StringComparer.Ordinal);
    private readonly Dictionary<MessageId, DeliveryRecord> _deliveries = [];
    private readonly Queue<(MessageId Id, DateTimeOffset Expiry)> _deliveryExpiry = new();
    private readonly TimeSpan _deliveryTtl;

    public PeerScore(PeerScoreParams parameters, TimeSpan deliveryRecordTtl)
    {
        _params = parameters;
        _deliveryTtl = deliveryRecordTtl;
    }

    public double Score(PeerId peer, DateTimeOffset now)
    {
        if (!_peers.TryGetValue(peer, out var s))
        {
            return 0;
        }
        double topicScore = 0;
        foreach (var (topic, t) in s.Topics)
        {
            var tp = TopicParams(topic);
            if (tp is null)
            {
                continue;
            }
            double ts = 0;
            if (t.InMesh)
            {
                var p1 = (now - t.GraftTime) / tp.TimeInMeshQuantum;
                ts += Math.Min(p1, tp.TimeInMeshCap) * tp.TimeInMeshWeight;
            }
            ts += t.FirstMessageDeliveries * tp.FirstMessageDeliveriesWeight;
            if (t.InMesh && now - t.GraftTime >= tp.MeshMessageDeliveriesActivation
                && t.MeshMessageDeliveries < tp.MeshMessageDeliveriesThreshold)
            {
                var deficit = tp.MeshMessageDeliveriesThreshold - t.MeshMessageDeliveries;
                ts += deficit * deficit * tp.MeshMessageDeliveriesWeight;
            }
            ts += t.MeshFailurePenalty * tp.MeshFailurePenaltyWeight;
            ts += t.InvalidMessageDeliveries * t.InvalidMessageDeliveries * tp.InvalidMessageDeliveriesWeight;
            topicScore += ts * tp.TopicWeight;
        }
        if (_params.TopicScoreCap > 0 && topicScore > _params.TopicScoreCap)
        {
            topicScore = _params.TopicScoreCap;
        }
        var score = topicScore + _params.AppSpecificScore(peer) * _params.AppSpecificWeight;
        if (s.Ip is { } ip && !_params.IPColocationFactorWhitelist.Contains(ip)
            && _peersByIp.TryGetValue(ip, out var sameIp) && sameIp.Count > _params.IPColocationFactorThreshold)
        {
            var surplus = sameIp.Count - _params.IPColocationFactorThreshold;
            score += (double)surplus * surplus * _params.IPColocationFactorWeight;
        }
        if (s.BehaviourPenalty > _params.BehaviourPenaltyThreshold)
        {
            var excess = s.BehaviourPenalty - _params.BehaviourPenaltyThreshold;
            score += excess * excess * _params.BehaviourPenaltyWeight;
        }
        return score;
    }

    public void AddPeer(PeerId peer, string? ip)
    {
        if (!_peers.TryGetValue(peer, out var s))
        {
            s = new PeerStats();
            _peers[peer] = s;
        }
        s.Connected = true;
        s.Ip = ip;
        if (ip is not null)
        {
            if (!_peersByIp.TryGetValue(ip, out var set))
            {
                _peersByIp[ip] = set = [];
            }
            set.Add(peer);
        }
    }

    public void RemovePeer(PeerId peer, DateTimeOffset now)
    {
        if (!_peers.TryGetValue(peer, out var s))
        {
            return;
        }
        if (s.Ip is { } ip && _peersByIp.TryGetValue(ip, out var set))
        {
            set.Remove(peer);
            if (set.Count == 0)
            {
                _peersByIp.Remove(ip);
            }
        }
        // A peer leaving with a positive score is simply forgotten; a negative score is kept so that
        // reconnecting does not wash it away.
        if (Score(peer, now) > 0)
        {
            _peers.Remove(peer);
            return;
        }
        foreach (var (topic, t) in s.Topics)
        {
            MeshFailure(topic, t, now);
            t.InMesh = false;
        }
        s.Connected = false;
        s.Expire = now + _params.RetainScore;
    }

    public void Graft(PeerId peer, string topic, DateTimeOffset now)
    {
        var t = Topic(peer, topic);
        if (t is null)
        {
            return;
        }
        t.InMesh = true;
        t.GraftTime = now;
        t.MeshMessageDeliveries = 0;
    }

    public void Prune(PeerId peer, string topic, DateTimeOffset now)
    {
        var t = Topic(peer, topic);
        if (t is null)
        {
            return;
        }
        MeshFailure(topic, t, now);
        t.InMesh = false;
    }

    /// <summary>P7: a protocol violation such as grafting during backoff or a broken IWANT promise.</summary>
    public void AddPenalty(PeerId peer, int count)
    {
        if (_peers.TryGetValue(peer, out var s))
        {
            s.BehaviourPenalty += count;
        }
    }

    /// <summary>A message arrived for the first time and is about to be validated.</summary>
    public void ValidateMessage(PeerId from, MessageId id, DateTimeOffset now)
    {
        Record(id, now).FirstSeen = now;
        Record(id, now).Peers.Add(from);
    }

    /// <summary>The first copy of a message was accepted: P2 and P3 credit for its sender.</summary>
    public void DeliverMessage(PeerId from, MessageId id, string topic, DateTimeOffset now)
    {
        var r = Record(id, now);
        r.Status = DeliveryStatus.Valid;
        r.Validated = now;
        MarkFirstDelivery(from, topic);
        foreach (var p in r.Peers)
        {
            if (!p.Equals(from))
            {
                MarkDuplicateDelivery(p, topic);
            }
        }
    }

    /// <summary>A message was not accepted; the peers that delivered it are penalised when it is their fault.</summary>
    public void RejectMessage(PeerId from, MessageId? id, string topic, RejectReason reason, DateTimeOffset now)
    {
        if (reason is RejectReason.InvalidSignature or RejectReason.TooLarge || id is null)
        {
            // No trustworthy id: penalise only the sender.
            if (reason != RejectReason.ValidatorIgnore)
            {
                MarkInvalidDelivery(from, topic);
            }
            return;
        }
        var r = Record(id.Value, now);
        r.Status = reason == RejectReason.ValidatorIgnore ? DeliveryStatus.Ignored : DeliveryStatus.Invalid;
        if (r.Status == DeliveryStatus.Invalid)
        {
            r.Peers.Add(from);
            foreach (var p in r.Peers)
            {
                MarkInvalidDelivery(p, topic);
            }
        }
    }

    /// <summary>A copy of a message we already have.</summary>
    public void DuplicateMessage(PeerId from, MessageId id, string topic, DateTimeOffset now)
    {
        if (!_deliveries.TryGetValue(id, out var r) || !r.Peers.Add(from))
        {
            return;
        }
        switch (r.Status)
        {
            case DeliveryStatus.Unknown:
                break;
            case DeliveryStatus.Valid:
                // Near-first copies still show the mesh peer is doing its job (P3).
                if (now - r.Validated <= (TopicParams(topic)?.MeshMessageDeliveriesWindow ?? TimeSpan.Zero))
                {
                    MarkDuplicateDelivery(from, topic);
                }
                break;
            case DeliveryStatus.Invalid:
                MarkInvalidDelivery(from, topic);
                break;
            default:
                break;
        }
    }

    /// <summary>Decays every counter once and forgets expired peers and delivery records.</summary>
    public void Decay(DateTimeOffset now)
    {
        var expired = new List<PeerId>();
        foreach (var (peer, s) in _peers)
        {
            if (!s.Connected)
            {
                if (now > s.Expire)
                {
                    expired.Add(peer);
                    continue;
                }
            }
            foreach (var (topic, t) in s.Topics)
            {
                var tp = TopicParams(topic);
                if (tp is null)
                {
                    continue;
                }
                t.FirstMessageDeliveries = DecayValue(t.FirstMessageDeliveries, tp.FirstMessageDeliveriesDecay);
                t.MeshMessageDeliveries = DecayValue(t.MeshMessageDeliveries, tp.MeshMessageDeliveriesDecay);
                t.MeshFailurePenalty = DecayValue(t.MeshFailurePenalty, tp.MeshFailurePenaltyDecay);
                t.InvalidMessageDeliveries = DecayValue(t.InvalidMessageDeliveries, tp.InvalidMessageDeliveriesDecay);
            }
            s.BehaviourPenalty = DecayValue(s.BehaviourPenalty, _params.BehaviourPenaltyDecay);
        }
        foreach (var p in expired)
        {
            _peers.Remove(p);
        }
        while (_deliveryExpiry.TryPeek(out var head) && head.Expiry <= now)
        {
            _deliveryExpiry.Dequeue();
            _deliveries.Remove(head.Id);
        }
    }

    private double DecayValue(double v, double factor)
    {
        v *= factor;
        return Math.Abs(v) < _params.DecayToZero ? 0 : v;
    }

    private void MarkFirstDelivery(PeerId peer, string topic)
    {
        var t = Topic(peer, topic);
        var tp = TopicParams(topic);
        if (t is null || tp is null)
        {
            return;
        }
        t.FirstMessageDeliveries = Math.Min(t.FirstMessageDeliveries + 1, tp.FirstMessageDeliveriesCap);
        if (t.InMesh)
        {
            t.MeshMessageDeliveries = Math.Min(t.MeshMessageDeliveries + 1, tp.MeshMessageDeliveriesCap);
        }
    }

    private void MarkDuplicateDelivery(PeerId peer, string topic)
    {
        var t = Topic(peer, topic);
        var tp = TopicParams(topic);
        if (t is { InMesh: true } && tp is not null)
        {
            t.MeshMessageDeliveries = Math.Min(t.MeshMessageDeliveries + 1, tp.MeshMessageDeliveriesCap);
        }
    }

    private void MarkInvalidDelivery(PeerId peer, string topic)
    {
        var t = Topic(peer, topic);
        if (t is not null)
        {
            t.InvalidMessageDeliveries += 1;
        }
    }

    private void MeshFailure(string topic, TopicStats t, DateTimeOffset now)
    {
        var tp = TopicParams(topic);
        if (tp is null || !t.InMesh || now - t.GraftTime < tp.MeshMessageDeliveriesActivation)
        {
            return;
        }
        if (t.MeshMessageDeliveries < tp.MeshMessageDeliveriesThreshold)
        {
            var deficit = tp.MeshMessageDeliveriesThreshold - t.MeshMessageDeliveries;
            t.MeshFailurePenalty += deficit * deficit;
        }
    }

    private TopicScoreParams? TopicParams(string topic) =>
        _params.Topics.TryGetValue(topic, out var p) ? p : _params.DefaultTopic;

    private TopicStats? Topic(PeerId peer, string topic)
    {
        if (TopicParams(topic) is null || !_peers.TryGetValue(peer, out var s))
        {
            return null;
        }
        if (!s.Topics.TryGetValue(topic, out var t))
        {
            s.Topics[topic] = t = new TopicStats();
        }
        return t;
    }

    private DeliveryRecord Record(MessageId id, DateTimeOffset now)
    {
        if (!_deliveries.TryGetValue(id, out var r))
        {
            _deliveries[id] = r = new DeliveryRecord();
            _deliveryExpiry.Enqueue((id, now + _deliveryTtl));
        }
        return r;
    }

    private enum DeliveryStatus
    {
        Unknown,
        Valid,
        Invalid,
        Ignored,
    }

    private sealed class DeliveryRecord
    {
        public DeliveryStatus Status { get; set; }

        public DateTimeOffset FirstSeen { get; set; }

        public DateTimeOffset Validated { get; set; }

        public HashSet<PeerId> Peers { get; } = [];
    }

    private sealed class PeerStats
    {
        public bool Connected { get; set; }

        public DateTimeOffset Expire { get; set; }

        public string? Ip { get; set; }

        public double BehaviourPenalty { get; set; }

        public Dictionary<string, TopicStats> Topics { get; } = new(StringComparer.Ordinal);
    }

    private sealed class TopicStats
    {
        public bool InMesh { get; set; }

        public DateTimeOffset GraftTime { get; set; }

        public double FirstMessageDeliveries { get; set; }

        public double MeshMessageDeliveries { get; set; }

        public double MeshFailurePenalty { get; set; }

        public double InvalidMessageDeliveries { get; set; }
    }
}
