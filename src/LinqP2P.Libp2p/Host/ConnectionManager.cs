using System.Diagnostics;

namespace LinqP2P.Libp2p.Host;

/// <summary>
/// Admission control for inbound connections (count, rate, handshakes in flight) and the redial
/// backoff schedule. The host asks it before it spends anything on a new socket.
/// </summary>
public sealed class ConnectionManager
{
    private readonly ConnectionLimits _limits;
    private readonly object _sync = new();
    private double _tokens;
    private long _lastRefill = Stopwatch.GetTimestamp();
    private int _pendingUpgrades;

    public ConnectionManager(ConnectionLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
        _tokens = limits.MaxInboundPerSecond;
    }

    /// <summary>Counts refusals, for tests and metrics.</summary>
    public long RefusedInbound { get; private set; }

    /// <summary>True when one more inbound connection may start its handshake; the caller must then call <see cref="UpgradeFinished"/>.</summary>
    public bool TryAdmitInbound(int openConnections)
    {
        lock (_sync)
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_limits.MaxInboundPerSecond, _tokens + (Stopwatch.GetElapsedTime(_lastRefill, now).TotalSeconds * _limits.MaxInboundPerSecond));
            _lastRefill = now;
            if (openConnections + _pendingUpgrades >= _limits.MaxConnections || _pendingUpgrades >= _limits.MaxPendingUpgrades || _tokens < 1)
            {
                RefusedInbound++;
                return false;
            }
            _tokens -= 1;
            _pendingUpgrades++;
            return true;
        }
    }

    public void UpgradeFinished()
    {
        lock (_sync)
        {
            _pendingUpgrades--;
        }
    }

    /// <summary>True when an outbound connection may be added.</summary>
    public bool CanDial(int openConnections) => openConnections < _limits.MaxConnections;

    /// <summary>The wait before redial number <paramref name="attempt"/> (0-based): exponential with ±20 % jitter, capped.</summary>
    public TimeSpan Backoff(int attempt)
    {
        var baseMs = _limits.ReconnectInitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var capped = Math.Min(baseMs, _limits.ReconnectMaxBackoff.TotalMilliseconds);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(Math.Min(capped * jitter, _limits.ReconnectMaxBackoff.TotalMilliseconds));
    }
}
