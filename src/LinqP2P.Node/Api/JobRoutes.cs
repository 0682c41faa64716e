using Microsoft.AspNetCore.Routing;

namespace LinqP2P.Node.Api;

/// <summary>Requester routes: submit, list, status, cancel, result, logs, events (SSE).</summary>
internal static class JobRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
    }
}
