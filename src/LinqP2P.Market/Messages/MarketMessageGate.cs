namespace LinqP2P.Market.Messages;

/// <summary>What gossipsub should do with a message: forward it, drop it and penalise the sender, or drop it quietly.</summary>
public enum GateOutcome
{
    Accept,
    Reject,
    Ignore,
}

public sealed record GateVerdict(GateOutcome Outcome, string Code, string Reason, MarketEnvelope? Envelope = null, object? Body = null)
{
    public static GateVerdict Accepted(MarketEnvelope envelope, object body) => new(GateOutcome.Accept, "ok", "accepted", envelope, body);
}

/// <summary>Limits of the gate; each default is the one in SPEC.md §7.2.</summary>
public sealed record MarketGateOptions
{
    /// <summary>The chain every message must name. Default 31337 (the local devnet).</summary>
    public ulong ChainId { get; init; } = 31337;

    /// <summary>The longest a message may stay valid. Default 10 minutes.</summary>
    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How far ahead of our clock an issue time may be. Default 30 seconds.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Sustained messages per second from one sender. Default 5.</summary>
    public double MessagesPerSecond { get; init; } = 5;

    /// <summary>Burst allowance per sender. Default 50.</summary>
    public int Burst { get; init; } = 50;

    /// <summary>Most (sender, nonce) pairs remembered for replay protection. Default 200,000.</summary>
    public int MaxRememberedNonces { get; init; } = 200_000;

    /// <summary>Most senders tracked for rate limiting. Default 50,000.</summary>
    public int MaxTrackedSenders { get; init; } = 50_000;
}

/// <summary>
/// The checks every market message passes before gossipsub forwards it (SPEC.md §7.2): size and shape,
/// chain, validity window, replay, per-sender rate. Signature and stake checks run after this gate, on
/// what it accepts. Thread-safe.
/// </summary>
public sealed class MarketMessageGate(MarketGateOptions options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Sender, ulong Nonce), long> _seen = [];
    private readonly PriorityQueue<(string Sender, ulong Nonce), long> _expiries = new();
    private readonly Dictionary<string, (double Tokens, long At)> _buckets = new(StringComparer.Ordinal);

    public GateVerdict Check(ReadOnlyMemory<byte> raw)
    {
        MarketEnvelope envelope;
        object body;
        try
        {
            envelope = MarketCodec.DecodeEnvelope(raw);
            body = MarketCodec.DecodeBody(envelope);
        }
        catch (InvalidMarketMessageException e)
        {
            return new GateVerdict(GateOutcome.Reject, e.Code, e.Message);
        }

        var h = envelope.Header;
        if (h.ChainId != options.ChainId)
        {
            return new GateVerdict(GateOutcome.Reject, "market.chain", $"the message is for chain {h.ChainId}, this network is {options.ChainId}");
        }
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        if (h.ExpiresAt - h.IssuedAt > (long)options.MaxLifetime.TotalSeconds)
        {
            return new GateVerdict(GateOutcome.Reject, "market.lifetime", $"a message may be valid for at most {options.MaxLifetime}");
        }
        if (h.IssuedAt > now + (long)options.ClockSkew.TotalSeconds)
        {
            return new GateVerdict(GateOutcome.Ignore, "market.future", "the message was issued in the future; check the sender's clock");
        }
        if (h.ExpiresAt <= now)
        {
            return new GateVerdict(GateOutcome.Ignore, "market.expired", "the message has expired");
        }

        var sender = Convert.ToHexStringLower(h.Sender);
        lock (_lock)
        {
            Forget(now);
            if (_seen.ContainsKey((sender, h.Nonce)))
            {
                return new GateVerdict(GateOutcome.Reject, "market.replay", $"nonce {h.Nonce} of 0x{sender} was already used");
            }
            if (!TakeToken(sender, time.GetTimestamp()))
            {
                return new GateVerdict(GateOutcome.Reject, "market.rate", $"0x{sender} sends faster than {options.MessagesPerSecond}/s");
            }
            if (_seen.Count >= options.MaxRememberedNonces)
            {
                // Full of unexpired nonces: forgetting one early could admit a replay, so refuse instead.
                return new GateVerdict(GateOutcome.Ignore, "market.busy", "too many live messages to track; try again later");
            }
            _seen[(sender, h.Nonce)] = h.ExpiresAt;
            _expiries.Enqueue((sender, h.Nonce), h.ExpiresAt);
        }
        return GateVerdict.Accepted(envelope, body);
    }

    private void Forget(long now)
    {
        while (_expiries.TryPeek(out var key, out var expiresAt) && expiresAt <= now)
        {
            _expiries.Dequeue();
            _seen.Remove(key);
        }
    }

    private bool TakeToken(string sender, long timestamp)
    {
        if (!_buckets.TryGetValue(sender, out var bucket))
        {
            if (_buckets.Count >= options.MaxTrackedSenders)
            {
                // Drop buckets that have refilled completely: they carry no information.
                foreach (var (key, b) in _buckets.Where(kv => Refilled(kv.Value, timestamp) >= options.Burst).ToList())
                {
                    _buckets.Remove(key);
                }
                if (_buckets.Count >= options.MaxTrackedSenders)
                {
                    return false;
                }
            }
            bucket = (options.Burst, timestamp);
        }
        var tokens = Refilled(bucket, timestamp);
        if (tokens < 1)
        {
            _buckets[sender] = (tokens, timestamp);
            return false;
        }
        _buckets[sender] = (tokens - 1, timestamp);
        return true;
    }

    private double Refilled((double Tokens, long At) bucket, long timestamp) =>
        Math.Min(options.Burst, bucket.Tokens + time.GetElapsedTime(bucket.At, timestamp).TotalSeconds * options.MessagesPerSecond);
}
