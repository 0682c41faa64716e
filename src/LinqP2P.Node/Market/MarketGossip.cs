using LinqP2P.Ethereum;
using LinqP2P.Libp2p.Gossipsub;
using LinqP2P.Market.Messages;
using LinqP2P.Market.Protocol;

namespace LinqP2P.Node.Market;

/// <summary>A validated market message handed to the engines.</summary>
public sealed record MarketDelivery(MarketEnvelope Envelope, object Body, GossipsubMessage Message)
{
    public Address Sender => Address.FromBytes(Envelope.Header.Sender);
}

/// <summary>
/// The market's use of gossipsub (SPEC.md §7.3): two topics, a validator on each that runs the gate,
/// the EIP-712 signature check and the registry binding before anything is delivered or forwarded (a
/// Reject lowers the forwarding peer's score), and signed publishing from this node's wallet.
/// </summary>
public sealed class MarketGossip : IAsyncDisposable
{
    /// <summary>Job offers and cancellations: every provider listens here.</summary>
    public const string OffersTopic = "/linq/market/1/offers";

    /// <summary>Bids, awards and shard completions.</summary>
    public const string DealsTopic = "/linq/market/1/deals";

    private readonly GossipsubService _pubsub;
    private readonly MarketMessageGate _gate;
    private readonly MarketSigning _signing;
    private readonly ProviderDirectory _directory;
    private readonly PrivateKey _wallet;
    private readonly TimeProvider _time;
    private readonly List<Func<MarketDelivery, CancellationToken, Task>> _handlers = [];
    private readonly List<GossipsubSubscription> _subscriptions = [];
    private readonly List<Task> _readers = [];
    private readonly CancellationTokenSource _stop = new();
    private long _nonce;
    private long _rejected;
    private long _ignored;

    public MarketGossip(GossipsubService pubsub, MarketSigning signing, ProviderDirectory directory, PrivateKey wallet, MarketGateOptions gateOptions, TimeProvider time)
    {
        _pubsub = pubsub;
        _signing = signing;
        _directory = directory;
        _wallet = wallet;
        _time = time;
        _gate = new MarketMessageGate(gateOptions, time);
        // Nonces are unique per sender while a message lives: microseconds since the epoch stay unique across restarts.
        _nonce = time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
    }

    /// <summary>How long a message this node sends stays valid. Default 5 minutes.</summary>
    public TimeSpan MessageLifetime { get; init; } = TimeSpan.FromMinutes(5);

    public MarketSigning Signing => _signing;

    public PrivateKey Wallet => _wallet;

    /// <summary>Messages this node's validators rejected (and so did not forward).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>The last verdict that was not an accept, for diagnostics.</summary>
    public string? LastVerdict { get; private set; }

    /// <summary>Adds a handler called for every validated message (before <see cref="StartAsync"/>).</summary>
    public void OnMessage(Func<MarketDelivery, CancellationToken, Task> handler) => _handlers.Add(handler);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var topic in new[] { OffersTopic, DealsTopic })
        {
            await _pubsub.SetValidatorAsync(topic, m => Validate(topic, m), cancellationToken);
            var sub = await _pubsub.SubscribeAsync(topic, cancellationToken);
            _subscriptions.Add(sub);
            _readers.Add(Task.Run(() => ReadAsync(sub), CancellationToken.None));
        }
    }

    /// <summary>Signs <paramref name="body"/> with this node's wallet and publishes it on its kind's topic.</summary>
    public async Task<MarketEnvelope> PublishAsync<T>(MarketMessageKind kind, T body, CancellationToken cancellationToken)
    {
        var envelope = _signing.Seal(_wallet, kind, body, (ulong)Interlocked.Increment(ref _nonce), _time.GetUtcNow(), MessageLifetime);
        await _pubsub.PublishAsync(TopicOf(kind), MarketCodec.EncodeEnvelope(envelope), cancellationToken);
        return envelope;
    }

    public static string TopicOf(MarketMessageKind kind) =>
        kind is MarketMessageKind.JobOffer or MarketMessageKind.JobCancelled ? OffersTopic : DealsTopic;

    private ValidationResult Validate(string topic, GossipsubMessage message)
    {
        var (result, reason) = Check(topic, message);
        if (result != ValidationResult.Accept)
        {
            Interlocked.Increment(ref result == ValidationResult.Reject ? ref _rejected : ref _ignored);
            LastVerdict = $"{result}: {reason}";
        }
        return result;
    }

    private (ValidationResult, string) Check(string topic, GossipsubMessage message)
    {
        var verdict = _gate.Check(message.Data);
        if (verdict.Outcome != GateOutcome.Accept)
        {
            return (verdict.Outcome == GateOutcome.Reject ? ValidationResult.Reject : ValidationResult.Ignore, verdict.Code);
        }
        var envelope = verdict.Envelope!;
        if (TopicOf(envelope.Header.Kind) != topic)
        {
            return (ValidationResult.Reject, "market.topic");
        }
        if (envelope.Header.ChainId != _signing.ChainId || !_signing.Verify(envelope))
        {
            return (ValidationResult.Reject, "market.signature");
        }
        var author = message.Author?.ToString();
        var sender = Address.FromBytes(envelope.Header.Sender);
        switch (verdict.Body)
        {
            case JobOffer offer when offer.RequesterPeerId != author:
                return (ValidationResult.Reject, "market.peer: the offer names another peer than its author");
            case Bid bid:
                if (bid.ProviderPeerId != author)
                {
                    return (ValidationResult.Reject, "market.peer: the bid names another peer than its author");
                }
                return CheckProvider(sender, author, bid.ProviderId);
            case ShardCompleted:
                return CheckProvider(sender, author, null);
            default:
                return (ValidationResult.Accept, "ok");
        }
    }

    private (ValidationResult, string) CheckProvider(Address sender, string? author, ulong? claimedId)
    {
        if (_directory.TryGet(sender) is not { } entry)
        {
            // Not (yet) known: maybe registered a moment ago. Drop without penalty; the cache refreshes.
            return (ValidationResult.Ignore, "market.unregistered");
        }
        if (!entry.Active)
        {
            return (ValidationResult.Reject, "market.stake: the provider's stake is below the minimum");
        }
        if (claimedId is { } id && id != entry.Id)
        {
            return (ValidationResult.Reject, "market.provider_id");
        }
        if (entry.PeerId?.ToString() != author)
        {
            return (ValidationResult.Reject, "market.peer: the registry binds this wallet to another peer id");
        }
        return (ValidationResult.Accept, "ok");
    }

    private async Task ReadAsync(GossipsubSubscription sub)
    {
        try
        {
            await foreach (var message in sub.Messages.ReadAllAsync(_stop.Token))
            {
                MarketDelivery delivery;
                try
                {
                    var envelope = MarketCodec.DecodeEnvelope(message.Data);
                    delivery = new MarketDelivery(envelope, MarketCodec.DecodeBody(envelope), message);
                }
                catch (InvalidMarketMessageException)
                {
                    continue; // validated already; cannot happen unless the validator was bypassed
                }
                foreach (var handler in _handlers)
                {
                    try
                    {
                        await handler(delivery, _stop.Token);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LastVerdict = $"handler failed: {e.Message}";
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var sub in _subscriptions)
        {
            await sub.DisposeAsync();
        }
        await Task.WhenAll(_readers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
