using LinqP2P.Libp2p.Identity;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Bitswap;

/// <summary>
/// How far a fetch has got. "Done" counts every block of the DAG now in the local store (found there or
/// fetched); "Fetched" only those that came from peers.
/// </summary>
public readonly record struct FetchProgress(int BlocksDone, long BytesDone, int BlocksFetched, long BytesFetched, int BlocksPending, int Peers);

/// <summary>The outcome of a completed fetch: every block reachable from <see cref="Root"/> is in the local store.</summary>
public sealed record FetchResult(
    Cid Root,
    int Blocks,
    long Bytes,
    int BlocksFetched,
    long BytesFetched,
    TimeSpan Elapsed,
    IReadOnlyDictionary<PeerId, int> BlocksByPeer);
