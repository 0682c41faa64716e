using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using LinqP2P.Core;
using LinqP2P.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace LinqP2P.Node.Api;

/// <summary>
/// The node's management REST API (SPEC.md §10.2): ASP.NET Core minimal APIs on Kestrel, bound to 127.0.0.1
/// only, every route behind the bearer token, errors as problem+json, Prometheus metrics at <c>/metrics</c>
/// and the OpenAPI document at <c>/openapi.json</c>.
/// </summary>
public static class ManagementApi
{
    /// <summary>Largest request body the API reads (a resource.yaml is at most 1 MiB).</summary>
    public const long MaxRequestBytes = 2 * 1024 * 1024;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Builds the API app listening on 127.0.0.1:<paramref name="port"/> (0 = a free port).</summary>
    public static WebApplication Build(int port, ApiToken token, NodeServices services, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(services);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(ManagementApi).Assembly.GetName().Name });
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxRequestBytes;
            // Loopback only, IPv4 only: the API holds the wallet's spending power and is never exposed.
            k.Listen(IPAddress.Loopback, port);
        });
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            logging(builder.Logging);
        }
        builder.Services.AddSingleton(token);
        builder.Services.AddSingleton(services);
        NodeMetrics.Register(services);
        builder.Services.AddProblemDetails();
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = Json.DefaultIgnoreCondition;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        });
        var app = builder.Build();
        app.UseMiddleware<ApiErrorMiddleware>();
        app.UseMiddleware<ApiTokenMiddleware>();
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            var status = http.Response.StatusCode;
            var problem = status switch
            {
                404 => ApiProblems.Of(404, "api.no_route", $"there is no route {http.Request.Method} {http.Request.Path}; GET /openapi.json lists them all.", http.Request.Path),
                405 => ApiProblems.Of(405, "api.method", $"{http.Request.Path} does not accept {http.Request.Method}; GET /openapi.json lists the methods.", http.Request.Path),
                _ => ApiProblems.Of(status, "api.status_" + status.ToString(CultureInfo.InvariantCulture), "the request failed; see the node's log.", http.Request.Path),
            };
            await problem.ExecuteAsync(http);
        });
        app.UseHttpMetrics();
        Map(app);
        return app;
    }

    /// <summary>Maps every route; <c>openapi.json</c> documents exactly these (a test holds them together).</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/openapi.json", () => Results.Text(OpenApiDocument.Text, "application/json"));
        app.MapMetrics("/metrics");
        app.MapGet("/v1/node", (NodeServices s) => Results.Json(NodeInfo(s.RequireRuntime()), Json));
        app.MapGet("/v1/wallet", async (NodeServices s, CancellationToken ct) => Results.Json(await WalletAsync(s.RequireRuntime(), ct), Json));
        app.MapPost("/v1/provider/bench", async (NodeServices s, CancellationToken ct) => Results.Json(await s.RequireOnboarding().BenchAsync(null, ct), Json));
        app.MapPost("/v1/provider/register", async (HttpRequest request, NodeServices s, CancellationToken ct) =>
        {
            var body = await ReadJsonAsync<RegisterRequest>(request, ct);
            var stake = ParseLnq(body.Stake ?? "", "stake");
            var (bench, registration) = await s.RequireOnboarding().RegisterAsync(stake, body.Region ?? "local", ct);
            return Results.Json(new { bench, registration }, Json);
        });
        JobRoutes.Map(app);
        ProviderRoutes.Map(app);
    }

    public static object NodeInfo(NodeRuntime r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new
        {
            peerId = r.Host.PeerId.ToString(),
            addrs = r.Host.ListenAddresses.Select(a => a.WithPeerId(r.Host.PeerId).ToString()).ToArray(),
            role = r.Options.Role.ToString().ToLowerInvariant(),
            wallet = r.Wallet.Address.ToString(),
            chain = new { chainId = r.Chain.ChainId, rpcUrl = r.Chain.RpcUrl, contracts = r.Chain.Contracts },
            version = NodeRuntime.Version,
            startedAt = r.StartedAt,
            peers = r.Host.Connections.Select(c => new { peerId = c.RemotePeer.ToString(), addr = c.RemoteAddress.ToString() }).ToArray(),
        };
    }

    private static async Task<object> WalletAsync(NodeRuntime r, CancellationToken ct)
    {
        var address = r.Wallet.Address;
        var eth = await r.Rpc.GetBalanceAsync(address.ToString(), cancellationToken: ct);
        var lnq = await r.Contracts.Token.BalanceOfAsync(address, cancellationToken: ct);
        var providerId = await r.Contracts.Registry.ProviderIdOfAsync(address, cancellationToken: ct);
        return new
        {
            address = address.ToString(),
            chainId = r.Chain.ChainId,
            ethWei = eth.ToString(CultureInfo.InvariantCulture),
            lnqWei = lnq.ToString(CultureInfo.InvariantCulture),
            lnq = FormatLnq(lnq),
            providerId = providerId == 0 ? null : providerId.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Reads a JSON body of at most <see cref="MaxRequestBytes"/>, turning every failure into a 400 with the fix.</summary>
    public static async Task<T> ReadJsonAsync<T>(HttpRequest request, CancellationToken ct)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(415, "api.content_type", $"send the body as application/json, not {type}.");
        }
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, Json, ct)
                ?? throw new ApiException(400, "api.bad_body", "the body is empty; send a JSON object.");
        }
        catch (JsonException e)
        {
            throw new ApiException(400, "api.bad_json", $"the body is not valid JSON for this route ({e.Message}); see /openapi.json.");
        }
    }

    /// <summary>"10000", "10000 LNQ", "0.5 LNQ" (18 decimals) or "N wei" into wei.</summary>
    public static BigInteger ParseLnq(string text, string field)
    {
        var s = (text ?? "").Trim();
        if (s.EndsWith("wei", StringComparison.OrdinalIgnoreCase))
        {
            return BigInteger.TryParse(s[..^3].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var wei) && wei > 0
                ? wei
                : throw new ApiException(400, "api.bad_amount", $"{field} '{text}' is not an amount; e.g. 10000 LNQ or 5 wei.");
        }
        if (s.EndsWith("LNQ", StringComparison.OrdinalIgnoreCase))
        {
            s = s[..^3].Trim();
        }
        var parts = s.Split('.');
        if (parts.Length is < 1 or > 2 || parts[0].Length is 0 or > 30 || !parts[0].All(char.IsAsciiDigit)
            || (parts.Length == 2 && (parts[1].Length is 0 or > 18 || !parts[1].All(char.IsAsciiDigit))))
        {
            throw new ApiException(400, "api.bad_amount", $"{field} '{text}' is not an amount; e.g. 10000 LNQ, 0.25 LNQ or 5 wei.");
        }
        var whole = BigInteger.Parse(parts[0], CultureInfo.InvariantCulture) * BigInteger.Pow(10, 18);
        var frac = parts.Length == 2 ? BigInteger.Parse(parts[1].PadRight(18, '0'), CultureInfo.InvariantCulture) : BigInteger.Zero;
        var amount = whole + frac;
        return amount > 0 ? amount : throw new ApiException(400, "api.bad_amount", $"{field} must be more than 0.");
    }

    public static string FormatLnq(BigInteger wei)
    {
        var unit = BigInteger.Pow(10, 18);
        var whole = BigInteger.DivRem(wei, unit, out var rest);
        var frac = rest.IsZero ? "" : "." + rest.ToString(CultureInfo.InvariantCulture).PadLeft(18, '0').TrimEnd('0');
        return whole.ToString(CultureInfo.InvariantCulture) + frac + " LNQ";
    }

    private sealed record RegisterRequest(string? Stake, string? Region);
}

/// <summary>Turns every typed fault escaping a route into problem+json, and the rest into a 500 problem without internals.</summary>
public sealed class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            await next(context);
        }
        catch (LinqException e) when (!context.Response.HasStarted)
        {
            NodeLog.RequestFailed(log, e.Code, e.Message);
            context.Response.Clear();
            await ApiProblems.From(e, context.Request.Path).ExecuteAsync(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await ApiProblems.Of(e.StatusCode, e.StatusCode == 413 ? "api.too_large" : "api.bad_request",
                e.StatusCode == 413 ? $"the body is larger than {ManagementApi.MaxRequestBytes} bytes." : e.Message, context.Request.Path).ExecuteAsync(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OutOfMemoryException)
        {
            NodeLog.RequestFailed(log, "api.internal", e.ToString());
            context.Response.Clear();
            await ApiProblems.Of(500, "api.internal", "the node failed to answer this request; the node's log has the details. Retry, and report it if it persists.", context.Request.Path).ExecuteAsync(context);
        }
    }
}
