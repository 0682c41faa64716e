using System.Formats.Tar;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LinqP2P.Market.Specs;
using LinqP2P.Multiformats;
using LinqP2P.Node.Hosting;
using LinqP2P.Node.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LinqP2P.Node.Api;

/// <summary>Requester routes: submit, list, status, cancel, result (CID, CAR or tar), logs, events (SSE).</summary>
internal static class JobRoutes
{
    private static readonly string[] YamlTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain"];

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/jobs", SubmitAsync);
        app.MapGet("/v1/jobs", (NodeServices s) => Results.Json(new { jobs = s.RequireJobs().List().Select(JobView).ToArray() }, ManagementApi.Json));
        app.MapGet("/v1/jobs/{id}", (string id, NodeServices s) => Results.Json(JobView(s.RequireJob(id)), ManagementApi.Json));
        app.MapPost("/v1/jobs/{id}/cancel", async (string id, NodeServices s, CancellationToken ct) =>
        {
            var job = s.RequireJob(id);
            await s.RequireJobs().CancelAsync(job.Id, ct);
            return Results.Json(JobView(s.RequireJob(id)), ManagementApi.Json);
        });
        app.MapGet("/v1/jobs/{id}/result", ResultAsync);
        app.MapGet("/v1/jobs/{id}/logs", async (string id, int? shard, NodeServices s, CancellationToken ct) =>
        {
            var job = s.RequireJob(id);
            var shards = shard is { } k
                ? (k >= 0 && k < job.ShardCount ? [k] : throw new ApiException(400, "api.bad_shard", $"shard {k} does not exist; job {job.Id} has shards 0..{job.ShardCount - 1}."))
                : Enumerable.Range(0, job.ShardCount).ToArray();
            var list = new List<object>();
            foreach (var index in shards)
            {
                var logs = await s.RequireJobs().GetLogsAsync(job.Id, index, ct);
                list.Add(new { shard = index, available = logs is not null, stdout = logs?.Stdout, stderr = logs?.Stderr });
            }
            return Results.Json(new { jobId = job.Id.ToString(), shards = list }, ManagementApi.Json);
        });
        app.MapGet("/v1/jobs/{id}/events", EventsAsync);
        app.MapGet("/v1/events", EventsAsync);
    }

    /// <summary>
    /// The body is the resource.yaml itself (<c>application/yaml</c>, <c>text/plain</c>) or JSON
    /// <c>{"spec": "&lt;yaml&gt;", "image"?, "duration"?, "bidWindowSeconds"?}</c>; query <c>image</c>, <c>duration</c> override too.
    /// </summary>
    private static async Task<IResult> SubmitAsync(HttpRequest request, NodeServices s, CancellationToken ct)
    {
        var jobs = s.RequireJobs();
        var type = (request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        string yaml;
        string? image = request.Query["image"];
        string? duration = request.Query["duration"];
        double? bidWindow = double.TryParse(request.Query["bidWindowSeconds"], NumberStyles.Float, CultureInfo.InvariantCulture, out var w) ? w : null;
        if (type == "application/json")
        {
            var body = await ManagementApi.ReadJsonAsync<SubmitRequest>(request, ct);
            yaml = body.Spec ?? throw new ApiException(400, "api.no_spec", "the JSON body needs \"spec\": the text of a resource.yaml.");
            image = body.Image ?? image;
            duration = body.Duration ?? duration;
            bidWindow = body.BidWindowSeconds ?? bidWindow;
        }
        else if (YamlTypes.Contains(type))
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            yaml = await reader.ReadToEndAsync(ct);
        }
        else
        {
            throw new ApiException(415, "api.content_type", $"send the resource.yaml as application/yaml (or JSON {{\"spec\": ...}}), not '{request.ContentType}'.");
        }
        var spec = JobSpecParser.Parse(yaml, "resource.yaml");
        TimeSpan? d = null;
        if (duration is not null)
        {
            d = Quantities.TryParseDuration(duration, out var parsed)
                ? parsed
                : throw new InvalidJobSpecException("command line", [new JobSpecError(0, 0, "--duration", $"'{duration}' is not a duration; e.g. 90s, 30m, 2h, 1h30m")]);
        }
        spec = JobSpecParser.WithOverrides(spec, image, d);
        var options = new SubmitOptions();
        if (bidWindow is { } bw)
        {
            options = bw is >= 1 and <= 600
                ? options with { BidWindow = TimeSpan.FromSeconds(bw) }
                : throw new ApiException(400, "api.bad_bid_window", "bidWindowSeconds must be between 1 and 600.");
        }
        var id = await jobs.SubmitAsync(spec, options, ct);
        return Results.Json(new { jobId = id.ToString() }, ManagementApi.Json, statusCode: StatusCodes.Status201Created);
    }

    /// <summary><c>?format=cid</c> (default, JSON), <c>car</c> (CARv1 of the output DAG) or <c>tar</c> (the output folder).</summary>
    private static async Task ResultAsync(HttpContext http, string id, string? format, NodeServices s, CancellationToken ct)
    {
        var job = s.RequireJob(id);
        var cidText = await s.RequireJobs().GetResultAsync(job.Id, ct);
        var cid = Cid.Parse(cidText);
        switch ((format ?? "cid").ToLowerInvariant())
        {
            case "cid":
                await Results.Json(new { jobId = job.Id.ToString(), cid = cidText }, ManagementApi.Json).ExecuteAsync(http);
                return;
            case "car":
                http.Response.ContentType = "application/vnd.ipld.car";
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{job.Id}.car\"";
                await s.RequireRuntime().Repo.ExportCarAsync([cid], http.Response.Body, ct);
                return;
            case "tar":
                var temp = Directory.CreateTempSubdirectory("linq-result-");
                try
                {
                    var folder = Path.Combine(temp.FullName, "result");
                    await s.RequireRuntime().Repo.Exporter.GetAsync(cid, folder, ct);
                    http.Response.ContentType = "application/x-tar";
                    http.Response.Headers.ContentDisposition = $"attachment; filename=\"{job.Id}.tar\"";
                    await TarFile.CreateFromDirectoryAsync(folder, http.Response.Body, includeBaseDirectory: false, ct);
                }
                finally
                {
                    temp.Delete(recursive: true);
                }
                return;
            default:
                throw new ApiException(400, "api.bad_format", $"format '{format}' is not one of cid, car, tar.");
        }
    }

    /// <summary>Server-sent events: each job event as <c>event: &lt;kind&gt;</c> + JSON data, a comment every 15 s to keep the line open.</summary>
    private static async Task EventsAsync(HttpContext http, string? id, NodeServices s)
    {
        var jobs = s.RequireJobs();
        JobId? filter = id is null ? null : s.RequireJob(id).Id;
        var ct = http.RequestAborted;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.WriteAsync(": linq job events\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
        using var keepAlive = new PeriodicTimer(TimeSpan.FromSeconds(15));
        var writeLock = new SemaphoreSlim(1, 1);
        var pings = Task.Run(async () =>
        {
            try
            {
                while (await keepAlive.WaitForNextTickAsync(ct))
                {
                    await writeLock.WaitAsync(ct);
                    try
                    {
                        await http.Response.WriteAsync(": keep-alive\n\n", ct);
                        await http.Response.Body.FlushAsync(ct);
                    }
                    finally
                    {
                        writeLock.Release();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var e in jobs.Events(filter, ct))
            {
                var data = JsonSerializer.Serialize(EventView(e), ManagementApi.Json);
                await writeLock.WaitAsync(ct);
                try
                {
                    await http.Response.WriteAsync($"event: {JsonNamingPolicy.CamelCase.ConvertName(e.Kind.ToString())}\ndata: {data}\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
                finally
                {
                    writeLock.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        keepAlive.Dispose();
        await pings;
    }

    public static object EventView(JobEvent e) => new
    {
        jobId = e.JobId.ToString(),
        kind = JsonNamingPolicy.CamelCase.ConvertName(e.Kind.ToString()),
        at = e.At,
        message = e.Message,
        shard = e.ShardIndex,
        txHash = e.TxHash,
    };

    public static object JobView(JobStatus j) => new
    {
        jobId = j.Id.ToString(),
        name = j.Name,
        state = JsonNamingPolicy.CamelCase.ConvertName(j.State.ToString()),
        specCid = j.SpecCid,
        shardCount = j.ShardCount,
        redundancy = j.Redundancy,
        maxPricePerShard = j.MaxPricePerShard.ToString(CultureInfo.InvariantCulture),
        totalLocked = j.TotalLocked.ToString(CultureInfo.InvariantCulture),
        submittedAt = j.SubmittedAt,
        bidsCloseAt = j.BidsCloseAt,
        deadline = j.Deadline,
        resultCid = j.ResultCid,
        error = j.Error,
        transactions = j.Transactions,
        shards = j.Shards.Select(r => new
        {
            shard = r.ShardIndex,
            copy = r.Copy,
            state = JsonNamingPolicy.CamelCase.ConvertName(r.State.ToString()),
            providerAddress = r.ProviderAddress,
            providerPeerId = r.ProviderPeerId,
            providerId = r.ProviderId,
            price = r.Price?.ToString(CultureInfo.InvariantCulture),
            escrowJobId = r.EscrowJobId,
            resultCid = r.ResultCid,
            error = r.Error,
        }).ToArray(),
    };

    private sealed record SubmitRequest(string? Spec, string? Image, string? Duration, double? BidWindowSeconds);
}
