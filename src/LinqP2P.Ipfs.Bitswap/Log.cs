using LinqP2P.Libp2p.Identity;
using Microsoft.Extensions.Logging;

namespace LinqP2P.Ipfs.Bitswap;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Bitswap: sending to {Peer} failed twice: {Reason}")]
    public static partial void SendFailed(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Bitswap: stream from {Peer} closed: {Reason}")]
    public static partial void InboundFailed(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Bitswap: {Peer} sent block {Cid} that we never asked for (corrupt or unsolicited); banned until {Until}")]
    public static partial void PeerPenalised(ILogger logger, PeerId peer, string cid, DateTimeOffset until);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Bitswap: refused a stream from {Peer}: {Reason}")]
    public static partial void StreamRefused(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Bitswap: fetched {Root}: {Blocks} blocks, {Bytes} bytes ({Fetched} from peers) in {Elapsed}")]
    public static partial void Fetched(ILogger logger, string root, int blocks, long bytes, int fetched, TimeSpan elapsed);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Bitswap: want for {Cid} to {Peer} timed out; retrying elsewhere")]
    public static partial void WantTimedOut(ILogger logger, string cid, PeerId peer);
}
