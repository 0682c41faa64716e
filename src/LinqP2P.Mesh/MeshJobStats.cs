namespace LinqP2P.Mesh;

/// <summary>What the mesh did for one job on this node, since its first link.</summary>
/// <param name="BytesToPeers">Bytes the job's containers on this node sent into their links.</param>
/// <param name="BytesFromPeers">Bytes delivered to the job's containers on this node.</param>
/// <param name="LinksOpened">Links relayed (outgoing and incoming).</param>
/// <param name="LinksRefused">Links refused here, or refused by the remote node for us.</param>
/// <param name="LinksOpen">Links open right now.</param>
public sealed record MeshJobStats(long BytesToPeers, long BytesFromPeers, long LinksOpened, long LinksRefused, int LinksOpen);

internal sealed class MeshJobCounters
{
    private long _toPeers;
    private long _fromPeers;
    private long _opened;
    private long _refused;
    private int _open;

    public int Open => Volatile.Read(ref _open);

    public void Add(bool toPeers, int bytes)
    {
        if (toPeers)
        {
            Interlocked.Add(ref _toPeers, bytes);
        }
        else
        {
            Interlocked.Add(ref _fromPeers, bytes);
        }
    }

    public void Refused() => Interlocked.Increment(ref _refused);

    /// <summary>Takes a slot when fewer than <paramref name="max"/> links are open.</summary>
    public bool TryOpen(int max)
    {
        while (true)
        {
            var open = Volatile.Read(ref _open);
            if (open >= max)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _open, open + 1, open) == open)
            {
                Interlocked.Increment(ref _opened);
                return true;
            }
        }
    }

    public void Close() => Interlocked.Decrement(ref _open);

    public MeshJobStats Snapshot() => new(
        Interlocked.Read(ref _toPeers), Interlocked.Read(ref _fromPeers), Interlocked.Read(ref _opened), Interlocked.Read(ref _refused), Open);
}
