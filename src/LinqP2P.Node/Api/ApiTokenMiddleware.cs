using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace LinqP2P.Node.Api;

/// <summary>
/// Requires <c>Authorization: Bearer &lt;token&gt;</c> on every request, the token being the one the node wrote to
/// <c>&lt;data-dir&gt;/api-token</c> (mode 0600). Compared in constant time; anything else is a 401 problem.
/// </summary>
public sealed class ApiTokenMiddleware(RequestDelegate next, ApiToken token)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var header = context.Request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || !token.Matches(header[prefix.Length..].Trim()))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"linq\"";
            var problem = ApiProblems.Of(StatusCodes.Status401Unauthorized, header.Length == 0 ? "api.token_missing" : "api.token_invalid",
                (header.Length == 0 ? "this request carries no API token" : "the API token is wrong")
                + $"; send `Authorization: Bearer <token>` with the token in {token.Source} (the CLI does this for you; `--token` overrides it).",
                context.Request.Path);
            await problem.ExecuteAsync(context);
            return;
        }
        await next(context);
    }
}

/// <summary>The bearer token the API accepts, and where it is kept (named in 401 answers).</summary>
public sealed class ApiToken(string value, string source)
{
    private readonly byte[] _bytes = Encoding.UTF8.GetBytes(value);

    public string Source { get; } = source;

    public bool Matches(string candidate) =>
        CryptographicOperations.FixedTimeEquals(_bytes, Encoding.UTF8.GetBytes(candidate));
}
