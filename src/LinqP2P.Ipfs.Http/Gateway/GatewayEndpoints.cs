using System.Text;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Http.UnixFs;
using LinqP2P.Ipfs.UnixFs;
using LinqP2P.Multiformats;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace LinqP2P.Ipfs.Http.Gateway;

/// <summary>
/// The trustless gateway (https://specs.ipfs.tech/http-gateways/trustless-gateway/): <c>GET /ipfs/{cid}</c>
/// as a raw block or a CAR (by <c>?format=</c> or the Accept header), plus deserialized UnixFS files
/// streamed with range support. SPEC.md §6.7.
/// </summary>
public static class GatewayEndpoints
{
    public const string RawContentType = "application/vnd.ipld.raw";
    public const string CarContentType = "application/vnd.ipld.car";
    public const string CarResponseContentType = "application/vnd.ipld.car; version=1; order=dfs; dups=n";

    private const string ImmutableCache = "public, max-age=29030400, immutable";
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private enum Format
    {
        Deserialized,
        Raw,
        Car,
    }

    /// <summary>Maps <c>GET|HEAD /ipfs/{cid}[/path]</c> over <paramref name="store"/>.</summary>
    public static IEndpointConventionBuilder MapIpfsGateway(this IEndpointRouteBuilder endpoints, IBlockStore store, GatewayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new GatewayOptions();
        return endpoints.MapMethods("/ipfs/{**path}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => HandleAsync(context, store, options));
    }

    private static async Task HandleAsync(HttpContext context, IBlockStore store, GatewayOptions options)
    {
        try
        {
            var format = ChooseFormat(context.Request);
            if (format is null)
            {
                await HttpErrors.WriteGatewayAsync(context, 400, "unsupported format: use ?format=raw or ?format=car (or Accept: application/vnd.ipld.raw / application/vnd.ipld.car)");
                return;
            }
            var path = context.Request.RouteValues["path"] as string ?? "";
            var (root, segments) = UnixFsPath.Parse(path);
            var resolved = await UnixFsPath.ResolveAsync(store, root, segments, context.RequestAborted);
            var response = context.Response;
            response.Headers["X-Ipfs-Path"] = "/ipfs/" + path;
            response.Headers["X-Ipfs-Roots"] = string.Join(',', resolved.PathBlocks.Select(c => c.ToString()).Append(resolved.Target.ToString()).Distinct());
            response.Headers.Vary = "Accept";
            response.Headers.CacheControl = ImmutableCache;
            switch (format.Value)
            {
                case Format.Raw:
                    await ServeRawAsync(context, store, resolved);
                    break;
                case Format.Car:
                    await ServeCarAsync(context, store, resolved);
                    break;
                default:
                    if (!options.AllowDeserialized)
                    {
                        await HttpErrors.WriteGatewayAsync(context, 406, "this gateway is trustless: ask for ?format=raw or ?format=car");
                        return;
                    }
                    await ServeDeserializedAsync(context, store, resolved);
                    break;
            }
        }
        catch (Exception e) when (HttpErrors.ForGateway(e) is { } status)
        {
            await HttpErrors.WriteGatewayAsync(context, status, e.Message);
        }
    }

    private static Format? ChooseFormat(HttpRequest request)
    {
        if (request.Query.TryGetValue("format", out var f) && f.Count > 0)
        {
            return f[0] switch
            {
                "raw" => Format.Raw,
                "car" => Format.Car,
                _ => null,
            };
        }
        foreach (var accept in request.GetTypedHeaders().Accept.OrderByDescending(a => a.Quality ?? 1))
        {
            if (accept.MediaType.Equals(RawContentType, StringComparison.OrdinalIgnoreCase))
            {
                return Format.Raw;
            }
            if (accept.MediaType.Equals(CarContentType, StringComparison.OrdinalIgnoreCase))
            {
                var version = accept.Parameters.FirstOrDefault(p => p.Name.Equals("version", StringComparison.OrdinalIgnoreCase));
                return version is null || version.Value == "1" ? Format.Car : null;
            }
        }
        return Format.Deserialized;
    }

    private static bool NotModified(HttpContext context, string etag)
    {
        context.Response.Headers.ETag = etag;
        var ifNoneMatch = context.Request.Headers.IfNoneMatch.ToString();
        if (ifNoneMatch.Length == 0)
        {
            return false;
        }
        if (ifNoneMatch.Trim() == "*" || ifNoneMatch.Split(',').Any(t => t.Trim() == etag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }
        return false;
    }

    private static async Task ServeRawAsync(HttpContext context, IBlockStore store, ResolvedPath resolved)
    {
        var block = await store.GetAsync(resolved.Target, context.RequestAborted);
        if (NotModified(context, $"\"{resolved.Target}.raw\""))
        {
            return;
        }
        var response = context.Response;
        response.ContentType = RawContentType;
        response.ContentLength = block.Length;
        response.Headers.ContentDisposition = $"attachment; filename=\"{resolved.Target}.bin\"";
        response.Headers.XContentTypeOptions = "nosniff";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(block, context.RequestAborted);
        }
    }

    private static async Task ServeCarAsync(HttpContext context, IBlockStore store, ResolvedPath resolved)
    {
        var scope = context.Request.Query["dag-scope"].FirstOrDefault() ?? "all";
        if (scope is not ("all" or "block" or "entity"))
        {
            await HttpErrors.WriteGatewayAsync(context, 400, $"dag-scope '{scope}' is not one of all, entity, block");
            return;
        }
        if (context.Request.Query.ContainsKey("entity-bytes"))
        {
            await HttpErrors.WriteGatewayAsync(context, 400, "entity-bytes is not supported by this gateway: ask for the whole entity");
            return;
        }
        // Check the target exists before the 200 goes out: a missing root is a 404, not a cut stream.
        await store.GetAsync(resolved.Target, context.RequestAborted);
        if (NotModified(context, $"W/\"{resolved.Root}.car.{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Path + "|" + scope)))[..16]}\""))
        {
            return;
        }
        var response = context.Response;
        response.ContentType = CarResponseContentType;
        response.Headers.ContentDisposition = $"attachment; filename=\"{resolved.Name}.car\"";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.AcceptRanges = "none";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        var car = new CarStreamWriter(response.Body);
        await car.WriteHeaderAsync([resolved.Root], context.RequestAborted);
        foreach (var cid in resolved.PathBlocks)
        {
            await car.WriteBlockAsync(cid, await store.GetAsync(cid, context.RequestAborted), context.RequestAborted);
        }
        if (scope == "block")
        {
            await car.WriteBlockAsync(resolved.Target, await store.GetAsync(resolved.Target, context.RequestAborted), context.RequestAborted);
        }
        else if (scope == "entity" && await UnixFsPath.TypeOfAsync(store, resolved.Target, context.RequestAborted) is UnixFsType.Directory or UnixFsType.HamtShard)
        {
            // The entity of a directory is its own blocks (every shard of a HAMT), not its children.
            var (blocks, _) = await UnixFsPath.ReadDirectoryAsync(store, resolved.Target, context.RequestAborted);
            foreach (var cid in blocks)
            {
                await car.WriteBlockAsync(cid, await store.GetAsync(cid, context.RequestAborted), context.RequestAborted);
            }
        }
        else
        {
            await car.WriteDagAsync(store, resolved.Target, context.RequestAborted);
        }
    }

    private static async Task ServeDeserializedAsync(HttpContext context, IBlockStore store, ResolvedPath resolved)
    {
        var type = await UnixFsPath.TypeOfAsync(store, resolved.Target, context.RequestAborted);
        var response = context.Response;
        switch (type)
        {
            case UnixFsType.File or UnixFsType.Raw:
                var stream = await UnixFsFileStream.OpenAsync(store, resolved.Target, context.RequestAborted);
                var contentType = ContentTypes.TryGetContentType(resolved.Name, out var ct) ? ct : "application/octet-stream";
                response.Headers.XContentTypeOptions = "nosniff";
                // FileStreamHttpResult answers Range, If-None-Match and HEAD itself, and disposes the stream.
                await TypedResults.File(stream, contentType, entityTag: new EntityTagHeaderValue($"\"{resolved.Target}\""), enableRangeProcessing: true)
                    .ExecuteAsync(context);
                break;
            case UnixFsType.Directory or UnixFsType.HamtShard:
                if (NotModified(context, $"\"DirIndex-{resolved.Target}\""))
                {
                    return;
                }
                var (_, entries) = await UnixFsPath.ReadDirectoryAsync(store, resolved.Target, context.RequestAborted);
                var listing = new StringBuilder();
                foreach (var e in entries)
                {
                    listing.Append(e.Cid).Append('\t').Append(e.DagSize).Append('\t').Append(e.Name).Append('\n');
                }
                response.ContentType = "text/plain; charset=utf-8";
                var bytes = Encoding.UTF8.GetBytes(listing.ToString());
                response.ContentLength = bytes.Length;
                if (!HttpMethods.IsHead(context.Request.Method))
                {
                    await response.Body.WriteAsync(bytes, context.RequestAborted);
                }
                break;
            default:
                await HttpErrors.WriteGatewayAsync(context, 501, $"{resolved.Target} is a UnixFS {type.ToString().ToLowerInvariant()}; ask for ?format=raw or ?format=car");
                break;
        }
    }
}
