using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Ipfs.Bitswap;

/// <summary>What we exchanged with one peer since the service started (SPEC.md §6.8).</summary>
public sealed record PeerLedgerSnapshot(
    PeerId Peer,
    long BytesSent,
    long BytesReceived,
    long BlocksSent,
    long BlocksReceived,
    long DuplicateBlocks,
    long CorruptBlocks,
    long MalformedMessages,
    int WantsServing,
    DateTimeOffset? BannedUntil);

/// <summary>Per-peer counters; updated lock-free from the stream handlers and senders.</summary>
internal sealed class PeerLedger(PeerId peer)
{
    private long _bytesSent;
    private long _bytesReceived;
    private long _blocksSent;
    private long _blocksReceived;
    private long _duplicateBlocks;
    private long _corruptBlocks;
    private long _malformedMessages;
    private long _bannedUntilTicks;

    public PeerId Peer { get; } = peer;

    public void Sent(int blocks, long bytes)
    {
        Interlocked.Add(ref _blocksSent, blocks);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    public void Received(long bytes) => Interlocked.Add(ref _bytesReceived, bytes);

    public void BlockReceived() => Interlocked.Increment(ref _blocksReceived);

    public void Duplicate() => Interlocked.Increment(ref _duplicateBlocks);

    public void Corrupt() => Interlocked.Increment(ref _corruptBlocks);

    public void Malformed() => Interlocked.Increment(ref _malformedMessages);

    public void Ban(DateTimeOffset until) => Interlocked.Exchange(ref _bannedUntilTicks, until.UtcTicks);

    public bool IsBanned(DateTimeOffset now) => Interlocked.Read(ref _bannedUntilTicks) > now.UtcTicks;

    public PeerLedgerSnapshot Snapshot(int wantsServing)
    {
        var banned = Interlocked.Read(ref _bannedUntilTicks);
        return new PeerLedgerSnapshot(
            Peer,
            Interlocked.Read(ref _bytesSent),
            Interlocked.Read(ref _bytesReceived),
            Interlocked.Read(ref _blocksSent),
            Interlocked.Read(ref _blocksReceived),
            Interlocked.Read(ref _duplicateBlocks),
            Interlocked.Read(ref _corruptBlocks),
            Interlocked.Read(ref _malformedMessages),
            wantsServing,
            banned == 0 ? null : new DateTimeOffset(banned, TimeSpan.Zero));
    }
}
