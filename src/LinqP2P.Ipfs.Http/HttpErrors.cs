using System.Text.Json;
using LinqP2P.Core;
using LinqP2P.Ipfs.Http.UnixFs;
using Microsoft.AspNetCore.Http;

namespace LinqP2P.Ipfs.Http;

/// <summary>
/// Kubo's error body: <c>{"Message": "...", "Code": 0, "Type": "error"}</c>. Code is go-ipfs-cmds'
/// ErrorType: 0 normal (HTTP 500), 1 client (400), 3 not found (404).
/// </summary>
public sealed record KuboError(string Message, int Code, string Type = "error")
{
    public const int Normal = 0;
    public const int Client = 1;
    public const int NotFound = 3;
}

internal static class HttpErrors
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = null };

    /// <summary>Maps an exception to Kubo's error shape, or null when it is not an expected fault.</summary>
    public static (int Status, KuboError Error)? ForRpc(Exception e) => e switch
    {
        BlockNotFoundException b => (500, new KuboError($"block was not found locally (offline): {b.Message}", KuboError.Normal)),
        IpfsPathNotFoundException p => (500, new KuboError(p.Message, KuboError.Normal)),
        BlockstoreQuotaExceededException q => (500, new KuboError(q.Message, KuboError.Normal)),
        BlockCorruptedException c => (500, new KuboError(c.Message, KuboError.Normal)),
        UnsafePathException u => (400, new KuboError(u.Message, KuboError.Client)),
        IpfsFormatException f => (400, new KuboError(f.Message, KuboError.Client)),
        InvalidInputException i => (400, new KuboError(i.Message, KuboError.Client)),
        LinqException l => (500, new KuboError(l.Message, KuboError.Normal)),
        InvalidDataException d => (400, new KuboError("malformed request body: " + d.Message, KuboError.Client)),
        ArgumentException a => (400, new KuboError(a.Message, KuboError.Client)),
        BadHttpRequestException h => (h.StatusCode, new KuboError(h.Message, h.StatusCode == 400 ? KuboError.Client : KuboError.Normal)),
        IOException io => (500, new KuboError("storage error: " + io.Message, KuboError.Normal)),
        _ => null,
    };

    /// <summary>Maps an exception to a gateway status, or null when it is not an expected fault.</summary>
    public static int? ForGateway(Exception e) => e switch
    {
        BlockNotFoundException or IpfsPathNotFoundException => 404,
        UnsafePathException or InvalidInputException or IpfsFormatException => 400,
        BlockCorruptedException => 502,
        LinqException or IOException => 500,
        _ => null,
    };

    public static async Task WriteRpcAsync(HttpContext context, int status, KuboError error)
    {
        if (context.Response.HasStarted)
        {
            // Headers are gone: the only honest signal left is to cut the response.
            context.Abort();
            return;
        }
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(error, Json), context.RequestAborted);
    }

    public static async Task WriteGatewayAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted);
    }
}
