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

    public NodeRuntime RequireRuntime() =>
        Runtime ?? throw new ApiException(503, "node.starting", "the node is not running its network parts yet; retry in a moment.");

    public ProviderOnboarding RequireOnboarding() =>
        Onboarding ?? throw new ApiException(409, "node.not_provider", "this node does not sell compute; restart it with --role provider (or both).");
}
