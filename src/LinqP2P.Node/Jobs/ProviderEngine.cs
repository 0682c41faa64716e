using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using LinqP2P.Contracts;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Rpc;
using LinqP2P.Execution;
using LinqP2P.Execution.Docker;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Market.Messages;
using LinqP2P.Market.Protocol;
using LinqP2P.Market.Specs;
using LinqP2P.Multiformats;
using LinqP2P.Node.Market;

namespace LinqP2P.Node.Jobs;

/// <summary>Where an awarded shard stands on the provider's side (SPEC.md §7.5).</summary>
public static class ProviderShardState
{
    public const string Awarded = "awarded";
    public const string Running = "running";
    public const string Completing = "completing";
    public const string Completed = "completed";
    public const string Paid = "paid";
    public const string Failed = "failed";
    public const string Refunded = "refunded";
}

/// <summary>Where a provider keeps its runs. Every default is stated.</summary>
public sealed record ProviderEngineOptions
{
    /// <summary>Scratch folder for fetched inputs and images. Required.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>The policy used until one is set. Default <see cref="ProviderPolicy"/>'s defaults.</summary>
    public ProviderPolicy InitialPolicy { get; init; } = new();

    /// <summary>How often a completed shard re-announces its result until paid. Default 10 seconds.</summary>
    public TimeSpan ReannounceInterval { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The provider's state machine (SPEC.md §7.5): offer → policy and capacity check → signed Bid; Award →
/// check the escrow lock names this provider → fetch spec, inputs, image → run in Docker → import the
/// outputs (with <c>_logs/</c>) → completeBatch with the result hash → ShardCompleted → claimBatch after
/// the dispute window. State lives in the <see cref="MarketStore"/>; a restarted node resumes every shard.
/// </summary>
public sealed class ProviderEngine : IProviderMarket, IAsyncDisposable
{
    private const string PolicyKey = "provider.policy";
    private readonly MarketContext _ctx;
    private readonly DockerExecutor _executor;
    private readonly ProviderEngineOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, Task> _running = [];
    private readonly Dictionary<string, DateTimeOffset> _announced = [];
    private ProviderPolicy _policy;
    private ulong? _providerId;
    private int _bidsSent;
    private Task? _loop;

    public ProviderEngine(MarketContext context, DockerExecutor executor, ProviderEngineOptions options)
    {
        _ctx = context;
        _executor = executor;
        _options = options;
        _policy = LoadPolicy() ?? options.InitialPolicy;
        _ctx.Gossip.OnMessage(HandleAsync);
    }

    /// <summary>Called on a shard's output folder before it is imported. Tests use it to play a dishonest provider.</summary>
    internal Func<string, Task>? BeforeImport { get; set; }

    public string? LastError { get; private set; }

    public ProviderPolicy Policy => _policy;

    public void SetPolicy(ProviderPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.MaxConcurrentShards < 1 || policy.MinPricePerShard <= 0)
        {
            throw new InvalidPolicyException("a policy needs at least one concurrent shard and a positive minimum price");
        }
        _policy = policy;
        var json = JsonSerializer.Serialize(new PolicyDto(policy));
        _ctx.Store.Atomically(() => _ctx.Store.Settings.Upsert(new SettingDoc { Key = PolicyKey, Value = json }));
    }

    public ProviderStatus Status()
    {
        var shards = _ctx.Store.ProviderShards.FindAll().ToList();
        BigInteger Sum(IEnumerable<ProviderShardDoc> s) => s.Aggregate(BigInteger.Zero, (a, d) => a + BigInteger.Parse(d.Price, CultureInfo.InvariantCulture));
        return new ProviderStatus(
            _providerId is not null, _providerId,
            shards.Count(s => s.State == ProviderShardState.Running),
            _policy.MaxConcurrentShards,
            shards.OrderByDescending(s => s.Since).Take(100).Select(s => new ProviderShardStatus(JobId.Parse(s.JobId), s.EscrowJobId, s.Shard, s.State,
                new DateTimeOffset(DateTime.SpecifyKind(s.Since, DateTimeKind.Utc)), s.ResultCid, s.Error)).ToList(),
            Sum(shards.Where(s => s.State == ProviderShardState.Paid)),
            Sum(shards.Where(s => s.State == ProviderShardState.Completed)),
            _bidsSent,
            shards.Count(s => s.State is ProviderShardState.Completed or ProviderShardState.Paid),
            shards.Count(s => s.State is ProviderShardState.Failed or ProviderShardState.Refunded));
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var id = await _ctx.Contracts.Registry.ProviderIdOfAsync(_ctx.Wallet.Address, cancellationToken: cancellationToken);
        _providerId = id.IsZero ? null : (ulong)id;
        Directory.CreateDirectory(_options.WorkDirectory);
        // A shard that was running when the node stopped runs again (its container died with the node).
        _ctx.Store.Atomically(() =>
        {
            foreach (var s in _ctx.Store.ProviderShards.Find(s => s.State == ProviderShardState.Running).ToList())
            {
                s.State = ProviderShardState.Awarded;
                _ctx.Store.ProviderShards.Update(s);
            }
            return 0;
        });
        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    private ProviderPolicy? LoadPolicy()
    {
        var doc = _ctx.Store.Settings.FindById(PolicyKey);
        return doc is null ? null : JsonSerializer.Deserialize<PolicyDto>(doc.Value)?.ToPolicy();
    }

    // ---- gossip ----

    private async Task HandleAsync(MarketDelivery delivery, CancellationToken ct)
    {
        switch (delivery.Body)
        {
            case JobOffer offer:
                await OnOfferAsync(delivery, offer, ct);
                break;
            case JobCancelled cancelled:
                var key = new JobId(cancelled.JobId).ToString();
                _ctx.Store.Atomically(() => _ctx.Store.Offers.Delete(key));
                break;
            case Award award when award.Provider.AsSpan().SequenceEqual(_ctx.Wallet.Address.Span):
                await OnAwardAsync(delivery, award, ct);
                break;
        }
    }

    private async Task OnOfferAsync(MarketDelivery delivery, JobOffer offer, CancellationToken ct)
    {
        if (_providerId is not { } providerId || !WouldRun(offer))
        {
            return;
        }
        var maxPrice = Amounts.FromBytes(offer.MaxPricePerShard);
        // Requesters must hold what they offer: a job they cannot lock is not worth a bid.
        var balance = await _ctx.Contracts.Token.BalanceOfAsync(delivery.Sender, cancellationToken: ct);
        if (balance < maxPrice * offer.ShardCount * offer.Redundancy)
        {
            return;
        }
        var id = new JobId(offer.JobId);
        var digest = MarketSigning.DigestOf(delivery.Envelope);
        var bid = new Bid(offer.JobId, providerId, _ctx.LocalPeer.ToString(), Amounts.ToBytes(BigInteger.Min(maxPrice, _policy.MinPricePerShard)),
            (uint)_policy.MaxConcurrentShards, digest);
        _ctx.Store.Atomically(() => _ctx.Store.Offers.Upsert(new SeenOfferDoc
        {
            JobId = id.ToString(),
            SpecCid = offer.SpecCid,
            Image = offer.Image,
            Requester = delivery.Sender.ToLowerString(),
            RequesterPeerId = offer.RequesterPeerId,
            ShardCount = (int)offer.ShardCount,
            Digest = Convert.ToHexStringLower(digest),
            BidSent = true,
            SeenAt = _ctx.Time.GetUtcNow().UtcDateTime,
        }));
        await _ctx.Gossip.PublishAsync(MarketMessageKind.Bid, bid, ct);
        Interlocked.Increment(ref _bidsSent);
    }

    /// <summary>Whether the policy and the free capacity allow bidding on <paramref name="offer"/>.</summary>
    public bool WouldRun(JobOffer offer)
    {
        ArgumentNullException.ThrowIfNull(offer);
        var p = _policy;
        var now = _ctx.Time.GetUtcNow();
        var busy = _ctx.Store.ProviderShards.Count(s => s.State == ProviderShardState.Awarded || s.State == ProviderShardState.Running);
        return now.ToUnixTimeSeconds() < offer.BidsCloseAt
            && p.IsAvailable(now)
            && busy < p.MaxConcurrentShards
            && p.AllowsImage(offer.Image)
            && offer.Resources.CpuMilli <= p.MaxCpuPerShard * 1000
            && (long)offer.Resources.MemoryBytes <= p.MaxMemoryBytesPerShard
            && (long)offer.Resources.DiskBytes <= p.MaxDiskBytesPerShard
            && offer.Resources.GpuCount <= p.MaxGpuPerShard
            && Amounts.FromBytes(offer.MaxPricePerShard) >= p.MinPricePerShard;
    }

    private async Task OnAwardAsync(MarketDelivery delivery, Award award, CancellationToken ct)
    {
        var id = new JobId(award.JobId);
        var offer = _ctx.Store.Offers.FindById(id.ToString());
        if (offer is null || _providerId is not { } me || offer.Requester != delivery.Sender.ToLowerString())
        {
            return; // we did not bid on this job, or the award is not from the job's requester
        }
        // Run nothing the escrow does not pay for: the lock must name this job, this provider and the price.
        var escrowJob = Amounts.FromBytes(award.EscrowJobId);
        var job = await _ctx.Contracts.Escrow.JobAsync(escrowJob, cancellationToken: ct);
        if (!job.SpecHash.Span.SequenceEqual(id.Span) || job.Requester != delivery.Sender)
        {
            LastError = $"award for {id} names escrow job {escrowJob}, which is not locked for it by its requester";
            return;
        }
        var price = Amounts.FromBytes(award.PricePerShard);
        for (var k = 0; k < award.ShardIndices.Length; k++)
        {
            var shard = await _ctx.Contracts.Escrow.ShardAsync(escrowJob, award.EscrowShardIndices[k], cancellationToken: ct);
            if ((ulong)shard.ProviderId != me || (int)shard.State != 1 || shard.Price != price || award.ShardIndices[k] >= offer.ShardCount)
            {
                LastError = $"escrow shard {award.EscrowShardIndices[k]} of job {escrowJob} is not locked for this provider at the awarded price";
                continue;
            }
            var doc = new ProviderShardDoc
            {
                Id = $"{escrowJob}-{award.EscrowShardIndices[k]}",
                JobId = id.ToString(),
                EscrowJobId = escrowJob.ToString(CultureInfo.InvariantCulture),
                EscrowShard = (int)award.EscrowShardIndices[k],
                Shard = (int)award.ShardIndices[k],
                ShardCount = offer.ShardCount,
                SpecCid = offer.SpecCid,
                RequesterPeerId = offer.RequesterPeerId,
                Price = price.ToString(CultureInfo.InvariantCulture),
                State = ProviderShardState.Awarded,
                Since = _ctx.Time.GetUtcNow().UtcDateTime,
                DisputeWindow = (long)job.DisputeWindow,
            };
            _ctx.Store.Atomically(() =>
            {
                if (_ctx.Store.ProviderShards.FindById(doc.Id) is null)
                {
                    _ctx.Store.ProviderShards.Insert(doc); // a repeated award changes nothing
                }
                return 0;
            });
        }
    }

    // ---- the state machine ----

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await StepAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is LinqP2P.Core.LinqException or IOException or TimeoutException)
            {
                LastError = e.Message;
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

    private async Task StepAsync(CancellationToken ct)
    {
        foreach (var done in _running.Where(kv => kv.Value.IsCompleted).Select(kv => kv.Key).ToList())
        {
            _running.Remove(done);
        }
        foreach (var shard in _ctx.Store.ProviderShards.Find(s => s.State == ProviderShardState.Awarded).ToList())
        {
            if (_running.Count >= _policy.MaxConcurrentShards || _running.ContainsKey(shard.Id))
            {
                continue;
            }
            Set(shard.Id, s => s.State = ProviderShardState.Running);
            _running[shard.Id] = Task.Run(() => RunShardAsync(shard.Id, _stop.Token), CancellationToken.None);
        }
        foreach (var shard in _ctx.Store.ProviderShards.Find(s => s.State == ProviderShardState.Completing).ToList())
        {
            await CompleteOnChainAsync(shard.Id, ct);
        }
        var completed = _ctx.Store.ProviderShards.Find(s => s.State == ProviderShardState.Completed).ToList();
        if (completed.Count == 0)
        {
            return;
        }
        var now = await _ctx.ChainNowAsync(ct);
        foreach (var shard in completed)
        {
            var onChain = await _ctx.Contracts.Escrow.ShardAsync(BigInteger.Parse(shard.EscrowJobId, CultureInfo.InvariantCulture), shard.EscrowShard, cancellationToken: ct);
            switch ((int)onChain.State)
            {
                case 4:
                case 6:
                    Set(shard.Id, s => { s.State = ProviderShardState.Paid; s.Paid = "released"; });
                    continue;
                case 5:
                    Set(shard.Id, s => s.State = ProviderShardState.Refunded);
                    continue;
                case 3:
                    Set(shard.Id, s => s.Error = "disputed by the requester; the court decides");
                    continue;
            }
            if (shard.CompletedAt is { } at && now >= at + shard.DisputeWindow)
            {
                await ClaimAsync(shard, ct);
            }
            else if (!_announced.TryGetValue(shard.Id, out var last) || _ctx.Time.GetUtcNow() - last >= _options.ReannounceInterval)
            {
                await AnnounceAsync(shard, ct);
            }
        }
    }

    private async Task ClaimAsync(ProviderShardDoc shard, CancellationToken ct)
    {
        try
        {
            var receipt = await _ctx.Contracts.Escrow.ClaimBatchAsync(BigInteger.Parse(shard.EscrowJobId, CultureInfo.InvariantCulture), [shard.EscrowShard], ct);
            Set(shard.Id, s => { s.State = ProviderShardState.Paid; s.Paid = receipt.TransactionHash; });
        }
        catch (RevertedException e) when (e.Error is JobEscrow.EscrowInvalidShardStateError)
        {
            // Accepted or settled meanwhile: the next step reads the final state from the chain.
        }
        catch (RevertedException e) when (e.Error is JobEscrow.EscrowDisputeWindowOpenError)
        {
            // Our clock is ahead of the chain's; try again next tick.
        }
    }

    private async Task AnnounceAsync(ProviderShardDoc shard, CancellationToken ct)
    {
        await _ctx.Gossip.PublishAsync(MarketMessageKind.ShardCompleted, new ShardCompleted(JobId.Parse(shard.JobId).ToArray(), (uint)shard.Shard, shard.ResultCid!), ct);
        _announced[shard.Id] = _ctx.Time.GetUtcNow();
    }

    private async Task RunShardAsync(string shardId, CancellationToken ct)
    {
        var shard = _ctx.Store.ProviderShards.FindById(shardId);
        var work = Path.Combine(_options.WorkDirectory, shardId);
        try
        {
            Directory.CreateDirectory(work);
            var requester = PeerId.Parse(shard.RequesterPeerId);
            var specCid = Cid.Parse(shard.SpecCid);
            await FetchAsync(specCid, requester, ct);
            var spec = JobSpecParser.Parse(Encoding.UTF8.GetString(await _ctx.ReadFileAsync(specCid, 1 << 20, ct)), shard.SpecCid);
            if (!_policy.AllowsImage(spec.Image.Value))
            {
                throw new MarketException("market.policy", $"the image {spec.Image} is not allowed by this provider's policy");
            }
            var inputs = new List<InputMount>();
            for (var i = 0; i < spec.Inputs.Count; i++)
            {
                var cid = Cid.Parse(spec.Inputs[i].Cid);
                await FetchAsync(cid, requester, ct);
                var target = Path.Combine(work, "in", i.ToString(CultureInfo.InvariantCulture));
                await _ctx.Exporter.GetAsync(cid, target, ct);
                var name = spec.Inputs[i].Path.TrimEnd('/').Split('/').Last();
                inputs.Add(new InputMount(target, name));
            }
            var image = await ImageAsync(spec, requester, work, ct);
            var stdout = new BoundedLog();
            var stderr = new BoundedLog();
            var result = await _executor.ExecuteAsync(new ExecutionRequest
            {
                JobId = shard.JobId,
                ShardIndex = shard.Shard,
                ShardCount = shard.ShardCount,
                Image = image,
                Command = spec.Command.Count > 0 ? spec.Command : null,
                Environment = spec.Environment,
                ShardParameters = spec.Shards.ParametersOf(shard.Shard),
                Inputs = inputs,
                OutputPaths = spec.Outputs.Where(o => o.StartsWith(ExecutionContract.OutputRoot + "/", StringComparison.Ordinal))
                    .Select(o => o[(ExecutionContract.OutputRoot.Length + 1)..]).ToList(),
                Limits = new ResourceLimits
                {
                    NanoCpus = (long)(spec.Resources.CpuCores * 1e9),
                    MemoryBytes = Math.Max(spec.Resources.MemoryBytes, 6 * ResourceLimits.MiB),
                    MaxDuration = spec.Duration,
                    GpuCount = spec.Resources.Gpu?.Count ?? 0,
                },
            }, ExecutionLogSink.FromCallback(l => (l.Stream == LogStream.Stdout ? stdout : stderr).Append(l.Text)), ct);
            if (result.Outcome != ExecutionOutcome.Succeeded)
            {
                throw new MarketException("market.run_failed", $"the container {result.Outcome} (exit {result.ExitCode}): {Tail(result.LogTail)}");
            }
            var logs = Path.Combine(result.OutputDirectory, "_logs");
            Directory.CreateDirectory(logs);
            await File.WriteAllTextAsync(Path.Combine(logs, "stdout.txt"), stdout.ToString(), ct);
            await File.WriteAllTextAsync(Path.Combine(logs, "stderr.txt"), stderr.ToString(), ct);
            if (BeforeImport is { } hook)
            {
                await hook(result.OutputDirectory);
            }
            var imported = await new LinqP2P.Ipfs.Importing.UnixFsImporter(_ctx.Blocks).ImportDirectoryAsync(result.OutputDirectory, cancellationToken: ct);
            Set(shardId, s => { s.ResultCid = imported.Cid.ToString(); s.State = ProviderShardState.Completing; });
            await CompleteOnChainAsync(shardId, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping: the shard stays Running and runs again after a restart.
        }
        catch (Exception e) when (e is LinqP2P.Core.LinqException or IOException or TimeoutException or OperationCanceledException)
        {
            Set(shardId, s => { s.State = ProviderShardState.Failed; s.Error = e.Message; });
            LastError = e.Message;
        }
        finally
        {
            try
            {
                var inputs = Path.Combine(work, "in");
                if (Directory.Exists(inputs))
                {
                    Directory.Delete(inputs, recursive: true);
                }
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task CompleteOnChainAsync(string shardId, CancellationToken ct)
    {
        var shard = _ctx.Store.ProviderShards.FindById(shardId);
        var escrowJob = BigInteger.Parse(shard.EscrowJobId, CultureInfo.InvariantCulture);
        var hash = ResultHash.Of(Cid.Parse(shard.ResultCid!));
        try
        {
            await _ctx.Contracts.Escrow.CompleteBatchAsync(escrowJob, [shard.EscrowShard], [hash], ct);
        }
        catch (RevertedException e) when (e.Error is JobEscrow.EscrowInvalidShardStateError or JobEscrow.EscrowDeadlinePassedError)
        {
            // Completed before a restart, or too late: the chain says which.
        }
        var onChain = await _ctx.Contracts.Escrow.ShardAsync(escrowJob, shard.EscrowShard, cancellationToken: ct);
        if ((int)onChain.State is 2 or 3 or 4 or 6 && onChain.ResultHash == hash)
        {
            Set(shardId, s => { s.State = ProviderShardState.Completed; s.CompletedAt = (long)onChain.CompletedAt; });
            await AnnounceAsync(_ctx.Store.ProviderShards.FindById(shardId), ct);
        }
        else if ((int)onChain.State == 5 || (int)onChain.State == 1)
        {
            Set(shardId, s => { s.State = (int)onChain.State == 5 ? ProviderShardState.Refunded : ProviderShardState.Failed; s.Error = "missed the deadline"; });
        }
    }

    private async Task FetchAsync(Cid cid, PeerId from, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_ctx.FetchTimeout);
        await _ctx.Fetcher.FetchDagAsync(cid, [from], timeout.Token);
    }

    private async Task<ImageSource> ImageAsync(JobSpec spec, PeerId requester, string work, CancellationToken ct)
    {
        if (!spec.Image.IsIpfs)
        {
            // No registry is reachable: a registry reference must already be on this provider.
            return ImageSource.Local(spec.Image.Value);
        }
        var cid = Cid.Parse(spec.Image.Cid!);
        await FetchAsync(cid, requester, ct);
        var tar = Path.Combine(work, "image.tar");
        await using (var file = File.Create(tar))
        {
            await _ctx.Exporter.CatAsync(cid, file, cancellationToken: ct);
        }
        var loaded = await _executor.LoadImageAsync(ImageTarball.FromFile(tar), ct);
        File.Delete(tar);
        return loaded.Count > 0
            ? ImageSource.Local(loaded[0])
            : throw new MarketException("market.image", $"the image tarball {cid} holds no tagged image; save it with `docker save name:tag`");
    }

    private static string Tail(string text) => text.Length <= 400 ? text : text[^400..];

    private void Set(string id, Action<ProviderShardDoc> change) => _ctx.Store.Atomically(() =>
    {
        var doc = _ctx.Store.ProviderShards.FindById(id);
        change(doc);
        return _ctx.Store.ProviderShards.Update(doc);
    });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await Task.WhenAll(_running.Values).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    /// <summary>Container output kept for <c>_logs/</c>, capped at 4 MiB per stream.</summary>
    private sealed class BoundedLog
    {
        private const int Limit = 4 << 20;
        private readonly StringBuilder _text = new();
        private readonly Lock _lock = new();

        public void Append(string line)
        {
            lock (_lock)
            {
                if (_text.Length + line.Length + 1 <= Limit)
                {
                    _text.Append(line).Append('\n');
                }
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return _text.ToString();
            }
        }
    }

    private sealed record PolicyDto(string MinPrice, double MaxCpu, long MaxMemory, int MaxGpu, long MaxDisk, int MaxConcurrent,
        List<AvailabilityDto> Availability, List<string> AllowedImages)
    {
        public PolicyDto(ProviderPolicy p)
            : this(p.MinPricePerShard.ToString(CultureInfo.InvariantCulture), p.MaxCpuPerShard, p.MaxMemoryBytesPerShard, p.MaxGpuPerShard,
                p.MaxDiskBytesPerShard, p.MaxConcurrentShards,
                p.Availability.Select(a => new AvailabilityDto(a.Days.ToList(), a.From.ToString("O", CultureInfo.InvariantCulture), a.To.ToString("O", CultureInfo.InvariantCulture))).ToList(),
                p.AllowedImages.ToList())
        {
        }

        public ProviderPolicy ToPolicy() => new()
        {
            MinPricePerShard = BigInteger.Parse(MinPrice, CultureInfo.InvariantCulture),
            MaxCpuPerShard = MaxCpu,
            MaxMemoryBytesPerShard = MaxMemory,
            MaxGpuPerShard = MaxGpu,
            MaxDiskBytesPerShard = MaxDisk,
            MaxConcurrentShards = MaxConcurrent,
            Availability = Availability.Select(a => new AvailabilityWindow(a.Days, TimeOnly.Parse(a.From, CultureInfo.InvariantCulture), TimeOnly.Parse(a.To, CultureInfo.InvariantCulture))).ToList(),
            AllowedImages = AllowedImages,
        };
    }

    private sealed record AvailabilityDto(List<DayOfWeek> Days, string From, string To);
}

/// <summary>A provider policy was inconsistent.</summary>
public sealed class InvalidPolicyException(string message) : LinqP2P.Core.LinqException("jobs.policy", message, retryable: false);
