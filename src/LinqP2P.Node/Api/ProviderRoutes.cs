using Microsoft.AspNetCore.Routing;

namespace LinqP2P.Node.Api;

/// <summary>Provider routes: policy get/put, market status.</summary>
internal static class ProviderRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
    }
}
