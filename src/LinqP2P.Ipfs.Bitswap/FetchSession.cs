using System.Diagnostics;
using System.Threading.Channels;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Bitswap;

/// <summary>
/// Fetches one block or a whole DAG (SPEC.md §6.8). Discovery: a want-have (send-dont-have) goes to every
/// provider; peers answering HAVE, or sending the block, join the session. Blocks are then asked with
/// want-block from the session peer with the fewest wants in flight, within per-session and per-peer
/// bounds. DONT_HAVE, a timeout or a lost peer moves the want to another peer; a block no provider has
/// fails the fetch. All state lives on the session's own loop, fed by <see cref="Post"/>.
/// </summary>
internal sealed class FetchSession
{
    private readonly BitswapService _service;
    private readonly List<PeerId> _providers;
    private readonly bool _followLinks;
    private readonly IProgress<FetchProgress>? _progress;
    private readonly BitswapOptions _options;
    private readonly Channel<SessionEvent> _events = Channel.CreateUnbounded<SessionEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<Cid> _toCheck = new();
    private readonly HashSet<Multihash> _seen = [];
    private readonly Dictionary<Multihash, Want> _wants = [];
    private readonly LinkedList<Want> _unassigned = new();
    private readonly List<PeerId> _sessionPeers = [];
    private readonly HashSet<PeerId> _failedPeers = [];
    private readonly Dictionary<PeerId, int> _inFlight = [];
    private readonly Dictionary<PeerId, int> _blocksByPeer = [];
    private readonly Dictionary<PeerId, List<WantEntry>> _outbox = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _totalInFlight;
    private int _blocksDone;
    private long _bytesDone;
    private int _blocksFetched;
    private long _bytesFetched;
    private long _lastProgressTicks = long.MinValue;

    public FetchSession(BitswapService service, List<PeerId> providers, bool followLinks, IProgress<FetchProgress>? progress)
    {
        _service = service;
        _providers = providers;
        _followLinks = followLinks;
        _progress = progress;
        _options = service.Options;
    }

    public void Post(SessionEvent e) => _events.Writer.TryWrite(e);

    public async Task<FetchResult> RunAsync(Cid root, CancellationToken cancellationToken)
    {
        _toCheck.Enqueue(root);
        try
        {
            while (true)
            {
                await CheckLocalAsync(cancellationToken);
                if (_wants.Count == 0)
                {
                    break;
                }
                Assign();
                await FlushOutboxAsync(cancellationToken);
                await WaitForEventsAsync(cancellationToken);
                while (_events.Reader.TryRead(out var e))
                {
                    Handle(e);
                }
                CheckDeadlines();
                await FlushOutboxAsync(cancellationToken);
                Report(false);
            }
            Report(true);
            return new FetchResult(root, _blocksDone, _bytesDone, _blocksFetched, _bytesFetched, _clock.Elapsed, _blocksByPeer);
        }
        finally
        {
            await CancelAllAsync();
        }
    }

    private sealed class Want(Cid cid)
    {
        public Cid Cid { get; } = cid;

        public PeerId? AssignedTo { get; set; }

        public long SentAt { get; set; }

        public int Attempts { get; set; }

        /// <summary>Peers that said DONT_HAVE, or did not answer a want-have in time.</summary>
        public HashSet<PeerId> Lacking { get; } = [];

        public HashSet<PeerId> TimedOut { get; } = [];

        /// <summary>Peers asked with want-have, and when.</summary>
        public Dictionary<PeerId, long> HaveAsked { get; } = [];

        /// <summary>Every peer we sent anything about this block, for the cancels.</summary>
        public HashSet<PeerId> Contacted { get; } = [];

        public LinkedListNode<Want>? Node { get; set; }
    }

    private long Now => _clock.ElapsedTicks * TimeSpan.TicksPerSecond / Stopwatch.Frequency;

    private async Task CheckLocalAsync(CancellationToken cancellationToken)
    {
        while (_toCheck.TryDequeue(out var cid))
        {
            if (!_seen.Add(cid.Hash))
            {
                continue;
            }
            byte[]? data = cid.Hash.Code == Multicodec.Identity
                ? cid.Hash.Digest.ToArray()
                : await _service.Store.TryGetAsync(cid, cancellationToken);
            if (data is not null)
            {
                Completed(cid, data, fromPeer: null);
                continue;
            }
            var want = new Want(cid);
            _wants[cid.Hash] = want;
            want.Node = _unassigned.AddLast(want);
            _service.AddWanted(cid.Hash);
        }
    }

    private void Completed(Cid cid, ReadOnlySpan<byte> data, PeerId? fromPeer)
    {
        _blocksDone++;
        _bytesDone += data.Length;
        if (fromPeer is not null)
        {
            _blocksFetched++;
            _bytesFetched += data.Length;
            _blocksByPeer[fromPeer] = _blocksByPeer.GetValueOrDefault(fromPeer) + 1;
        }
        if (!_followLinks)
        {
            return;
        }
        IEnumerable<Cid> links;
        try
        {
            links = DagLinks.Of(cid, data);
        }
        catch (IpfsFormatException e)
        {
            throw new BitswapFetchException("malformed_dag", $"block {cid} hashes correctly but is not valid dag-pb, so the DAG under it cannot be followed: the content itself is broken", cid.ToString(), e);
        }
        foreach (var link in links)
        {
            if (!_seen.Contains(link.Hash))
            {
                _toCheck.Enqueue(link);
            }
        }
    }

    private bool Usable(PeerId peer) => !_failedPeers.Contains(peer) && !_service.IsBanned(peer);

    /// <summary>Hands unassigned wants to peers, and starts discovery for blocks no session peer can serve.</summary>
    private void Assign()
    {
        var node = _unassigned.First;
        while (node is not null && _totalInFlight < _options.MaxInFlightWantsPerSession)
        {
            var next = node.Next;
            var want = node.Value;
            var candidates = _sessionPeers.Where(p => Usable(p) && !want.Lacking.Contains(p)).ToList();
            var fresh = candidates.Where(p => !want.TimedOut.Contains(p)).ToList();
            var pool = fresh.Count > 0 ? fresh : candidates;
            if (pool.Count > 0)
            {
                var peer = pool.MinBy(p => _inFlight.GetValueOrDefault(p))!;
                if (_inFlight.GetValueOrDefault(peer) >= _options.MaxInFlightWantsPerPeer)
                {
                    // Every peer that could serve it is busy: wait for answers before asking more.
                    break;
                }
                if (want.Attempts >= _options.MaxAttemptsPerBlock)
                {
                    throw new BitswapFetchException("attempts", $"block {want.Cid} was asked {want.Attempts} times without an answer: the providers are too slow or unreachable; retry later or with other providers", want.Cid.ToString());
                }
                _unassigned.Remove(node);
                want.Node = null;
                want.AssignedTo = peer;
                want.SentAt = Now;
                want.Attempts++;
                want.Contacted.Add(peer);
                _inFlight[peer] = _inFlight.GetValueOrDefault(peer) + 1;
                _totalInFlight++;
                Queue(peer, new WantEntry(want.Cid, Priority: 1, WantType: WantType.Block, SendDontHave: true));
                node = next;
                continue;
            }
            var ask = _providers.Where(p => Usable(p) && !want.Lacking.Contains(p) && !want.HaveAsked.ContainsKey(p) && !_sessionPeers.Contains(p)).ToList();
            foreach (var p in ask)
            {
                want.HaveAsked[p] = Now;
                want.Contacted.Add(p);
                Queue(p, new WantEntry(want.Cid, Priority: 1, WantType: WantType.Have, SendDontHave: true));
            }
            var waiting = want.HaveAsked.Any(kv => Usable(kv.Key) && !want.Lacking.Contains(kv.Key));
            if (!waiting)
            {
                throw new BitswapFetchException(
                    "not_found",
                    _providers.Count == 0
                        ? $"block {want.Cid} is not in the local store and no provider was given: find providers (DHT) first"
                        : $"none of the {_providers.Count} providers has block {want.Cid} (each said DONT_HAVE, timed out, failed or was banned): find other providers",
                    want.Cid.ToString());
            }
            node = next;
        }
    }

    private void Queue(PeerId peer, WantEntry entry)
    {
        if (!_outbox.TryGetValue(peer, out var list))
        {
            _outbox[peer] = list = [];
        }
        list.Add(entry);
    }

    private async Task FlushOutboxAsync(CancellationToken cancellationToken)
    {
        foreach (var (peer, entries) in _outbox)
        {
            if (entries.Count > 0)
            {
                await _service.SendAsync(peer, new BitswapMessage { Wants = [.. entries] }, cancellationToken);
                entries.Clear();
            }
        }
    }

    private async Task WaitForEventsAsync(CancellationToken cancellationToken)
    {
        var deadline = NextDeadline();
        if (deadline is null)
        {
            await _events.Reader.WaitToReadAsync(cancellationToken);
            return;
        }
        var delay = TimeSpan.FromTicks(Math.Max(0, deadline.Value - Now)) + TimeSpan.FromMilliseconds(1);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(delay);
        try
        {
            await _events.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    private long? NextDeadline()
    {
        long? next = null;
        foreach (var want in _wants.Values)
        {
            if (want.AssignedTo is not null)
            {
                next = Min(next, want.SentAt + _options.WantTimeout.Ticks);
            }
            foreach (var asked in want.HaveAsked.Values)
            {
                next = Min(next, asked + _options.DiscoveryTimeout.Ticks);
            }
        }
        return next;

        static long Min(long? a, long b) => a is null ? b : Math.Min(a.Value, b);
    }

    private void Handle(SessionEvent e)
    {
        switch (e)
        {
            case SessionEvent.BlockArrived(var peer, var block):
                if (_wants.Remove(block.Cid.Hash, out var want))
                {
                    Unassign(want, requeue: false);
                    _service.RemoveWanted(want.Cid.Hash);
                    want.Contacted.Remove(peer);
                    foreach (var p in want.Contacted)
                    {
                        Queue(p, new WantEntry(want.Cid, Cancel: true));
                    }
                    JoinSession(peer);
                    Completed(want.Cid, block.Data.Span, peer);
                }
                break;
            case SessionEvent.Presence(var peer, var hash, var have):
                if (have)
                {
                    JoinSession(peer);
                }
                if (_wants.TryGetValue(hash, out var w))
                {
                    w.HaveAsked.Remove(peer);
                    if (!have)
                    {
                        w.Lacking.Add(peer);
                        if (w.AssignedTo == peer)
                        {
                            Unassign(w, requeue: true);
                        }
                    }
                }
                break;
            case SessionEvent.PeerFailed(var peer):
                _failedPeers.Add(peer);
                _sessionPeers.Remove(peer);
                foreach (var x in _wants.Values.Where(x => x.AssignedTo == peer).ToList())
                {
                    Unassign(x, requeue: true);
                }
                break;
            case SessionEvent.Stopped:
                throw new OperationCanceledException("the Bitswap service stopped");
        }
    }

    private void JoinSession(PeerId peer)
    {
        if (!_sessionPeers.Contains(peer) && Usable(peer))
        {
            _sessionPeers.Add(peer);
        }
    }

    private void Unassign(Want want, bool requeue)
    {
        if (want.AssignedTo is { } peer)
        {
            _inFlight[peer] = _inFlight.GetValueOrDefault(peer) - 1;
            _totalInFlight--;
            want.AssignedTo = null;
        }
        if (requeue && want.Node is null)
        {
            want.Node = _unassigned.AddFirst(want);
        }
        if (!requeue && want.Node is not null)
        {
            _unassigned.Remove(want.Node);
            want.Node = null;
        }
    }

    private void CheckDeadlines()
    {
        var now = Now;
        foreach (var want in _wants.Values)
        {
            if (want.AssignedTo is { } peer && now - want.SentAt >= _options.WantTimeout.Ticks)
            {
                Log.WantTimedOut(_service.Logger, want.Cid.ToString(), peer);
                want.TimedOut.Add(peer);
                Queue(peer, new WantEntry(want.Cid, Cancel: true));
                Unassign(want, requeue: true);
            }
            foreach (var (p, at) in want.HaveAsked.ToList())
            {
                if (now - at >= _options.DiscoveryTimeout.Ticks)
                {
                    want.HaveAsked.Remove(p);
                    want.Lacking.Add(p);
                }
            }
        }
    }

    private void Report(bool final)
    {
        if (_progress is null)
        {
            return;
        }
        var now = Now;
        if (!final && now - _lastProgressTicks < TimeSpan.TicksPerSecond / _options.ProgressReportsPerSecond)
        {
            return;
        }
        _lastProgressTicks = now;
        _progress.Report(new FetchProgress(_blocksDone, _bytesDone, _blocksFetched, _bytesFetched, _wants.Count + _toCheck.Count, _sessionPeers.Count));
    }

    private async Task CancelAllAsync()
    {
        _outbox.Clear();
        foreach (var want in _wants.Values)
        {
            _service.RemoveWanted(want.Cid.Hash);
            foreach (var p in want.Contacted)
            {
                Queue(p, new WantEntry(want.Cid, Cancel: true));
            }
        }
        _wants.Clear();
        try
        {
            using var timeout = new CancellationTokenSource(_options.SendTimeout);
            await FlushOutboxAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
        }
    }
}
