using LinqP2P.Ipfs.Bitswap;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Pinning;
using LinqP2P.Multiformats;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LinqP2P.Ipfs.Routing;

/// <summary>
/// Announces the roots this node keeps, its pins, through <see cref="IContentRouting"/> (SPEC.md §6.10
/// "Provider routing"). Only roots: whoever fetches a DAG finds its root's providers and asks them for the
/// rest in the same Bitswap session. A pin is announced once its root block is in the store; the DHT
/// republishes what it provides, so each root is announced once per process. Unpinned roots are not
/// withdrawn (DHT records cannot be); they expire with the DHT's provider TTL.
/// </summary>
public sealed partial class ProviderAnnouncer
{
    private readonly IContentRouting _routing;
    private readonly PinStore _pins;
    private readonly IBlockStore _store;
    private readonly ILogger _logger;
    private readonly HashSet<Cid> _announced = [];
    private readonly SemaphoreSlim _gate = new(1, 1);

    public ProviderAnnouncer(IContentRouting routing, PinStore pins, IBlockStore store, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(routing);
        ArgumentNullException.ThrowIfNull(pins);
        ArgumentNullException.ThrowIfNull(store);
        _routing = routing;
        _pins = pins;
        _store = store;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Roots announced so far.</summary>
    public IReadOnlyCollection<Cid> Announced
    {
        get
        {
            lock (_announced)
            {
                return [.. _announced];
            }
        }
    }

    /// <summary>
    /// Announces every pinned root not announced yet whose block is stored. Returns how many were announced;
    /// a root the DHT could tell no peer about (no peers yet) is tried again on the next call.
    /// </summary>
    public async Task<int> AnnounceNewPinsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var count = 0;
            foreach (var pin in _pins.List())
            {
                lock (_announced)
                {
                    if (_announced.Contains(pin.Cid))
                    {
                        continue;
                    }
                }
                if (!await _store.HasAsync(pin.Cid, cancellationToken))
                {
                    continue;
                }
                var told = await _routing.ProvideAsync(pin.Cid, cancellationToken);
                if (told == 0)
                {
                    LogNobodyTold(_logger, pin.Cid.ToString());
                    continue;
                }
                lock (_announced)
                {
                    _announced.Add(pin.Cid);
                }
                LogAnnounced(_logger, pin.Cid.ToString(), told);
                count++;
            }
            return count;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Announces new pins every <paramref name="interval"/> until cancelled (a node's hosted loop).</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        using var timer = new PeriodicTimer(interval);
        do
        {
            try
            {
                await AnnounceNewPinsAsync(cancellationToken);
            }
            catch (Exception e) when (e is Core.LinqException or IOException)
            {
                LogFailed(_logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Providers: announced {Cid} to {Peers} DHT peers")]
    private static partial void LogAnnounced(ILogger logger, string cid, int peers);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Providers: no DHT peer to announce {Cid} to yet; will retry")]
    private static partial void LogNobodyTold(ILogger logger, string cid);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Providers: announcing pins failed: {Reason}; will retry")]
    private static partial void LogFailed(ILogger logger, string reason);
}
