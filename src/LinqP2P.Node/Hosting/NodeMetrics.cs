using Prometheus;

namespace LinqP2P.Node.Hosting;

/// <summary>
/// The node's Prometheus metrics (served at <c>/metrics</c>): jobs by state, bids, gossip messages by gate
/// outcome, executor runs by outcome, connected peers. Gauges are read from the node when scraped.
/// </summary>
public static class NodeMetrics
{
    public static readonly Gauge Jobs = Metrics.CreateGauge("linq_jobs", "Jobs this node requested, by state.", "state");

    public static readonly Counter Bids = Metrics.CreateCounter("linq_bids_total", "Market bids, by direction (sent, received).", "direction");

    public static readonly Counter GossipMessages = Metrics.CreateCounter("linq_gossip_messages_total", "Market gossip messages by the gate's verdict.", "result");

    public static readonly Counter ExecutorRuns = Metrics.CreateCounter("linq_executor_runs_total", "Shards run by the executor, by outcome.", "outcome");

    public static readonly Gauge Peers = Metrics.CreateGauge("linq_peers", "Open libp2p connections.");

    private static NodeServices? _services;

    /// <summary>Points the scrape-time gauges at <paramref name="services"/> (one node per process).</summary>
    public static void Register(NodeServices services)
    {
        var first = Interlocked.Exchange(ref _services, services) is null;
        if (first)
        {
            Metrics.DefaultRegistry.AddBeforeCollectCallback(Collect);
        }
    }

    private static void Collect()
    {
        if (_services?.Runtime is { } runtime)
        {
            Peers.Set(runtime.Host.Connections.Count);
        }
        if (_services?.Jobs is { } jobs)
        {
            var counts = jobs.List().GroupBy(j => j.State).ToDictionary(g => g.Key, g => g.Count());
            foreach (var state in Enum.GetValues<LinqP2P.Node.Jobs.JobState>())
            {
                Jobs.WithLabels(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(state.ToString())).Set(counts.GetValueOrDefault(state));
            }
        }
    }
}
