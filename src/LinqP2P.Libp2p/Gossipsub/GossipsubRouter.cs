using System.Buffers.Binary;

using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>
/// Gossipsub v1.1 (SPEC.md §5 Gossipsub) as a transport-independent state machine: the host feeds it
/// peer connections, RPC frames, heartbeat ticks and local publish/subscribe calls, and drains
/// <see cref="TakeOutputs"/> for RPCs to send, messages to deliver and score changes. It never blocks,
/// never does I/O and reads time only from its <see cref="TimeProvider"/>, so tests wire dozens of
/// routers together on a virtual clock. Not thread-safe: one caller at a time (the adapter serialises).
/// </summary>
public sealed class GossipsubRouter
{
    private readonly GossipsubOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly IPubsubSigner? _signer;
    private readonly IPubsubSignatureVerifier? _verifier;
    private readonly PeerScore? _score;
    private readonly PeerScoreThresholds _thresholds;

    private readonly Dictionary<PeerId, PeerState> _peers = [];
    private readonly Dictionary<string, HashSet<PeerId>> _topicPeers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<PeerId>> _mesh = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<PeerId>> _fanout = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _fanoutLastPublish = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<PeerId, DateTimeOffset>> _backoff = new(StringComparer.Ordinal);
    private readonly Dictionary<MessageId, Dictionary<PeerId, DateTimeOffset>> _promises = [];
    private readonly Dictionary<string, Func<GossipsubMessage, ValidationResult>> _validators = new(StringComparer.Ordinal);
    private readonly Dictionary<PeerId, double> _lastReportedScore = [];
    private readonly MessageCache _mcache;
    private readonly SeenCache _seen;

    private readonly Dictionary<PeerId, Rpc> _pending = [];
    private readonly List<GossipsubOutput> _outputs = [];
    private ulong _seqno;
    private long _heartbeatTicks;
    private DateTimeOffset _lastDecay;

    /// <summary>
    /// Builds a router. <paramref name="signer"/> and <paramref name="verifier"/> are required under
    /// StrictSign; <paramref name="localPeer"/> is required under StrictNoSign (to recognise our own links).
    /// </summary>
    public GossipsubRouter(
        GossipsubOptions options,
        IPubsubSigner? signer,
        IPubsubSignatureVerifier? verifier,
        TimeProvider? time = null,
        Random? random = null,
        PeerId? localPeer = null)
    {
        options.Validate();
        if (options.SignaturePolicy == SignaturePolicy.StrictSign && (signer is null || verifier is null))
        {
            throw new ArgumentException("StrictSign needs a signer and a verifier");
        }
        _options = options;
        _signer = signer;
        _verifier = verifier;
        LocalPeer = signer?.PeerId ?? localPeer ?? throw new ArgumentException("a router needs its local peer id");
        _time = time ?? TimeProvider.System;
        _random = random ?? new Random();
        _mcache = new MessageCache(options.MessageCacheLength, options.MessageCacheGossip);
        _seen = new SeenCache(options.SeenTtl);
        _thresholds = options.ScoreThresholds;
        if (options.ScoreParams is { } sp)
        {
            _score = new PeerScore(sp, options.SeenTtl);
        }
        // Seqnos start from the clock so that a restarted node does not reuse ids still in peers' seen caches.
        _seqno = (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        _lastDecay = Now;
    }

    public PeerId LocalPeer { get; }

    public GossipsubOptions Options => _options;

    private DateTimeOffset Now => _time.GetUtcNow();

    // ---------- queries ----------

    /// <summary>Our mesh peers for <paramref name="topic"/> (empty when not subscribed).</summary>
    public IReadOnlyCollection<PeerId> MeshPeers(string topic) =>
        _mesh.TryGetValue(topic, out var m) ? m.ToArray() : [];

    /// <summary>Connected peers known to be subscribed to <paramref name="topic"/>.</summary>
    public IReadOnlyCollection<PeerId> TopicPeers(string topic) =>
        _topicPeers.TryGetValue(topic, out var m) ? m.ToArray() : [];

    public IReadOnlyCollection<PeerId> FanoutPeers(string topic) =>
        _fanout.TryGetValue(topic, out var m) ? m.ToArray() : [];

    public IReadOnlyCollection<PeerId> ConnectedPeers => _peers.Keys.ToArray();

    public IReadOnlyCollection<string> Subscriptions => _subscriptions.ToArray();

    /// <summary>The current v1.1 score of <paramref name="peer"/> (0 when scoring is off).</summary>
    public double Score(PeerId peer) => _score?.Score(peer, Now) ?? 0;

    /// <summary>True while <paramref name="peer"/> may not be grafted to <paramref name="topic"/>.</summary>
    public bool IsBackedOff(string topic, PeerId peer) =>
        _backoff.TryGetValue(topic, out var b) && b.TryGetValue(peer, out var until) && until > Now;

    // ---------- inputs ----------

    /// <summary>Registers the topic validator run before a message is delivered or forwarded.</summary>
    public void SetValidator(string topic, Func<GossipsubMessage, ValidationResult> validator) =>
        _validators[topic] = validator;

    /// <summary>A connection to <paramref name="peer"/> speaking gossipsub is up; we announce our subscriptions.</summary>
    public void AddPeer(PeerId peer, GossipsubProtocol protocol, bool outbound, string? ip = null)
    {
        if (_peers.ContainsKey(peer) || peer.Equals(LocalPeer) || _peers.Count >= _options.MaxPeers)
        {
            return;
        }
        _peers[peer] = new PeerState(protocol, outbound);
        _score?.AddPeer(peer, ip);
        if (_subscriptions.Count > 0)
        {
            var rpc = Pending(peer);
            foreach (var t in _subscriptions)
            {
                rpc.Subscriptions.Add(new SubscriptionChange(true, t));
            }
        }
        Flush();
    }

    /// <summary>The last connection to <paramref name="peer"/> is gone.</summary>
    public void RemovePeer(PeerId peer)
    {
        if (!_peers.Remove(peer, out var state))
        {
            return;
        }
        foreach (var topic in state.Topics)
        {
            if (_topicPeers.TryGetValue(topic, out var set))
            {
                set.Remove(peer);
            }
        }
        foreach (var (topic, mesh) in _mesh)
        {
            if (mesh.Remove(peer))
            {
                _score?.Prune(peer, topic, Now);
            }
        }
        foreach (var fanout in _fanout.Values)
        {
            fanout.Remove(peer);
        }
        _score?.RemovePeer(peer, Now);
        _pending.Remove(peer);
        _lastReportedScore.Remove(peer);
    }

    /// <summary>
    /// An RPC frame arrived from <paramref name="peer"/>. A frame that does not decode is dropped and
    /// costs the peer a behaviour penalty; the exception is returned so the adapter can log it.
    /// </summary>
    public GossipsubException? HandleFrame(PeerId peer, ReadOnlySpan<byte> frame)
    {
        Rpc rpc;
        try
        {
            rpc = RpcCodec.Decode(frame, _options.Limits);
        }
        catch (GossipsubException e)
        {
            _score?.AddPenalty(peer, 1);
            return e;
        }
        HandleRpc(peer, rpc);
        return null;
    }

    /// <summary>A decoded RPC arrived from <paramref name="peer"/>.</summary>
    public void HandleRpc(PeerId peer, Rpc rpc)
    {
        if (!_peers.TryGetValue(peer, out var state))
        {
            return;
        }
        // Graylisted peers are not worth the CPU of processing their frames.
        if (_score is not null && Score(peer) < _thresholds.GraylistThreshold)
        {
            return;
        }
        foreach (var sub in rpc.Subscriptions)
        {
            HandleSubscription(peer, state, sub);
        }
        foreach (var message in rpc.Messages)
        {
            HandleMessage(peer, message);
        }
        if (rpc.Control is { } control)
        {
            HandleControl(peer, state, control);
        }
        Flush();
    }

    /// <summary>Joins <paramref name="topic"/>: announces it and builds a mesh from fanout and known subscribers.</summary>
    public void Subscribe(string topic)
    {
        if (!_subscriptions.Add(topic))
        {
            return;
        }
        foreach (var peer in _peers.Keys)
        {
            Pending(peer).Subscriptions.Add(new SubscriptionChange(true, topic));
        }
        var mesh = new HashSet<PeerId>();
        if (_fanout.Remove(topic, out var fanout))
        {
            foreach (var p in fanout)
            {
                if (Score(p) >= 0 && !IsBackedOff(topic, p))
                {
                    mesh.Add(p);
                }
            }
            _fanoutLastPublish.Remove(topic);
        }
        if (mesh.Count < _options.D)
        {
            foreach (var p in SelectPeers(topic, _options.D - mesh.Count, p => !mesh.Contains(p) && !IsBackedOff(topic, p) && Score(p) >= 0))
            {
                mesh.Add(p);
            }
        }
        _mesh[topic] = mesh;
        foreach (var p in mesh)
        {
            _score?.Graft(p, topic, Now);
            Control(p).Graft.Add(new ControlGraft(topic));
        }
        Flush();
    }

    /// <summary>Leaves <paramref name="topic"/>: announces it and prunes the mesh with the unsubscribe backoff.</summary>
    public void Unsubscribe(string topic)
    {
        if (!_subscriptions.Remove(topic))
        {
            return;
        }
        foreach (var peer in _peers.Keys)
        {
            Pending(peer).Subscriptions.Add(new SubscriptionChange(false, topic));
        }
        if (_mesh.Remove(topic, out var mesh))
        {
            foreach (var p in mesh)
            {
                _score?.Prune(p, topic, Now);
                Control(p).Prune.Add(MakePrune(p, topic, _options.UnsubscribeBackoff, doPx: true));
                AddBackoff(topic, p, _options.UnsubscribeBackoff);
            }
        }
        Flush();
    }

    /// <summary>
    /// Publishes <paramref name="data"/> to <paramref name="topic"/> (signed under StrictSign). With flood
    /// publishing it goes to every known subscriber above the publish threshold, otherwise to the mesh
    /// or fanout.
    /// </summary>
    public PublishResult Publish(string topic, ReadOnlySpan<byte> data)
    {
        if (data.Length > _options.MaxMessageSize)
        {
            throw new GossipsubException("publish.too_large", $"a message of {data.Length} bytes exceeds the limit of {_options.MaxMessageSize}; split it or raise MaxMessageSize");
        }
        var message = new PubsubMessage { Topic = topic, Data = data.ToArray() };
        if (_options.SignaturePolicy == SignaturePolicy.StrictSign)
        {
            var seqno = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(seqno, ++_seqno);
            message.Seqno = seqno;
            MessageSigning.Sign(message, _signer!);
        }
        var id = _options.MessageIdFunction(message);
        if (!_seen.Add(id, Now))
        {
            throw new GossipsubException("publish.duplicate", "a message with the same id was already published or seen; under StrictNoSign make payloads unique");
        }
        _mcache.Put(id, message);

        var targets = new HashSet<PeerId>();
        var now = Now;
        bool AbovePublish(PeerId p) => _score is null || Score(p) >= _thresholds.PublishThreshold;
        if (_options.FloodPublish)
        {
            if (_topicPeers.TryGetValue(topic, out var subscribers))
            {
                targets.UnionWith(subscribers.Where(AbovePublish));
            }
        }
        else if (_mesh.TryGetValue(topic, out var mesh))
        {
            targets.UnionWith(mesh);
        }
        else
        {
            if (!_fanout.TryGetValue(topic, out var fanout) || fanout.Count == 0)
            {
                fanout = [.. SelectPeers(topic, _options.D, AbovePublish)];
                _fanout[topic] = fanout;
            }
            _fanoutLastPublish[topic] = now;
            targets.UnionWith(fanout);
        }
        foreach (var p in targets)
        {
            Pending(p).Messages.Add(message);
        }
        Flush();
        return new PublishResult(id, targets.Count);
    }

    /// <summary>
    /// The periodic heartbeat (every <see cref="GossipsubOptions.HeartbeatInterval"/>): score decay, mesh
    /// maintenance, fanout expiry, IHAVE gossip, promise accounting and cache shifting.
    /// </summary>
    public void Heartbeat()
    {
        var now = Now;
        _heartbeatTicks++;
        if (_score is not null)
        {
            var interval = _options.ScoreParams!.DecayInterval;
            while (now - _lastDecay >= interval)
            {
                _score.Decay(now);
                _lastDecay += interval;
            }
        }
        foreach (var state in _peers.Values)
        {
            state.IHavesThisHeartbeat = 0;
            state.IdsAskedThisHeartbeat = 0;
        }
        ApplyBrokenPromises(now);

        var scores = new Dictionary<PeerId, double>();
        double ScoreOf(PeerId p)
        {
            if (_score is null)
            {
                return 0;
            }
            if (!scores.TryGetValue(p, out var s))
            {
                scores[p] = s = _score.Score(p, now);
            }
            return s;
        }

        foreach (var (topic, mesh) in _mesh)
        {
            MaintainMesh(topic, mesh, ScoreOf);
        }

        foreach (var topic in _fanout.Keys.ToArray())
        {
            if (_fanoutLastPublish.TryGetValue(topic, out var last) && last + _options.FanoutTtl < now)
            {
                _fanout.Remove(topic);
                _fanoutLastPublish.Remove(topic);
                continue;
            }
            var fanout = _fanout[topic];
            fanout.RemoveWhere(p => !_topicPeers.TryGetValue(topic, out var tp) || !tp.Contains(p)
                                    || (_score is not null && ScoreOf(p) < _thresholds.PublishThreshold));
            if (fanout.Count < _options.D)
            {
                foreach (var p in SelectPeers(topic, _options.D - fanout.Count, p => !fanout.Contains(p) && (_score is null || ScoreOf(p) >= _thresholds.PublishThreshold)))
                {
                    fanout.Add(p);
                }
            }
            EmitGossip(topic, fanout, ScoreOf);
        }
        foreach (var (topic, mesh) in _mesh)
        {
            EmitGossip(topic, mesh, ScoreOf);
        }

        _mcache.Shift();
        _seen.Prune(now);
        foreach (var (topic, b) in _backoff.ToArray())
        {
            foreach (var (p, until) in b.ToArray())
            {
                if (until + (_options.HeartbeatInterval * _options.BackoffSlackHeartbeats) < now)
                {
                    b.Remove(p);
                }
            }
            if (b.Count == 0)
            {
                _backoff.Remove(topic);
            }
        }
        ReportScoreChanges(ScoreOf);
        Flush();
    }

    /// <summary>Returns and clears everything the router wants done since the last call.</summary>
    public List<GossipsubOutput> TakeOutputs()
    {
        if (_outputs.Count == 0)
        {
            return [];
        }
        var list = new List<GossipsubOutput>(_outputs);
        _outputs.Clear();
        return list;
    }

    // ---------- handling ----------

    private void HandleSubscription(PeerId peer, PeerState state, SubscriptionChange sub)
    {
        if (sub.Subscribe)
        {
            if (state.Topics.Contains(sub.Topic) || state.Topics.Count >= _options.MaxTopicsPerPeer)
            {
                return;
            }
            state.Topics.Add(sub.Topic);
            if (!_topicPeers.TryGetValue(sub.Topic, out var set))
            {
                _topicPeers[sub.Topic] = set = [];
            }
            set.Add(peer);
            return;
        }
        if (!state.Topics.Remove(sub.Topic))
        {
            return;
        }
        if (_topicPeers.TryGetValue(sub.Topic, out var peers))
        {
            peers.Remove(peer);
            if (peers.Count == 0)
            {
                _topicPeers.Remove(sub.Topic);
            }
        }
        if (_mesh.TryGetValue(sub.Topic, out var mesh) && mesh.Remove(peer))
        {
            _score?.Prune(peer, sub.Topic, Now);
        }
        if (_fanout.TryGetValue(sub.Topic, out var fanout))
        {
            fanout.Remove(peer);
        }
    }

    private void HandleMessage(PeerId from, PubsubMessage message)
    {
        var now = Now;
        var topic = message.Topic;
        if (!_subscriptions.Contains(topic))
        {
            // Not ours to relay: gossipsub only routes topics the node subscribes to.
            return;
        }
        if ((message.Data?.Length ?? 0) > _options.MaxMessageSize)
        {
            _score?.RejectMessage(from, null, topic, RejectReason.TooLarge, now);
            return;
        }
        var id = _options.MessageIdFunction(message);
        if (_seen.Contains(id))
        {
            // Duplicates are not verified again: the first copy already was.
            _score?.DuplicateMessage(from, id, topic, now);
            _promises.Remove(id);
            return;
        }
        if (!CheckSignaturePolicy(message, out var author))
        {
            // Not marked seen: a forged copy must not shadow the genuine message that carries the same id.
            _score?.RejectMessage(from, null, topic, RejectReason.InvalidSignature, now);
            return;
        }
        _seen.Add(id, now);
        if (author is not null && author.Equals(LocalPeer))
        {
            // Our own message coming back after our seen cache forgot it: do not deliver it to ourselves.
            return;
        }
        _score?.ValidateMessage(from, id, now);
        _promises.Remove(id);

        var delivered = new GossipsubMessage(id, topic, message.Data ?? [], author, message.Seqno, from);
        var verdict = _validators.TryGetValue(topic, out var validator) ? RunValidator(validator, delivered) : ValidationResult.Accept;
        switch (verdict)
        {
            case ValidationResult.Reject:
                _score?.RejectMessage(from, id, topic, RejectReason.ValidatorReject, now);
                return;
            case ValidationResult.Ignore:
                _score?.RejectMessage(from, id, topic, RejectReason.ValidatorIgnore, now);
                return;
            default:
                break;
        }
        _score?.DeliverMessage(from, id, topic, now);
        _mcache.Put(id, message);
        _outputs.Add(new DeliverMessage(delivered));
        Forward(message, topic, from, author);
    }

    private static ValidationResult RunValidator(Func<GossipsubMessage, ValidationResult> validator, GossipsubMessage message)
    {
        try
        {
            return validator(message);
        }
        catch (Exception)
        {
            // A throwing validator is the application's bug, not the sender's: ignore without penalty.
            return ValidationResult.Ignore;
        }
    }

    private void Forward(PubsubMessage message, string topic, PeerId from, PeerId? author)
    {
        if (!_mesh.TryGetValue(topic, out var mesh))
        {
            return;
        }
        foreach (var p in mesh)
        {
            if (!p.Equals(from) && (author is null || !p.Equals(author)))
            {
                Pending(p).Messages.Add(message);
            }
        }
    }

    private bool CheckSignaturePolicy(PubsubMessage m, out PeerId? author)
    {
        author = null;
        if (_options.SignaturePolicy == SignaturePolicy.StrictNoSign)
        {
            return m.From is null && m.Seqno is null && m.Signature is null && m.Key is null;
        }
        if (m.From is null || m.Seqno is not { Length: 8 } || m.Signature is null)
        {
            return false;
        }
        try
        {
            author = PeerId.FromBytes(m.From);
        }
        catch (Core.LinqException)
        {
            return false;
        }
        return _verifier!.Verify(author, m.Key, MessageSigning.SignedPayload(m), m.Signature);
    }

    private void HandleControl(PeerId peer, PeerState state, ControlMessage control)
    {
        var now = Now;
        var score = Score(peer);
        var gossipOk = _score is null || score >= _thresholds.GossipThreshold;

        // IHAVE: ask for what we lack, within per-heartbeat budgets.
        if (gossipOk && control.IHave.Count > 0)
        {
            var wanted = new List<MessageId>();
            var wantedSet = new HashSet<MessageId>();
            foreach (var ihave in control.IHave)
            {
                if (++state.IHavesThisHeartbeat > _options.MaxIHaveMessages)
                {
                    break;
                }
                if (!_mesh.ContainsKey(ihave.Topic))
                {
                    continue;
                }
                foreach (var id in ihave.MessageIds)
                {
                    if (!_seen.Contains(id) && wantedSet.Add(id))
                    {
                        wanted.Add(id);
                    }
                }
            }
            var budget = _options.MaxIHaveLength - state.IdsAskedThisHeartbeat;
            if (wanted.Count > 0 && budget > 0)
            {
                Shuffle(wanted);
                if (wanted.Count > budget)
                {
                    wanted.RemoveRange(budget, wanted.Count - budget);
                }
                state.IdsAskedThisHeartbeat += wanted.Count;
                Control(peer).IWant.Add(new ControlIWant(wanted));
                // One promise per IWANT: if the peer never sends that message it broke it (P7).
                var promised = wanted[_random.Next(wanted.Count)];
                if (!_promises.TryGetValue(promised, out var byPeer))
                {
                    _promises[promised] = byPeer = [];
                }
                byPeer.TryAdd(peer, now + _options.IWantFollowupTime);
            }
        }

        // IWANT: answer from the message cache.
        if (gossipOk)
        {
            foreach (var iwant in control.IWant)
            {
                foreach (var id in iwant.MessageIds)
                {
                    if (_mcache.TryGetForPeer(id, peer, _options.GossipRetransmission, out var m))
                    {
                        Pending(peer).Messages.Add(m);
                    }
                }
            }
        }

        // GRAFT.
        foreach (var graft in control.Graft)
        {
            var topic = graft.Topic;
            if (!_mesh.TryGetValue(topic, out var mesh))
            {
                // Not subscribed: refuse without PX (we know nothing useful about the topic).
                Control(peer).Prune.Add(MakePrune(peer, topic, _options.PruneBackoff, doPx: false));
                continue;
            }
            if (mesh.Contains(peer))
            {
                continue;
            }
            if (_backoff.TryGetValue(topic, out var b) && b.TryGetValue(peer, out var until) && until > now)
            {
                // Grafting during our backoff is a protocol violation; very early retries are flooding.
                _score?.AddPenalty(peer, 1);
                if (until - _options.PruneBackoff + _options.GraftFloodThreshold > now)
                {
                    _score?.AddPenalty(peer, 1);
                }
                Control(peer).Prune.Add(MakePrune(peer, topic, _options.PruneBackoff, doPx: false));
                AddBackoff(topic, peer, _options.PruneBackoff);
                continue;
            }
            if (_score is not null && score < 0)
            {
                Control(peer).Prune.Add(MakePrune(peer, topic, _options.PruneBackoff, doPx: false));
                AddBackoff(topic, peer, _options.PruneBackoff);
                continue;
            }
            if (mesh.Count >= _options.DHigh && !state.Outbound)
            {
                Control(peer).Prune.Add(MakePrune(peer, topic, _options.PruneBackoff, doPx: true));
                AddBackoff(topic, peer, _options.PruneBackoff);
                continue;
            }
            mesh.Add(peer);
            _score?.Graft(peer, topic, now);
        }

        // PRUNE.
        foreach (var prune in control.Prune)
        {
            if (_mesh.TryGetValue(prune.Topic, out var mesh) && mesh.Remove(peer))
            {
                _score?.Prune(peer, prune.Topic, now);
            }
            var backoff = prune.BackoffSeconds is { } s and > 0
                ? TimeSpan.FromSeconds(Math.Min(s, 24 * 3600))
                : _options.PruneBackoff;
            AddBackoff(prune.Topic, peer, backoff);
            if (prune.Peers.Count > 0 && (_score is null || score >= _thresholds.AcceptPXThreshold))
            {
                foreach (var px in prune.Peers.Take(_options.PrunePeers))
                {
                    if (px.PeerId is null)
                    {
                        continue;
                    }
                    PeerId suggested;
                    try
                    {
                        suggested = PeerId.FromBytes(px.PeerId);
                    }
                    catch (Core.LinqException)
                    {
                        continue;
                    }
                    if (!_peers.ContainsKey(suggested) && !suggested.Equals(LocalPeer))
                    {
                        _outputs.Add(new PeerExchangeSuggested(suggested, px.SignedPeerRecord, prune.Topic));
                    }
                }
            }
        }
    }

    // ---------- heartbeat parts ----------

    private void MaintainMesh(string topic, HashSet<PeerId> mesh, Func<PeerId, double> scoreOf)
    {
        // Negative-score peers leave the mesh (no PX for them).
        if (_score is not null)
        {
            foreach (var p in mesh.Where(p => scoreOf(p) < 0).ToArray())
            {
                RemoveFromMesh(topic, mesh, p, doPx: false);
            }
        }

        if (mesh.Count < _options.DLow)
        {
            foreach (var p in SelectPeers(topic, _options.D - mesh.Count, p => !mesh.Contains(p) && !IsBackedOff(topic, p) && scoreOf(p) >= 0))
            {
                AddToMesh(topic, mesh, p);
            }
        }

        if (mesh.Count > _options.DHigh)
        {
            // Keep the best DScore by score, fill to D at random, then make sure DOut of them are outbound.
            var ranked = mesh.ToList();
            Shuffle(ranked);
            ranked.Sort((a, b) => scoreOf(b).CompareTo(scoreOf(a)));
            var keep = ranked.Take(_options.DScore).ToList();
            var rest = ranked.Skip(_options.DScore).ToList();
            Shuffle(rest);
            keep.AddRange(rest.Take(_options.D - keep.Count));
            var outbound = keep.Count(p => _peers[p].Outbound);
            if (outbound < _options.DOut)
            {
                var spareOutbound = ranked.Where(p => !keep.Contains(p) && _peers[p].Outbound).Take(_options.DOut - outbound).ToList();
                foreach (var o in spareOutbound)
                {
                    // Replace the lowest-ranked inbound peer beyond the score-protected ones.
                    var victim = keep.Skip(_options.DScore).LastOrDefault(p => !_peers[p].Outbound)
                                 ?? keep.LastOrDefault(p => !_peers[p].Outbound);
                    if (victim is null)
                    {
                        break;
                    }
                    keep.Remove(victim);
                    keep.Add(o);
                }
            }
            foreach (var p in mesh.Except(keep).ToArray())
            {
                RemoveFromMesh(topic, mesh, p, doPx: true);
            }
        }

        if (mesh.Count >= _options.DLow)
        {
            var outbound = mesh.Count(p => _peers[p].Outbound);
            if (outbound < _options.DOut)
            {
                foreach (var p in SelectPeers(topic, _options.DOut - outbound, p => !mesh.Contains(p) && _peers[p].Outbound && !IsBackedOff(topic, p) && scoreOf(p) >= 0))
                {
                    AddToMesh(topic, mesh, p);
                }
            }
        }

        if (_score is not null && _heartbeatTicks % _options.OpportunisticGraftTicks == 0 && mesh.Count > 1)
        {
            var sorted = mesh.Select(scoreOf).OrderBy(s => s).ToList();
            var median = sorted[sorted.Count / 2];
            if (median < _thresholds.OpportunisticGraftThreshold)
            {
                foreach (var p in SelectPeers(topic, _options.OpportunisticGraftPeers, p => !mesh.Contains(p) && !IsBackedOff(topic, p) && scoreOf(p) > median))
                {
                    AddToMesh(topic, mesh, p);
                }
            }
        }
    }

    private void AddToMesh(string topic, HashSet<PeerId> mesh, PeerId p)
    {
        mesh.Add(p);
        _score?.Graft(p, topic, Now);
        Control(p).Graft.Add(new ControlGraft(topic));
    }

    private void RemoveFromMesh(string topic, HashSet<PeerId> mesh, PeerId p, bool doPx)
    {
        mesh.Remove(p);
        _score?.Prune(p, topic, Now);
        Control(p).Prune.Add(MakePrune(p, topic, _options.PruneBackoff, doPx));
        AddBackoff(topic, p, _options.PruneBackoff);
    }

    private void EmitGossip(string topic, HashSet<PeerId> exclude, Func<PeerId, double> scoreOf)
    {
        var ids = _mcache.GossipIds(topic);
        if (ids.Count == 0 || !_topicPeers.TryGetValue(topic, out var subscribers))
        {
            return;
        }
        var candidates = subscribers.Where(p => !exclude.Contains(p) && (_score is null || scoreOf(p) >= _thresholds.GossipThreshold)).ToList();
        if (candidates.Count == 0)
        {
            return;
        }
        var target = Math.Max(_options.DLazy, (int)(_options.GossipFactor * candidates.Count));
        Shuffle(candidates);
        foreach (var p in candidates.Take(target))
        {
            var peerIds = ids;
            if (ids.Count > _options.MaxIHaveLength)
            {
                peerIds = [.. ids];
                Shuffle(peerIds);
                peerIds = peerIds.Take(_options.MaxIHaveLength).ToList();
            }
            Control(p).IHave.Add(new ControlIHave(topic, peerIds));
        }
    }

    private void ApplyBrokenPromises(DateTimeOffset now)
    {
        if (_promises.Count == 0)
        {
            return;
        }
        foreach (var (id, byPeer) in _promises.ToArray())
        {
            foreach (var (peer, deadline) in byPeer.ToArray())
            {
                if (deadline < now)
                {
                    _score?.AddPenalty(peer, 1);
                    byPeer.Remove(peer);
                }
            }
            if (byPeer.Count == 0)
            {
                _promises.Remove(id);
            }
        }
    }

    private void ReportScoreChanges(Func<PeerId, double> scoreOf)
    {
        if (_score is null)
        {
            return;
        }
        foreach (var p in _peers.Keys)
        {
            var now = scoreOf(p);
            var old = _lastReportedScore.GetValueOrDefault(p);
            if (Math.Abs(now - old) >= 1 || Band(now) != Band(old))
            {
                _lastReportedScore[p] = now;
                _outputs.Add(new PeerScoreChanged(p, old, now));
            }
        }
    }

    private int Band(double s) =>
        s < _thresholds.GraylistThreshold ? 0
        : s < _thresholds.PublishThreshold ? 1
        : s < _thresholds.GossipThreshold ? 2
        : s < 0 ? 3 : 4;

    // ---------- helpers ----------

    private ControlPrune MakePrune(PeerId to, string topic, TimeSpan backoff, bool doPx)
    {
        if (!_peers.TryGetValue(to, out var state) || state.Protocol == GossipsubProtocol.MeshsubV10)
        {
            // v1.0 peers know neither PX nor backoff.
            return new ControlPrune(topic, [], null);
        }
        var px = new List<PeerExchangeInfo>();
        if (doPx && _options.DoPeerExchange)
        {
            foreach (var p in SelectPeers(topic, _options.PrunePeers, p => !p.Equals(to) && Score(p) >= 0))
            {
                // No signed peer records yet: the receiver learns the id and must find addresses itself.
                px.Add(new PeerExchangeInfo(p.ToBytes(), null));
            }
        }
        return new ControlPrune(topic, px, (ulong)Math.Ceiling(backoff.TotalSeconds));
    }

    private void AddBackoff(string topic, PeerId peer, TimeSpan duration)
    {
        if (!_backoff.TryGetValue(topic, out var b))
        {
            _backoff[topic] = b = [];
        }
        var until = Now + duration;
        if (!b.TryGetValue(peer, out var existing) || existing < until)
        {
            b[peer] = until;
        }
    }

    private List<PeerId> SelectPeers(string topic, int count, Func<PeerId, bool> filter)
    {
        if (count <= 0 || !_topicPeers.TryGetValue(topic, out var subscribers))
        {
            return [];
        }
        var list = subscribers.Where(filter).ToList();
        Shuffle(list);
        if (list.Count > count)
        {
            list.RemoveRange(count, list.Count - count);
        }
        return list;
    }

    private void Shuffle<T>(List<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private Rpc Pending(PeerId peer)
    {
        if (!_pending.TryGetValue(peer, out var rpc))
        {
            _pending[peer] = rpc = new Rpc();
        }
        return rpc;
    }

    private ControlMessage Control(PeerId peer) => Pending(peer).Control ??= new ControlMessage();

    private void Flush()
    {
        foreach (var (peer, rpc) in _pending)
        {
            if (!rpc.IsEmpty && _peers.ContainsKey(peer))
            {
                _outputs.Add(new SendRpc(peer, rpc));
            }
        }
        _pending.Clear();
    }

    private sealed class PeerState(GossipsubProtocol protocol, bool outbound)
    {
        public GossipsubProtocol Protocol { get; } = protocol;

        public bool Outbound { get; } = outbound;

        public HashSet<string> Topics { get; } = new(StringComparer.Ordinal);

        public int IHavesThisHeartbeat { get; set; }

        public int IdsAskedThisHeartbeat { get; set; }
    }
}
