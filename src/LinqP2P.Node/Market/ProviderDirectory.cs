using System.Collections.Concurrent;
using System.Numerics;
using LinqP2P.Contracts;
using LinqP2P.Ethereum;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Node.Market;

/// <summary>A registered provider as the market sees it: the registry binds its wallet to its libp2p peer id.</summary>
public sealed record ProviderEntry(ulong Id, Address Owner, PeerId? PeerId, bool Active, int SuccessRateBps, DateTimeOffset ReadAt);

/// <summary>
/// A cache of the ProviderRegistry (SPEC.md §7.3), read so gossip validators (which run on the router loop
/// and must not block) can check a sender without a chain call. Entries expire after
/// <see cref="MaxAge"/>; a miss schedules a refresh, and every refresh reads all providers.
/// </summary>
public sealed class ProviderDirectory(ProviderRegistry registry, TimeProvider time) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Address, ProviderEntry> _byOwner = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _refreshNow = new(0, 1);
    private Task? _loop;

    /// <summary>How long an entry is trusted. Default 30 seconds.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often every provider is re-read. Default 5 seconds.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    /// <summary>The fresh entry of <paramref name="owner"/>, or null (and a refresh is scheduled).</summary>
    public ProviderEntry? TryGet(Address owner)
    {
        if (_byOwner.TryGetValue(owner, out var entry) && time.GetUtcNow() - entry.ReadAt <= MaxAge)
        {
            return entry;
        }
        RequestRefresh();
        return null;
    }

    /// <summary>The entry of <paramref name="owner"/>, reading the chain when the cache has none.</summary>
    public async Task<ProviderEntry?> GetAsync(Address owner, CancellationToken cancellationToken)
    {
        if (TryGet(owner) is { } fresh)
        {
            return fresh;
        }
        var id = await registry.ProviderIdOfAsync(owner, cancellationToken: cancellationToken);
        return id.IsZero ? null : await ReadAsync(id, cancellationToken);
    }

    public void RequestRefresh()
    {
        if (_refreshNow.CurrentCount == 0)
        {
            try
            {
                _refreshNow.Release();
            }
            catch (SemaphoreFullException)
            {
                // another caller asked first
            }
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var count = (ulong)await registry.ProviderCountAsync(cancellationToken: cancellationToken);
        for (ulong id = 1; id <= count; id++)
        {
            await ReadAsync(id, cancellationToken);
        }
    }

    private async Task<ProviderEntry> ReadAsync(BigInteger id, CancellationToken cancellationToken)
    {
        var owner = await registry.OwnerOfAsync(id, cancellationToken: cancellationToken);
        var caps = await registry.CapabilitiesAsync(id, cancellationToken: cancellationToken);
        var active = await registry.IsActiveAsync(id, cancellationToken: cancellationToken);
        var rate = (int)await registry.SuccessRateBpsAsync(id, cancellationToken: cancellationToken);
        PeerId? peer = null;
        try
        {
            peer = PeerId.FromBytes(caps.PeerId);
        }
        catch (Exception e) when (e is LinqP2P.Core.LinqException or ArgumentException)
        {
            // A provider registered with a peer id that is not a libp2p id: it cannot be reached, so never trusted.
        }
        var entry = new ProviderEntry((ulong)id, owner, peer, active, rate, time.GetUtcNow());
        _byOwner[owner] = entry;
        return entry;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _refreshNow.WaitAsync(RefreshInterval, _stop.Token);
                await RefreshAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (LinqP2P.Core.LinqException)
            {
                // The chain was unreachable; keep the old entries until they expire and try again.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
        _refreshNow.Dispose();
    }
}
