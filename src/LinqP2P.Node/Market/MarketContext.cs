using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Rpc;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Multiformats;
using LinqP2P.Node.Devnet;

namespace LinqP2P.Node.Market;

/// <summary>
/// Moves a DAG from other peers into the local blockstore. The node implements it with Bitswap; the engines
/// depend only on this, so the market does not care how blocks travel.
/// </summary>
public interface IContentFetcher
{
    /// <summary>Fetches every block of the DAG under <paramref name="root"/> (a no-op for blocks already stored).</summary>
    Task FetchDagAsync(Cid root, IReadOnlyCollection<PeerId> providers, CancellationToken cancellationToken);
}

/// <summary>What both market engines share: the wallet, the chain, the gossip, the store and the blocks.</summary>
public sealed class MarketContext
{
    public required PrivateKey Wallet { get; init; }

    public required EthRpc Rpc { get; init; }

    /// <summary>The settlement contracts, attached with a sender that signs with <see cref="Wallet"/>.</summary>
    public required SettlementContracts Contracts { get; init; }

    public required MarketGossip Gossip { get; init; }

    public required ProviderDirectory Directory { get; init; }

    public required MarketStore Store { get; init; }

    public required IBlockStore Blocks { get; init; }

    public required IContentFetcher Fetcher { get; init; }

    public required PeerId LocalPeer { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How often the engines step their state machines. Default 500 ms.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest one block transfer may take before a fetch is retried. Default 60 seconds.</summary>
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public UnixFsExporter Exporter => new(Blocks);

    /// <summary>
    /// The chain's notion of now: the newest block's timestamp, or the wall clock when that is later (an
    /// automining devnet makes blocks only for transactions; the next block takes the wall clock time).
    /// </summary>
    public async Task<long> ChainNowAsync(CancellationToken cancellationToken)
    {
        var latest = await Rpc.GetBlockByNumberAsync(BlockTag.Latest, cancellationToken);
        return Math.Max(latest?.Timestamp ?? 0, Time.GetUtcNow().ToUnixTimeSeconds());
    }

    /// <summary>Reads a whole UnixFS file from the local store (after a fetch), at most <paramref name="limit"/> bytes.</summary>
    public async Task<byte[]> ReadFileAsync(Cid cid, long limit, CancellationToken cancellationToken)
    {
        var stat = await Exporter.StatAsync(cid, cancellationToken);
        if ((long)stat.ContentSize > limit)
        {
            throw new MarketException("market.too_large", $"{cid} has {stat.ContentSize} bytes, more than the {limit} allowed here");
        }
        using var buffer = new MemoryStream();
        await Exporter.CatAsync(cid, buffer, cancellationToken: cancellationToken);
        return buffer.ToArray();
    }
}

/// <summary>A market step failed for a reason the operator can act on.</summary>
public sealed class MarketException(string code, string message, bool retryable = false, Exception? inner = null)
    : LinqP2P.Core.LinqException(code, message, retryable, inner);
