using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LinqP2P.Contracts;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Rpc;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.DagPb;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Ipfs.UnixFs;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Market.Messages;
using LinqP2P.Market.Protocol;
using LinqP2P.Market.Specs;
using LinqP2P.Multiformats;
using LinqP2P.Node.Market;

namespace LinqP2P.Node.Jobs;

/// <summary>
/// The requester's state machine (SPEC.md §7.4): offer → bids → choose → one escrow lock per award round →
/// awards → completions on chain → fetch and compare results → accept (or dispute) → joined output.
/// All state lives in the <see cref="MarketStore"/>; one loop steps every open job, so a restarted node
/// simply carries on from the file and the chain.
/// </summary>
public sealed class RequesterEngine : IRequesterJobs, IAsyncDisposable
{
    private readonly MarketContext _ctx;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Channel<JobEvent>> _listeners = [];
    private readonly Lock _listenersLock = new();
    private Task? _loop;

    public RequesterEngine(MarketContext context)
    {
        _ctx = context;
        _ctx.Gossip.OnMessage(HandleAsync);
    }

    /// <summary>The newest error a step hit (it is retried on the next tick), for diagnostics.</summary>
    public string? LastError { get; private set; }

    public void Start() => _loop = Task.Run(LoopAsync, CancellationToken.None);

    public async Task<JobId> SubmitAsync(JobSpec spec, SubmitOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        var specCid = (await new UnixFsImporter(_ctx.Blocks).ImportBytesAsync(SpecDocument.Encode(spec), cancellationToken)).Cid;
        var id = JobId.New();
        var now = _ctx.Time.GetUtcNow();
        var bidsClose = now + options.BidWindow;
        var deadline = options.Deadline ?? spec.Duration + TimeSpan.FromMinutes(5);
        var offer = new JobOffer(id.ToArray(), specCid.ToString(), spec.Image.Value, (uint)spec.Shards.Count, (uint)spec.Redundancy,
            Amounts.ToBytes(spec.PricePerShard.BaseUnits),
            new ResourceSummary((uint)Math.Ceiling(spec.Resources.CpuCores * 1000), (ulong)spec.Resources.MemoryBytes, (ulong)Math.Max(0, spec.Resources.DiskBytes),
                (uint)(spec.Resources.Gpu?.Count ?? 0), spec.Resources.Gpu?.Model),
            bidsClose.ToUnixTimeSeconds(), (bidsClose + deadline).ToUnixTimeSeconds(), _ctx.LocalPeer.ToString());
        var doc = new RequesterJobDoc
        {
            Id = id.ToString(),
            Name = spec.Name,
            SpecCid = specCid.ToString(),
            Image = spec.Image.Value,
            ShardCount = spec.Shards.Count,
            Redundancy = spec.Redundancy,
            MaxPrice = spec.PricePerShard.BaseUnits.ToString(CultureInfo.InvariantCulture),
            State = nameof(JobState.Bidding),
            SubmittedAt = now.UtcDateTime,
            BidsCloseAt = bidsClose.UtcDateTime,
            DeadlineSeconds = (long)deadline.TotalSeconds,
            DisputeWindowSeconds = (long)options.DisputeWindow.TotalSeconds,
            AutoAccept = options.AutoAccept,
            MaxReawards = options.MaxReawards,
        };
        _ctx.Store.Atomically(() => _ctx.Store.Jobs.Insert(doc));
        var envelope = await _ctx.Gossip.PublishAsync(MarketMessageKind.JobOffer, offer, cancellationToken);
        Update(id, j => j.OfferDigest = Convert.ToHexStringLower(MarketSigning.DigestOf(envelope)));
        Emit(id, JobEventKind.Submitted, $"offered {spec.Shards.Count} shard(s) × {spec.Redundancy} at ≤ {spec.PricePerShard} each; bids close at {bidsClose:u}");
        return id;
    }

    public IReadOnlyList<JobStatus> List() =>
        _ctx.Store.Jobs.FindAll().OrderByDescending(j => j.SubmittedAt).Select(ToStatus).ToList();

    public JobStatus? Get(JobId id) => _ctx.Store.Jobs.FindById(id.ToString()) is { } doc ? ToStatus(doc) : null;

    public async Task CancelAsync(JobId id, CancellationToken cancellationToken)
    {
        var doc = _ctx.Store.Jobs.FindById(id.ToString()) ?? throw new JobNotFoundException(id);
        if (doc.State != nameof(JobState.Bidding))
        {
            throw new JobStateException($"job {id} is {doc.State}; only a job still bidding can be cancelled (a locked job is refunded after its deadline)");
        }
        Update(id, j => j.State = nameof(JobState.Cancelled));
        await _ctx.Gossip.PublishAsync(MarketMessageKind.JobCancelled, new JobCancelled(id.ToArray(), "cancelled by the requester"), cancellationToken);
        Emit(id, JobEventKind.Cancelled, "cancelled before any award");
    }

    public Task<string> GetResultAsync(JobId id, CancellationToken cancellationToken)
    {
        var doc = _ctx.Store.Jobs.FindById(id.ToString()) ?? throw new JobNotFoundException(id);
        return doc.ResultCid is { } cid
            ? Task.FromResult(cid)
            : throw new JobStateException($"job {id} is {doc.State} and has no joined result yet; watch it with `linq jobs watch {id}`");
    }

    public async Task<ShardLogs?> GetLogsAsync(JobId id, int shardIndex, CancellationToken cancellationToken)
    {
        var doc = _ctx.Store.Jobs.FindById(id.ToString()) ?? throw new JobNotFoundException(id);
        var run = doc.Runs.FirstOrDefault(r => r.Shard == shardIndex && r.ResultCid is not null && r.Phase is RunPhase.Verified or RunPhase.Accepted or RunPhase.Released)
            ?? doc.Runs.FirstOrDefault(r => r.Shard == shardIndex && r.ResultCid is not null);
        if (run?.ResultCid is null || !await _ctx.Blocks.HasAsync(Cid.Parse(run.ResultCid), cancellationToken))
        {
            return null;
        }
        var logs = await FindAsync(Cid.Parse(run.ResultCid), "_logs", cancellationToken);
        if (logs is null)
        {
            return new ShardLogs("", "");
        }
        async Task<string> Read(string name) => await FindAsync(logs, name, cancellationToken) is { } f
            ? System.Text.Encoding.UTF8.GetString(await _ctx.ReadFileAsync(f, 16 << 20, cancellationToken))
            : "";
        return new ShardLogs(await Read("stdout.txt"), await Read("stderr.txt"));
    }

    private async Task<Cid?> FindAsync(Cid directory, string name, CancellationToken cancellationToken)
    {
        await foreach (var entry in _ctx.Exporter.ListAsync(directory, cancellationToken))
        {
            if (entry.Name == name)
            {
                return entry.Cid;
            }
        }
        return null;
    }

    public async IAsyncEnumerable<JobEvent> Events(JobId? filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<JobEvent>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_listenersLock)
        {
            _listeners.Add(channel);
        }
        try
        {
            var past = filter is { } f
                ? _ctx.Store.Events.Find(e => e.JobId == f.ToString())
                : _ctx.Store.Events.FindAll();
            var lastId = 0;
            foreach (var e in past.OrderBy(e => e.Id).ToList())
            {
                lastId = e.Id;
                yield return ToEvent(e);
            }
            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken))
            {
                if (filter is null || e.JobId.Equals(filter.Value))
                {
                    yield return e;
                }
            }
            _ = lastId;
        }
        finally
        {
            lock (_listenersLock)
            {
                _listeners.Remove(channel);
            }
        }
    }

    private static JobEvent ToEvent(EventDoc e) =>
        new(JobId.Parse(e.JobId), Enum.Parse<JobEventKind>(e.Kind), new DateTimeOffset(DateTime.SpecifyKind(e.At, DateTimeKind.Utc)), e.Message, e.Shard, e.Tx);

    private void Emit(JobId id, JobEventKind kind, string message, int? shard = null, string? tx = null)
    {
        var e = new JobEvent(id, kind, _ctx.Time.GetUtcNow(), message, shard, tx);
        _ctx.Store.Atomically(() => _ctx.Store.Events.Insert(new EventDoc
        {
            JobId = id.ToString(),
            Kind = kind.ToString(),
            At = e.At.UtcDateTime,
            Message = message,
            Shard = shard,
            Tx = tx,
        }));
        lock (_listenersLock)
        {
            foreach (var l in _listeners)
            {
                l.Writer.TryWrite(e);
            }
        }
    }

    private RequesterJobDoc Update(JobId id, Action<RequesterJobDoc> change) => _ctx.Store.Atomically(() =>
    {
        var doc = _ctx.Store.Jobs.FindById(id.ToString()) ?? throw new JobNotFoundException(id);
        change(doc);
        _ctx.Store.Jobs.Update(doc);
        return doc;
    });

    // ---- gossip ----

    private async Task HandleAsync(MarketDelivery delivery, CancellationToken cancellationToken)
    {
        switch (delivery.Body)
        {
            case Bid bid:
                await OnBidAsync(delivery, bid, cancellationToken);
                break;
            case ShardCompleted done:
                var id = new JobId(done.JobId);
                if (_ctx.Store.Jobs.FindById(id.ToString()) is not null)
                {
                    Update(id, j => j.Announced[$"{delivery.Sender.ToLowerString()}_{done.ShardIndex}"] = done.ResultCid);
                }
                break;
        }
    }

    private async Task OnBidAsync(MarketDelivery delivery, Bid bid, CancellationToken cancellationToken)
    {
        var id = new JobId(bid.JobId);
        var doc = _ctx.Store.Jobs.FindById(id.ToString());
        if (doc is null || doc.State != nameof(JobState.Bidding) && doc.State != nameof(JobState.Running) && doc.State != nameof(JobState.Awarding))
        {
            return;
        }
        if (!string.Equals(Convert.ToHexStringLower(bid.OfferDigest), doc.OfferDigest, StringComparison.Ordinal))
        {
            return; // a bid on another version of the offer
        }
        var provider = await _ctx.Directory.GetAsync(delivery.Sender, cancellationToken);
        if (provider is not { Active: true } || provider.Id != bid.ProviderId)
        {
            return;
        }
        var price = Amounts.FromBytes(bid.PricePerShard);
        var added = false;
        Update(id, j =>
        {
            var sender = delivery.Sender.ToLowerString();
            if (j.Bids.Any(b => b.Provider == sender))
            {
                return;
            }
            j.Bids.Add(new BidDoc
            {
                Provider = sender,
                ProviderId = bid.ProviderId,
                PeerId = bid.ProviderPeerId,
                Price = price.ToString(CultureInfo.InvariantCulture),
                MaxShards = (int)bid.MaxShards,
                SuccessRateBps = provider.SuccessRateBps,
                Order = j.Bids.Count,
                Digest = Convert.ToHexStringLower(MarketSigning.DigestOf(delivery.Envelope)),
            });
            added = true;
        });
        if (added)
        {
            Emit(id, JobEventKind.BidReceived, $"bid from provider {bid.ProviderId} ({delivery.Sender}) at {new TokenAmount(price)} per shard for up to {bid.MaxShards} shard(s)");
        }
    }

    // ---- the state machine ----

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var job in _ctx.Store.Jobs.Find(j => j.State != nameof(JobState.Completed) && j.State != nameof(JobState.Failed)
                && j.State != nameof(JobState.Cancelled) && j.State != nameof(JobState.Disputed)).ToList())
            {
                try
                {
                    await StepAsync(JobId.Parse(job.Id), _stop.Token);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is LinqP2P.Core.LinqException or IOException or TimeoutException or OperationCanceledException)
                {
                    // Retried on the next tick: the chain or a peer may be back by then.
                    LastError = $"{job.Id}: {e.Message}";
                }
            }
            try
            {
                await Task.Delay(_ctx.Tick, _ctx.Time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task StepAsync(JobId id, CancellationToken ct)
    {
        var job = _ctx.Store.Jobs.FindById(id.ToString());
        switch (job.State)
        {
            case nameof(JobState.Bidding):
                if (_ctx.Time.GetUtcNow().UtcDateTime >= job.BidsCloseAt)
                {
                    Choose(id, job);
                }
                break;
            case nameof(JobState.Awarding):
                await LockAndAwardAsync(id, ct);
                break;
            case nameof(JobState.Running):
            case nameof(JobState.Verifying):
                await WatchAsync(id, ct);
                break;
        }
    }

    private static IEnumerable<CandidateBid> Candidates(RequesterJobDoc job) => job.Bids.Select(b =>
        new CandidateBid(b.Provider, b.ProviderId, b.PeerId, BigInteger.Parse(b.Price, CultureInfo.InvariantCulture), b.MaxShards, b.SuccessRateBps, b.Order));

    private void Choose(JobId id, RequesterJobDoc job)
    {
        var slots = Enumerable.Range(0, job.ShardCount).SelectMany(s => Enumerable.Range(0, job.Redundancy).Select(c => new ShardSlot(s, c))).ToList();
        var chosen = BidSelection.Choose(slots, Candidates(job), BigInteger.Parse(job.MaxPrice, CultureInfo.InvariantCulture));
        if (chosen.Count < slots.Count)
        {
            var why = job.Bids.Count == 0 ? "no provider bid" : $"the {job.Bids.Count} bid(s) cover only {chosen.Count} of {slots.Count} shard runs";
            Update(id, j => { j.State = nameof(JobState.Failed); j.Error = why + "; nothing was locked. Raise the price or the bid window and submit again."; });
            Emit(id, JobEventKind.Failed, why);
            return;
        }
        Update(id, j =>
        {
            foreach (var a in chosen)
            {
                j.Runs.Add(NewRun(a, j));
            }
            j.State = nameof(JobState.Awarding);
        });
        foreach (var g in chosen.GroupBy(a => a.Bid.ProviderId))
        {
            Emit(id, JobEventKind.Awarded, $"provider {g.Key} chosen for shard(s) {string.Join(",", g.Select(a => a.Slot.Shard))} at {new TokenAmount(g.First().Bid.Price)} each");
        }
    }

    private static RunDoc NewRun(SlotAssignment a, RequesterJobDoc job) => new()
    {
        Shard = a.Slot.Shard,
        Copy = a.Slot.Copy,
        Phase = RunPhase.Awarded,
        Provider = a.Bid.Provider,
        ProviderId = a.Bid.ProviderId,
        PeerId = a.Bid.PeerId,
        Price = a.Bid.Price.ToString(CultureInfo.InvariantCulture),
        BidDigest = job.Bids.First(b => b.Provider == a.Bid.Provider).Digest,
    };

    private async Task LockAndAwardAsync(JobId id, CancellationToken ct)
    {
        var job = _ctx.Store.Jobs.FindById(id.ToString());
        var toLock = job.Runs.Where(r => r.Phase == RunPhase.Awarded && r.EscrowJobId is null).ToList();
        if (toLock.Count > 0)
        {
            var c = _ctx.Contracts;
            var now = await _ctx.ChainNowAsync(ct);
            var deadline = now + job.DeadlineSeconds;
            var prices = toLock.Select(r => BigInteger.Parse(r.Price, CultureInfo.InvariantCulture)).ToList();
            var total = prices.Aggregate(BigInteger.Zero, (a, b) => a + b);
            var permit = await c.Token.SignPermitAsync(_ctx.Wallet, c.Escrow.Address, total, now + 3600, ct);
            var receipt = await c.Escrow.LockWithPermitAsync(Hash32.FromBytes(id.Span), deadline, job.DisputeWindowSeconds,
                toLock.Select(r => new BigInteger(r.ProviderId)).ToList(), prices, permit.Deadline, permit.V, permit.R, permit.S, ct);
            var escrowJob = c.Escrow.JobLockedEvents(receipt).Single().JobId.ToString(CultureInfo.InvariantCulture);
            Update(id, j =>
            {
                var k = 0;
                foreach (var r in j.Runs.Where(r => r.Phase == RunPhase.Awarded && r.EscrowJobId is null))
                {
                    r.EscrowJobId = escrowJob;
                    r.EscrowShard = k++;
                    r.Phase = RunPhase.Locked;
                }
                j.ChainDeadline = deadline;
                j.Transactions.Add(receipt.TransactionHash);
            });
            Emit(id, JobEventKind.Locked, $"locked {new TokenAmount(total)} in escrow job {escrowJob} for {toLock.Count} shard run(s); deadline {DateTimeOffset.FromUnixTimeSeconds(deadline):u}", tx: receipt.TransactionHash);
        }
        job = _ctx.Store.Jobs.FindById(id.ToString());
        foreach (var group in job.Runs.Where(r => r.Phase == RunPhase.Locked && !r.AwardSent).GroupBy(r => (r.Provider, r.EscrowJobId)))
        {
            var runs = group.ToList();
            var award = new Award(id.ToArray(), Address.Parse(group.Key.Provider).ToArray(), runs[0].PeerId,
                runs.Select(r => (uint)r.Shard).ToArray(), Amounts.ToBytes(BigInteger.Parse(runs[0].Price, CultureInfo.InvariantCulture)),
                Convert.FromHexString(runs[0].BidDigest), Amounts.ToBytes(BigInteger.Parse(group.Key.EscrowJobId!, CultureInfo.InvariantCulture)),
                runs.Select(r => (uint)r.EscrowShard).ToArray());
            await _ctx.Gossip.PublishAsync(MarketMessageKind.Award, award, ct);
            Update(id, j =>
            {
                foreach (var r in j.Runs.Where(r => r.Provider == group.Key.Provider && r.EscrowJobId == group.Key.EscrowJobId && r.Phase == RunPhase.Locked))
                {
                    r.AwardSent = true;
                }
            });
        }
        Update(id, j => j.State = nameof(JobState.Running));
    }

    private async Task WatchAsync(JobId id, CancellationToken ct)
    {
        var escrow = _ctx.Contracts.Escrow;
        var job = _ctx.Store.Jobs.FindById(id.ToString());
        // 1. Follow the chain for every run still open.
        foreach (var run in job.Runs.Where(r => r.EscrowJobId is not null && r.Phase is RunPhase.Locked or RunPhase.Running or RunPhase.Completed or RunPhase.Verified))
        {
            var shard = await escrow.ShardAsync(BigInteger.Parse(run.EscrowJobId!, CultureInfo.InvariantCulture), run.EscrowShard, cancellationToken: ct);
            var state = (int)shard.State;
            if (state == 2 && run.Phase is RunPhase.Locked or RunPhase.Running)
            {
                SetRun(id, run, r => { r.Phase = RunPhase.Completed; r.ResultHash = shard.ResultHash.ToString(); });
                Emit(id, JobEventKind.ShardCompleted, $"provider {run.ProviderId} completed shard {run.Shard} on chain", run.Shard);
            }
            else if (state == 4 && run.Phase != RunPhase.Accepted)
            {
                SetRun(id, run, r => r.Phase = RunPhase.Released);
                Emit(id, JobEventKind.Released, $"shard {run.Shard} was released to provider {run.ProviderId}", run.Shard);
            }
            else if (state == 5)
            {
                SetRun(id, run, r => r.Phase = RunPhase.Refunded);
            }
        }
        // 2. Fetch and check announced results.
        job = _ctx.Store.Jobs.FindById(id.ToString());
        foreach (var run in job.Runs.Where(r => r.Phase == RunPhase.Completed))
        {
            if (!job.Announced.TryGetValue($"{run.Provider}_{run.Shard}", out var cidText) || !Cid.TryParse(cidText, out var cid))
            {
                continue; // the provider's ShardCompleted has not arrived yet
            }
            if (ResultHash.Of(cid!).ToString() != run.ResultHash)
            {
                SetRun(id, run, r => r.Error = $"the announced result {cidText} does not match the hash on chain");
                continue;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_ctx.FetchTimeout);
            await _ctx.Fetcher.FetchDagAsync(cid!, [PeerId.Parse(run.PeerId)], timeout.Token);
            await _ctx.Exporter.StatAsync(cid!, ct); // the result is a readable UnixFS DAG
            SetRun(id, run, r => { r.Phase = RunPhase.Verified; r.ResultCid = cidText; });
        }
        // 3. Decide every shard whose runs are all in.
        job = _ctx.Store.Jobs.FindById(id.ToString());
        foreach (var shard in job.Runs.GroupBy(r => r.Shard))
        {
            var live = shard.Where(r => r.Phase is not (RunPhase.Refunded or RunPhase.Failed)).ToList();
            if (live.Count < job.Redundancy || live.Any(r => r.Phase is RunPhase.Locked or RunPhase.Running or RunPhase.Completed or RunPhase.Awarded))
            {
                continue;
            }
            var open = live.Where(r => r.Phase == RunPhase.Verified).ToList();
            if (open.Count == 0)
            {
                continue;
            }
            var (accept, dispute) = ShardRunMachine.Compare(live.Select(r => r.ResultHash ?? "").ToList());
            foreach (var i in dispute)
            {
                if (live[i].Phase == RunPhase.Verified)
                {
                    await DisputeAsync(id, live[i], ct);
                }
            }
            if (job.AutoAccept)
            {
                var toAccept = accept.Select(i => live[i]).Where(r => r.Phase == RunPhase.Verified).ToList();
                foreach (var byEscrow in toAccept.GroupBy(r => r.EscrowJobId))
                {
                    await AcceptAsync(id, byEscrow.ToList(), ct);
                }
            }
        }
        // 4. Deadline: refund what never completed, then award it anew or give up.
        job = _ctx.Store.Jobs.FindById(id.ToString());
        var now = await _ctx.ChainNowAsync(ct);
        var late = job.Runs.Where(r => r.Phase is RunPhase.Locked or RunPhase.Running && job.ChainDeadline is { } d && now > d).ToList();
        if (late.Count > 0)
        {
            await RefundAndReawardAsync(id, late, ct);
            return;
        }
        // 5. Done?
        job = _ctx.Store.Jobs.FindById(id.ToString());
        var byShard = Enumerable.Range(0, job.ShardCount).Select(s => job.Runs.Where(r => r.Shard == s).ToList()).ToList();
        if (byShard.Any(runs => runs.Any(r => r.Phase == RunPhase.Disputed)) &&
            byShard.All(runs => runs.All(r => ShardRunMachine.IsFinal(r.Phase) || r.Phase == RunPhase.Failed)))
        {
            Update(id, j => { j.State = nameof(JobState.Disputed); j.Error = "results of redundant runs disagreed; the court decides the disputed shards"; });
            return;
        }
        var good = byShard.Select(runs => runs.FirstOrDefault(r => ShardRunMachine.IsPaid(r.Phase) || (!job.AutoAccept && r.Phase == RunPhase.Verified))).ToList();
        if (good.All(r => r?.ResultCid is not null))
        {
            var joined = await JoinAsync(good.Select(r => Cid.Parse(r!.ResultCid!)).ToList(), ct);
            Update(id, j => { j.ResultCid = joined.ToString(); j.State = nameof(JobState.Completed); });
            Emit(id, JobEventKind.Completed, $"all {job.ShardCount} shard(s) done; joined output {joined}");
        }
    }

    private async Task AcceptAsync(JobId id, IReadOnlyList<RunDoc> runs, CancellationToken ct)
    {
        var escrowJob = BigInteger.Parse(runs[0].EscrowJobId!, CultureInfo.InvariantCulture);
        string? tx = null;
        try
        {
            var receipt = await _ctx.Contracts.Escrow.AcceptBatchAsync(escrowJob, runs.Select(r => new BigInteger(r.EscrowShard)).ToList(), ct);
            tx = receipt.TransactionHash;
        }
        catch (RevertedException e) when (e.Error is JobEscrow.EscrowInvalidShardStateError)
        {
            // Already released (the provider claimed after the window): the next tick reads that from the chain.
            return;
        }
        Update(id, j =>
        {
            foreach (var r in j.Runs.Where(r => r.EscrowJobId == runs[0].EscrowJobId && runs.Any(x => x.EscrowShard == r.EscrowShard)))
            {
                r.Phase = RunPhase.Accepted;
            }
            j.Transactions.Add(tx!);
        });
        foreach (var r in runs)
        {
            Emit(id, JobEventKind.Accepted, $"accepted shard {r.Shard} from provider {r.ProviderId}; paid {new TokenAmount(BigInteger.Parse(r.Price, CultureInfo.InvariantCulture))}", r.Shard, tx);
        }
    }

    private async Task DisputeAsync(JobId id, RunDoc run, CancellationToken ct)
    {
        var c = _ctx.Contracts;
        var bond = (await c.Court.ParametersAsync(cancellationToken: ct)).DisputeBond;
        await c.Token.ApproveAsync(c.Court.Address, bond, ct);
        string tx;
        try
        {
            tx = (await c.Court.OpenDisputeAsync(BigInteger.Parse(run.EscrowJobId!, CultureInfo.InvariantCulture), run.EscrowShard, ct)).TransactionHash;
        }
        catch (RevertedException e) when (e.Error is JobEscrow.EscrowInvalidShardStateError or JobEscrow.EscrowDisputeWindowClosedError)
        {
            SetRun(id, run, r => r.Error = "could not dispute: " + e.Message);
            return;
        }
        SetRun(id, run, r => r.Phase = RunPhase.Disputed);
        Update(id, j => j.Transactions.Add(tx));
        Emit(id, JobEventKind.Disputed, $"results of shard {run.Shard} disagree; opened a dispute against provider {run.ProviderId}", run.Shard, tx);
    }

    private async Task RefundAndReawardAsync(JobId id, IReadOnlyList<RunDoc> late, CancellationToken ct)
    {
        foreach (var group in late.GroupBy(r => r.EscrowJobId))
        {
            var indices = group.Select(r => new BigInteger(r.EscrowShard)).ToList();
            string? tx = null;
            try
            {
                tx = (await _ctx.Contracts.Escrow.RefundExpiredBatchAsync(BigInteger.Parse(group.Key!, CultureInfo.InvariantCulture), indices, ct)).TransactionHash;
            }
            catch (RevertedException e) when (e.Error is JobEscrow.EscrowInvalidShardStateError)
            {
                // A shard completed at the last moment, or was refunded before a restart: re-read it next tick.
                return;
            }
            catch (RevertedException e) when (e.Error is JobEscrow.EscrowDeadlineNotPassedError)
            {
                return; // our clock is ahead of the chain's; retry next tick
            }
            Update(id, j =>
            {
                foreach (var r in j.Runs.Where(r => r.EscrowJobId == group.Key && group.Any(x => x.EscrowShard == r.EscrowShard)))
                {
                    r.Phase = RunPhase.Refunded;
                    r.Error = "no result by the deadline";
                }
                j.Transactions.Add(tx);
            });
            foreach (var r in group)
            {
                Emit(id, JobEventKind.Refunded, $"provider {r.ProviderId} missed the deadline for shard {r.Shard}; refunded its price and its penalty", r.Shard, tx);
            }
        }
        var job = _ctx.Store.Jobs.FindById(id.ToString());
        if (job.Reawards >= job.MaxReawards)
        {
            Update(id, j => { j.State = nameof(JobState.Failed); j.Error = $"shards missed the deadline {j.Reawards + 1} time(s); locked funds were refunded"; });
            Emit(id, JobEventKind.Failed, "gave up after the last re-award missed its deadline; everything unpaid was refunded");
            return;
        }
        var slots = late.Select(r => new ShardSlot(r.Shard, r.Copy)).ToList();
        var failedBy = job.Runs.Where(r => r.Phase is RunPhase.Refunded or RunPhase.Failed).Select(r => r.Provider).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var chosen = BidSelection.Choose(slots, Candidates(job), BigInteger.Parse(job.MaxPrice, CultureInfo.InvariantCulture),
            (slot, provider) => failedBy.Contains(provider) || job.Runs.Any(r => r.Shard == slot.Shard && r.Provider == provider && r.Phase is not (RunPhase.Refunded or RunPhase.Failed)));
        if (chosen.Count < slots.Count)
        {
            Update(id, j => { j.State = nameof(JobState.Failed); j.Error = $"no other bidder could take {slots.Count - chosen.Count} late shard run(s); they were refunded"; });
            Emit(id, JobEventKind.Failed, "no other provider left to re-award the late shards; refunded");
            return;
        }
        Update(id, j =>
        {
            j.Reawards++;
            foreach (var a in chosen)
            {
                j.Runs.Add(NewRun(a, j));
            }
            j.State = nameof(JobState.Awarding);
        });
        foreach (var a in chosen)
        {
            Emit(id, JobEventKind.Awarded, $"re-awarded shard {a.Slot.Shard} to provider {a.Bid.ProviderId}", a.Slot.Shard);
        }
    }

    private void SetRun(JobId id, RunDoc run, Action<RunDoc> change) => Update(id, j =>
    {
        var r = j.Runs.First(x => x.Shard == run.Shard && x.Copy == run.Copy && x.EscrowJobId == run.EscrowJobId && x.EscrowShard == run.EscrowShard);
        change(r);
    });

    /// <summary>One UnixFS directory linking each shard's output as <c>shard-0000</c>, <c>shard-0001</c>, … (no data copied).</summary>
    private async Task<Cid> JoinAsync(IReadOnlyList<Cid> shards, CancellationToken ct)
    {
        var links = new List<PbLink>();
        for (var i = 0; i < shards.Count; i++)
        {
            var size = (await _ctx.Blocks.GetAsync(shards[i], ct)).Length;
            links.Add(new PbLink(shards[i], string.Create(CultureInfo.InvariantCulture, $"shard-{i:D4}"), (ulong)size));
        }
        var node = new PbNode(links, new UnixFsData { Type = UnixFsType.Directory }.Encode());
        var block = Block.Create(DagPbCodec.Encode(node), Multicodec.DagPb, 1);
        await _ctx.Blocks.PutAsync(block, ct);
        return block.Cid;
    }

    private static JobStatus ToStatus(RequesterJobDoc d) => new(
        JobId.Parse(d.Id), d.Name, Enum.Parse<JobState>(d.State), d.SpecCid, d.ShardCount, d.Redundancy,
        BigInteger.Parse(d.MaxPrice, CultureInfo.InvariantCulture),
        d.Runs.Where(r => r.EscrowJobId is not null).Aggregate(BigInteger.Zero, (a, r) => a + BigInteger.Parse(r.Price, CultureInfo.InvariantCulture)),
        new DateTimeOffset(DateTime.SpecifyKind(d.SubmittedAt, DateTimeKind.Utc)),
        new DateTimeOffset(DateTime.SpecifyKind(d.BidsCloseAt, DateTimeKind.Utc)),
        d.ChainDeadline is { } cd ? DateTimeOffset.FromUnixTimeSeconds(cd) : null,
        d.Runs.Select(r => new ShardRunStatus(r.Shard, r.Copy, r.Phase, r.Provider, r.PeerId, r.ProviderId,
            BigInteger.Parse(r.Price, CultureInfo.InvariantCulture), r.EscrowJobId, r.ResultCid, r.Error)).ToList(),
        d.Transactions, d.ResultCid, d.Error);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
    }
}
