using LinqP2P.Node.Api;

namespace LinqP2P.Node.Hosting;

/// <summary>
/// What the API's routes reach: the running node and the market facades. A part the node's role does not
/// include is null, and a route that needs it answers a 409 problem naming the role to start with.
/// </summary>
public sealed class NodeServices
{
    public NodeRuntime? Runtime { get; init; }

    public ProviderOnboarding? Onboarding { get; init; }

    /// <summary>The requester facade; null on a provider-only node.</summary>
    public LinqP2P.Node.Jobs.IRequesterJobs? Jobs { get; init; }

    /// <summary>The provider facade; null on a client-only node.</summary>
    public LinqP2P.Node.Jobs.IProviderMarket? Market { get; init; }

    public LinqP2P.Node.Jobs.IRequesterJobs RequireJobs() =>
        Jobs ?? throw new ApiException(409, "node.not_client", "this node does not buy compute; restart it with --role client (or both) to submit jobs.");

    public LinqP2P.Node.Jobs.IProviderMarket RequireMarket() =>
        Market ?? throw new ApiException(409, "node.not_provider", "this node does not sell compute; restart it with --role provider (or both).");

    /// <summary>The job named by <paramref name="id"/> (0x + 64 hex digits), or a 400/404 problem.</summary>
    public LinqP2P.Node.Jobs.JobStatus RequireJob(string id)
    {
        var jobs = RequireJobs();
        var parsed = LinqP2P.Node.Jobs.JobId.Parse(id);
        return jobs.Get(parsed) ?? throw new LinqP2P.Node.Jobs.JobNotFoundException(parsed);
    }

    public NodeRuntime RequireRuntime() =>
        Runtime ?? throw new ApiException(503, "node.starting", "the node is not running its network parts yet; retry in a moment.");

    public ProviderOnboarding RequireOnboarding() =>
        Onboarding ?? throw new ApiException(409, "node.not_provider", "this node does not sell compute; restart it with --role provider (or both).");
}
