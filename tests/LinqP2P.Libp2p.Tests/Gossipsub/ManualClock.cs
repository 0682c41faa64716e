namespace LinqP2P.Libp2p.Tests.Gossipsub;

/// <summary>A virtual clock for routers: time moves only when the test moves it.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _now.UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => _now += by;

    public void Set(DateTimeOffset to)
    {
        if (to > _now)
        {
            _now = to;
        }
    }
}
