using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using LinqP2P.Core;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.DagPb;
using LinqP2P.Ipfs.Http.UnixFs;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Ipfs.Pinning;
using LinqP2P.Ipfs.UnixFs;
using LinqP2P.Multiformats;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace LinqP2P.Ipfs.Http.Rpc;

/// <summary>
/// The part of Kubo's RPC API (https://docs.ipfs.tech/reference/kubo/rpc/) that tools use: add, cat, get,
/// pin add|rm|ls, block get|put|stat|rm, refs/local, id, version. POST only, errors in Kubo's JSON shape,
/// browser origins refused unless allowed. SPEC.md §6.7.
/// </summary>
public static class KuboRpcEndpoints
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = null };

    /// <summary>Maps <c>/api/v0/*</c> over <paramref name="repo"/>.</summary>
    public static IEndpointConventionBuilder MapKuboRpc(this IEndpointRouteBuilder endpoints, IpfsRepo repo, KuboRpcOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(repo);
        options ??= new KuboRpcOptions();
        return endpoints.Map("/api/v0/{**command}", (HttpContext context) => HandleAsync(context, repo, options));
    }

    private static async Task HandleAsync(HttpContext context, IpfsRepo repo, KuboRpcOptions options)
    {
        var command = context.Request.RouteValues["command"] as string ?? "";
        try
        {
            if (context.Request.Headers.Origin is { Count: > 0 } origin && !options.AllowedOrigins.Contains(origin.ToString(), StringComparer.Ordinal))
            {
                await HttpErrors.WriteRpcAsync(context, 403, new KuboError($"origin '{origin}' is not allowed to call this API (add it to the node's allowed origins)", KuboError.Client));
                return;
            }
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                context.Response.Headers.Allow = "POST";
                await HttpErrors.WriteRpcAsync(context, 405, new KuboError($"method {context.Request.Method} not allowed: the RPC API takes POST", KuboError.Client));
                return;
            }
            var args = new RpcArgs(context.Request.Query);
            var ct = context.RequestAborted;
            switch (command)
            {
                case "add":
                    await AddAsync(context, repo, options, args);
                    break;
                case "cat":
                    await CatAsync(context, repo, args);
                    break;
                case "get":
                    await GetAsync(context, repo, args);
                    break;
                case "pin/add":
                    await PinAddAsync(context, repo, args);
                    break;
                case "pin/rm":
                    await PinRmAsync(context, repo, args);
                    break;
                case "pin/ls":
                    await PinLsAsync(context, repo, args);
                    break;
                case "block/get":
                    var block = await repo.Blocks.GetAsync(RpcArgs.ParseCid(args.Single("cid")), ct);
                    context.Response.ContentType = "application/octet-stream";
                    context.Response.ContentLength = block.Length;
                    await context.Response.Body.WriteAsync(block, ct);
                    break;
                case "block/put":
                    await BlockPutAsync(context, repo, args);
                    break;
                case "block/stat":
                    var cid = RpcArgs.ParseCid(args.Single("cid"));
                    var bytes = await repo.Blocks.GetAsync(cid, ct);
                    await WriteJsonAsync(context, new { Key = cid.ToString(), Size = bytes.Length });
                    break;
                case "block/rm":
                    await BlockRmAsync(context, repo, args);
                    break;
                case "refs/local":
                    context.Response.ContentType = "application/json";
                    await foreach (var local in repo.Blocks.ListAsync(ct))
                    {
                        await WriteLineAsync(context, new { Ref = local.ToString(), Err = "" });
                    }
                    break;
                case "id":
                    await IdAsync(context, options, args);
                    break;
                case "version":
                    await WriteJsonAsync(context, new { Version = options.AgentVersion, Commit = "", Repo = "linq", System = $"{System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}/{Environment.OSVersion.Platform}".ToLowerInvariant(), Golang = "" });
                    break;
                default:
                    await HttpErrors.WriteRpcAsync(context, 404, new KuboError($"unknown command '{command}': this node serves add, cat, get, pin/add|rm|ls, block/get|put|stat|rm, refs/local, id, version", KuboError.NotFound));
                    break;
            }
        }
        catch (Exception e) when (HttpErrors.ForRpc(e) is { } mapped)
        {
            await HttpErrors.WriteRpcAsync(context, mapped.Status, mapped.Error);
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, object value)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(value, Json) + "\n", context.RequestAborted);
    }

    private static Task WriteLineAsync(HttpContext context, object value) =>
        context.Response.WriteAsync(JsonSerializer.Serialize(value, Json) + "\n", context.RequestAborted);

    private static MultipartReader MultipartOf(HttpContext context)
    {
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type)
            || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidInputException("ipfs.rpc.not_multipart", "the body must be multipart/form-data with one part per file");
        }
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            throw new InvalidInputException("ipfs.rpc.not_multipart", "the multipart body has no usable boundary");
        }
        return new MultipartReader(boundary, context.Request.Body);
    }

    /// <summary>One multipart part as Kubo reads it: a file, a directory or a symlink at a '/'-separated path.</summary>
    private sealed record Part(string Path, string Kind, MultipartSection Section);

    private static async Task<Part?> NextPartAsync(MultipartReader reader, CancellationToken ct)
    {
        var section = await reader.ReadNextSectionAsync(ct);
        if (section is null)
        {
            return null;
        }
        if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidInputException("ipfs.rpc.bad_part", "a multipart part has no form-data Content-Disposition");
        }
        var raw = HeaderUtilities.RemoveQuotes(disposition.FileName.HasValue ? disposition.FileName : disposition.FileNameStar).Value ?? "";
        string path;
        try
        {
            path = Uri.UnescapeDataString(raw);
        }
        catch (UriFormatException e)
        {
            throw new InvalidInputException("ipfs.rpc.bad_part", $"the part name '{raw}' is not URL-encoded text", e);
        }
        var kind = section.ContentType switch
        {
            "application/x-directory" => "dir",
            "application/symlink" => "symlink",
            _ => "file",
        };
        return new Part(path, kind, section);
    }

    private static async Task AddAsync(HttpContext context, IpfsRepo repo, KuboRpcOptions options, RpcArgs args)
    {
        var ct = context.RequestAborted;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxAddBytes;
        }
        var profile = args.Profile(options.DefaultProfile);
        var onlyHash = args.Bool("only-hash", false);
        var pin = args.Bool("pin", true) && !onlyHash;
        var wrap = args.Bool("wrap-with-directory", false);
        IBlockStore store = onlyHash ? new MemoryBlockStore() : repo.Blocks;
        var importer = new UnixFsImporter(store, profile);
        var reader = MultipartOf(context);
        var outputs = new List<object>();
        var roots = new List<Cid>();
        var trees = new Dictionary<string, List<ImportEntry>>(StringComparer.Ordinal);
        var seenPaths = new HashSet<string>(StringComparer.Ordinal);
        var spool = Path.Combine(repo.Path, "tmp", "add-" + Guid.NewGuid().ToString("N"));
        await using var gate = onlyHash ? null : await repo.Gate.EnterAddAsync(ct);
        try
        {
            var spooled = 0;
            while (await NextPartAsync(reader, ct) is { } part)
            {
                var segments = part.Path.Length == 0 ? [] : part.Path.Split('/');
                foreach (var s in segments)
                {
                    UnixFsPath.CheckSegment(s);
                }
                if (!wrap && segments.Length <= 1 && part.Kind == "file")
                {
                    // A lone top-level file streams straight into the importer.
                    var result = await importer.ImportFileAsync(part.Section.Body, null, ct);
                    outputs.Add(Line(part.Path.Length == 0 ? result.Cid.ToString() : part.Path, result.Cid, result.DagSize));
                    roots.Add(result.Cid);
                    continue;
                }
                if (segments.Length == 0)
                {
                    throw new InvalidInputException("ipfs.rpc.bad_part", "a directory or wrapped entry needs a name");
                }
                var treeKey = wrap ? "" : segments[0];
                var relative = string.Join('/', wrap ? segments : segments[1..]);
                if (!trees.TryGetValue(treeKey, out var entries))
                {
                    trees[treeKey] = entries = [];
                }
                if (!seenPaths.Add(treeKey + "/" + relative))
                {
                    throw new InvalidInputException("ipfs.rpc.duplicate_path", $"'{part.Path}' is given twice: every file and folder of an add needs its own path");
                }
                if (relative.Length == 0)
                {
                    if (part.Kind != "dir")
                    {
                        throw new InvalidInputException("ipfs.rpc.bad_part", $"'{part.Path}' cannot be both a file and a folder");
                    }
                    continue;
                }
                switch (part.Kind)
                {
                    case "dir":
                        entries.Add(new DirectoryImportEntry(relative));
                        break;
                    case "symlink":
                        using (var text = new StreamReader(part.Section.Body, Encoding.UTF8))
                        {
                            var buffer = new char[4097];
                            var n = await text.ReadBlockAsync(buffer, ct);
                            if (n > 4096)
                            {
                                throw new InvalidInputException("ipfs.rpc.bad_part", $"the symlink target of '{part.Path}' is longer than 4096 characters");
                            }
                            entries.Add(new SymlinkImportEntry(relative, new string(buffer, 0, n)));
                        }
                        break;
                    default:
                        Directory.CreateDirectory(spool);
                        var file = Path.Combine(spool, (spooled++).ToString(System.Globalization.CultureInfo.InvariantCulture));
                        await using (var target = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                        {
                            await part.Section.Body.CopyToAsync(target, ct);
                        }
                        entries.Add(new FileImportEntry(relative, () => File.OpenRead(file)));
                        break;
                }
            }
            if (outputs.Count == 0 && trees.Count == 0)
            {
                throw new InvalidInputException("ipfs.rpc.no_files", "add needs at least one file part in the multipart body");
            }
            foreach (var (name, entries) in trees)
            {
                var result = await importer.ImportEntriesAsync(entries, null, ct);
                await ListTreeAsync(store, result.Cid, name, outputs, 0, ct);
                outputs.Add(Line(name, result.Cid, result.DagSize));
                roots.Add(result.Cid);
            }
            if (pin)
            {
                foreach (var root in roots)
                {
                    repo.Pins.Add(root, PinKind.Recursive);
                }
            }
        }
        finally
        {
            if (Directory.Exists(spool))
            {
                Directory.Delete(spool, recursive: true);
            }
        }
        context.Response.ContentType = "application/json";
        context.Response.Headers["X-Chunked-Output"] = "1";
        foreach (var line in outputs)
        {
            await WriteLineAsync(context, line);
        }
    }

    private static object Line(string name, Cid cid, ulong size) =>
        new { Name = name, Hash = cid.ToString(), Size = size.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>Kubo reports every file and folder of an added tree, children before their folder.</summary>
    private static async Task ListTreeAsync(IBlockStore store, Cid dir, string prefix, List<object> outputs, int depth, CancellationToken ct)
    {
        if (depth > Exporting.UnixFsExporter.MaxDepth)
        {
            throw new IpfsFormatException("unixfs.too_deep", $"a directory tree is deeper than {Exporting.UnixFsExporter.MaxDepth} levels");
        }
        var (_, entries) = await UnixFsPath.ReadDirectoryAsync(store, dir, ct);
        foreach (var e in entries)
        {
            var name = prefix.Length == 0 ? e.Name : prefix + "/" + e.Name;
            if (await UnixFsPath.TypeOfAsync(store, e.Cid, ct) is UnixFsType.Directory or UnixFsType.HamtShard)
            {
                await ListTreeAsync(store, e.Cid, name, outputs, depth + 1, ct);
            }
            outputs.Add(Line(name, e.Cid, e.DagSize ?? 0));
        }
    }

    private static async Task CatAsync(HttpContext context, IpfsRepo repo, RpcArgs args)
    {
        var ct = context.RequestAborted;
        var (root, segments) = UnixFsPath.Parse(args.Single("ipfs-path"));
        var resolved = await UnixFsPath.ResolveAsync(repo.Blocks, root, segments, ct);
        var offset = args.Long("offset", 0, long.MaxValue) ?? 0;
        var length = args.Long("length", 0, long.MaxValue);
        var type = await UnixFsPath.TypeOfAsync(repo.Blocks, resolved.Target, ct);
        if (type is not (UnixFsType.File or UnixFsType.Raw))
        {
            throw new InvalidInputException("ipfs.rpc.not_a_file", $"{resolved.Target} is a {type.ToString().ToLowerInvariant()}, not a file: use get or ls");
        }
        context.Response.ContentType = "text/plain";
        context.Response.Headers["X-Stream-Output"] = "1";
        await repo.Exporter.CatAsync(resolved.Target, context.Response.Body, offset, length, ct);
    }

    /// <summary>One entry of a get, checked before any byte is sent.</summary>
    private sealed record TarItem(string Name, Cid Cid, UnixFsType Type, string? LinkTarget);

    private static async Task GetAsync(HttpContext context, IpfsRepo repo, RpcArgs args)
    {
        var ct = context.RequestAborted;
        if (args.Bool("compress", false))
        {
            throw new InvalidInputException("ipfs.rpc.option", "compress is not supported: the archive is an uncompressed tar");
        }
        var (root, segments) = UnixFsPath.Parse(args.Single("ipfs-path"));
        var resolved = await UnixFsPath.ResolveAsync(repo.Blocks, root, segments, ct);
        var items = new List<TarItem>();
        await PlanAsync(repo.Blocks, resolved.Target, resolved.Name, 0, items, ct);
        context.Response.ContentType = "application/x-tar";
        context.Response.Headers["X-Stream-Output"] = "1";
        await using var tar = new TarWriter(context.Response.Body, TarEntryFormat.Pax, leaveOpen: true);
        foreach (var item in items)
        {
            switch (item.Type)
            {
                case UnixFsType.Directory or UnixFsType.HamtShard:
                    await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, item.Name) { Mode = (UnixFileMode)0b111_101_101 }, ct);
                    break;
                case UnixFsType.Symlink:
                    await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, item.Name) { LinkName = item.LinkTarget!, Mode = (UnixFileMode)0b111_111_111 }, ct);
                    break;
                default:
                    await using (var data = await UnixFsFileStream.OpenAsync(repo.Blocks, item.Cid, ct))
                    {
                        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, item.Name) { DataStream = data, Mode = (UnixFileMode)0b110_100_100 }, ct);
                    }
                    break;
            }
        }
    }

    /// <summary>Lists the tree to archive, refusing names and symlinks that could point outside it.</summary>
    private static async Task PlanAsync(IBlockStore store, Cid cid, string name, int depth, List<TarItem> items, CancellationToken ct)
    {
        if (depth > Exporting.UnixFsExporter.MaxDepth)
        {
            throw new IpfsFormatException("unixfs.too_deep", $"a directory tree is deeper than {Exporting.UnixFsExporter.MaxDepth} levels");
        }
        var type = await UnixFsPath.TypeOfAsync(store, cid, ct);
        switch (type)
        {
            case UnixFsType.File or UnixFsType.Raw:
                items.Add(new TarItem(name, cid, type, null));
                break;
            case UnixFsType.Directory or UnixFsType.HamtShard:
                items.Add(new TarItem(name, cid, type, null));
                var (_, entries) = await UnixFsPath.ReadDirectoryAsync(store, cid, ct);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var e in entries)
                {
                    UnixFsPath.CheckSegment(e.Name);
                    if (!seen.Add(e.Name))
                    {
                        throw new UnsafePathException($"directory {cid} lists '{e.Name}' twice");
                    }
                    await PlanAsync(store, e.Cid, name + "/" + e.Name, depth + 1, items, ct);
                }
                break;
            case UnixFsType.Symlink:
                var target = await UnixFsPath.SymlinkTargetAsync(store, cid, ct);
                var level = name.Count(c => c == '/');
                foreach (var s in target.Split('/'))
                {
                    level += s switch { ".." => -1, "" or "." => 0, _ => 1 };
                    if (level < 1)
                    {
                        break;
                    }
                }
                if (target.Length == 0 || target.StartsWith('/') || target.Contains('\0', StringComparison.Ordinal) || level < 1)
                {
                    throw new UnsafePathException($"symlink {name} -> '{target}' points outside the archive; refusing to send it");
                }
                items.Add(new TarItem(name, cid, type, target));
                break;
            default:
                throw new IpfsFormatException("unixfs.unsupported_type", $"{cid} is a UnixFS {type}, which cannot be archived");
        }
    }

    private static async Task PinAddAsync(HttpContext context, IpfsRepo repo, RpcArgs args)
    {
        var kind = args.Bool("recursive", true) ? PinKind.Recursive : PinKind.Direct;
        var pinned = new List<string>();
        foreach (var a in args.AtLeastOne("ipfs-path"))
        {
            var (root, segments) = UnixFsPath.Parse(a);
            var target = (await UnixFsPath.ResolveAsync(repo.Blocks, root, segments, context.RequestAborted)).Target;
            await repo.PinAsync(target, kind, context.RequestAborted);
            pinned.Add(target.ToString());
        }
        await WriteJsonAsync(context, new { Pins = pinned });
    }

    private static async Task PinRmAsync(HttpContext context, IpfsRepo repo, RpcArgs args)
    {
        var recursive = args.Bool("recursive", true);
        var cids = args.AtLeastOne("ipfs-path").Select(RpcArgs.ParseCid).ToList();
        foreach (var cid in cids)
        {
            var kind = repo.Pins.Get(cid) ?? throw new InvalidInputException("ipfs.pin.not_pinned", $"{cid} is not pinned or pinned indirectly");
            if (kind == PinKind.Recursive && !recursive)
            {
                throw new InvalidInputException("ipfs.pin.recursive", $"{cid} is pinned recursively: pass recursive=true to unpin it");
            }
        }
        foreach (var cid in cids)
        {
            repo.Pins.Remove(cid);
        }
        await WriteJsonAsync(context, new { Pins = cids.Select(c => c.ToString()).ToList() });
    }

    private static async Task PinLsAsync(HttpContext context, IpfsRepo repo, RpcArgs args)
    {
        var ct = context.RequestAborted;
        var type = args.String("type") ?? "all";
        if (type is not ("all" or "direct" or "recursive" or "indirect"))
        {
            throw new InvalidInputException("ipfs.rpc.option", $"invalid type '{type}': use all, direct, recursive or indirect");
        }
        var pins = repo.Pins.List();
        var result = new List<(string Cid, string Type)>();
        var requested = args.Positional();
        if (requested.Count > 0)
        {
            HashSet<Cid>? indirect = null;
            foreach (var a in requested)
            {
                var cid = RpcArgs.ParseCid(a);
                if (repo.Pins.Get(cid) is { } kind && (type == "all" || type == kind.ToString().ToLowerInvariant()))
                {
                    result.Add((cid.ToString(), kind.ToString().ToLowerInvariant()));
                    continue;
                }
                indirect ??= await IndirectAsync(repo, pins, ct);
                if (type is "all" or "indirect" && indirect.Contains(cid))
                {
                    result.Add((cid.ToString(), "indirect"));
                    continue;
                }
                throw new InvalidInputException("ipfs.pin.not_pinned", $"path '{a}' is not pinned");
            }
        }
        else
        {
            foreach (var p in pins)
            {
                var kind = p.Kind.ToString().ToLowerInvariant();
                if (type == "all" || type == kind)
                {
                    result.Add((p.Cid.ToString(), kind));
                }
            }
            if (type is "all" or "indirect")
            {
                var direct = pins.Select(p => p.Cid).ToHashSet();
                result.AddRange((await IndirectAsync(repo, pins, ct)).Where(c => !direct.Contains(c)).Select(c => (c.ToString(), "indirect")));
            }
        }
        context.Response.ContentType = "application/json";
        if (args.Bool("stream", false))
        {
            foreach (var (cid, kind) in result)
            {
                await WriteLineAsync(context, new { Cid = cid, Type = kind });
            }
            return;
        }
        await WriteLineAsync(context, new { Keys = result.ToDictionary(r => r.Cid, r => new { r.Type }) });
    }

    /// <summary>Blocks under recursive pins (other than the pins themselves) that are present locally.</summary>
    private static async Task<HashSet<Cid>> IndirectAsync(IpfsRepo repo, IReadOnlyList<Pin> pins, CancellationToken ct)
    {
        var set = new HashSet<Cid>();
        foreach (var pin in pins.Where(p => p.Kind == PinKind.Recursive))
        {
            try
            {
                await foreach (var (cid, _) in DagLinks.WalkAsync(repo.Blocks, pin.Cid, ct))
                {
                    if (!cid.Equals(pin.Cid))
                    {
                        set.Add(cid);
                    }
                }
            }
            catch (BlockNotFoundException)
            {
                // A partly fetched DAG still pins what is present.
            }
        }
        return set;
    }

    private static async Task BlockPutAsync(HttpContext context, IpfsRepo repo, RpcArgs args)
    {
        var ct = context.RequestAborted;
        var codecName = args.String("cid-codec");
        var format = args.String("format");
        var (codec, version) = codecName is not null
            ? codecName switch
            {
                "raw" => (Multicodec.Raw, 1),
                "dag-pb" => (Multicodec.DagPb, 1),
                "dag-cbor" => (Multicodec.DagCbor, 1),
                "dag-json" => (Multicodec.DagJson, 1),
                "libp2p-key" => (Multicodec.Libp2pKey, 1),
                _ => throw new InvalidInputException("ipfs.rpc.codec", $"cid-codec '{codecName}' is not supported: use raw, dag-pb, dag-cbor, dag-json or libp2p-key"),
            }
            : format switch
            {
                null or "raw" => (Multicodec.Raw, 1),
                "v0" or "protobuf" => (Multicodec.DagPb, 0),
                "cbor" or "dag-cbor" => (Multicodec.DagCbor, 1),
                _ => throw new InvalidInputException("ipfs.rpc.codec", $"format '{format}' is not supported: use cid-codec=raw|dag-pb|dag-cbor"),
            };
        if ((args.String("mhtype") ?? "sha2-256") != "sha2-256")
        {
            throw new InvalidInputException("ipfs.rpc.hash", "only mhtype=sha2-256 is supported");
        }
        var pin = args.Bool("pin", false);
        var reader = MultipartOf(context);
        var part = await NextPartAsync(reader, ct) ?? throw new InvalidInputException("ipfs.rpc.no_files", "block/put needs one file part");
        var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int n;
        while ((n = await part.Section.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > Limits.MaxBlockSize)
            {
                throw new IpfsFormatException("block.too_large", $"a block over {Limits.MaxBlockSize} bytes is refused");
            }
            buffer.Write(chunk, 0, n);
        }
        var bytes = buffer.ToArray();
        if (codec == Multicodec.DagPb)
        {
            DagPbCodec.Decode(bytes);
        }
        var block = Block.Create(bytes, codec, version);
        await using (await repo.Gate.EnterAddAsync(ct))
        {
            await repo.Blocks.PutAsync(block, ct);
            if (pin)
            {
                repo.Pins.Add(block.Cid, PinKind.Direct);
            }
        }
        await WriteJsonAsync(context, new { Key = block.Cid.ToString(), Size = bytes.Length });
    }

    private static async Task BlockRmAsync(HttpContext context, IpfsRepo repo, RpcArgs args)
    {
        var force = args.Bool("force", false);
        var lines = new List<object>();
        foreach (var a in args.AtLeastOne("cid"))
        {
            var cid = RpcArgs.ParseCid(a);
            if (repo.Pins.Get(cid) is { } kind)
            {
                lines.Add(new { Hash = cid.ToString(), Error = $"pinned: {kind.ToString().ToLowerInvariant()}" });
                continue;
            }
            var removed = await repo.Blocks.DeleteAsync(cid, context.RequestAborted);
            lines.Add(new { Hash = cid.ToString(), Error = removed || force ? "" : "block not found" });
        }
        context.Response.ContentType = "application/json";
        foreach (var line in lines)
        {
            await WriteLineAsync(context, line);
        }
    }

    private static async Task IdAsync(HttpContext context, KuboRpcOptions options, RpcArgs args)
    {
        if (args.Positional().Count > 0)
        {
            throw new InvalidInputException("ipfs.rpc.argument", "id of another peer needs the network: this node only answers for itself");
        }
        if (options.Identity?.Invoke() is not { } id)
        {
            throw new InvalidInputException("ipfs.rpc.no_identity", "this API was mounted without a libp2p identity: start the node with networking to get an id");
        }
        await WriteJsonAsync(context, new
        {
            ID = id.PeerId,
            id.PublicKey,
            id.Addresses,
            id.AgentVersion,
            id.Protocols,
        });
    }
}
