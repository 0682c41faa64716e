using LinqP2P.Libp2p.Host;

namespace LinqP2P.Libp2p.Tests.Host;

public class ConnectionManagerTests
{
    private static readonly ConnectionLimits Limits = new()
    {
        MaxConnections = 3,
        MaxInboundPerSecond = 100,
        MaxPendingUpgrades = 2,
        ReconnectInitialBackoff = TimeSpan.FromSeconds(1),
        ReconnectMaxBackoff = TimeSpan.FromSeconds(60),
    };

    [Fact]
    public void Backoff_GrowsExponentially_WithJitter_UpToTheMaximum()
    {
        var manager = new ConnectionManager(Limits);
        Assert.InRange(manager.Backoff(0), TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(1.2));
        Assert.InRange(manager.Backoff(3), TimeSpan.FromSeconds(6.4), TimeSpan.FromSeconds(9.6));
        Assert.InRange(manager.Backoff(40), TimeSpan.FromSeconds(48), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void TryAdmitInbound_RefusesBeyondPendingHandshakesAndConnections()
    {
        var manager = new ConnectionManager(Limits);
        Assert.True(manager.TryAdmitInbound(0));
        Assert.True(manager.TryAdmitInbound(0));
        Assert.False(manager.TryAdmitInbound(0)); // two handshakes already in flight
        manager.UpgradeFinished();
        manager.UpgradeFinished();
        Assert.False(manager.TryAdmitInbound(3)); // connection cap reached
        Assert.Equal(2, manager.RefusedInbound);
        Assert.False(manager.CanDial(3));
        Assert.True(manager.CanDial(2));
    }

    [Fact]
    public void Options_RejectInvalidLimits()
    {
        Assert.Throws<ArgumentException>(() => new HostOptions { Limits = new ConnectionLimits { MaxConnections = 0 } }.Validate());
        Assert.Throws<ArgumentException>(() => new HostOptions { Yamux = new Yamux.YamuxOptions { WindowSize = 1024 } }.Validate());
    }
}
