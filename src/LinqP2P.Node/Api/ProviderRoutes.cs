using System.Globalization;
using System.Numerics;
using System.Text.Json;
using LinqP2P.Node.Hosting;
using LinqP2P.Node.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LinqP2P.Node.Api;

/// <summary>Provider routes: the market status and the bidding policy (get, replace field by field).</summary>
internal static class ProviderRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/provider", (NodeServices s) => Results.Json(StatusView(s.RequireMarket().Status()), ManagementApi.Json));
        app.MapGet("/v1/provider/policy", (NodeServices s) => Results.Json(PolicyView(s.RequireMarket().Policy), ManagementApi.Json));
        app.MapPut("/v1/provider/policy", async (HttpRequest request, NodeServices s, CancellationToken ct) =>
        {
            var market = s.RequireMarket();
            var body = await ManagementApi.ReadJsonAsync<Dictionary<string, JsonElement>>(request, ct);
            var policy = ApplyPolicy(market.Policy, body);
            market.SetPolicy(policy);
            return Results.Json(PolicyView(market.Policy), ManagementApi.Json);
        });
    }

    /// <summary>The policy fields a client may set, as they appear in JSON (and in <c>linq provider policy --set k=v</c>).</summary>
    public static readonly IReadOnlyList<string> PolicyFields =
        ["minPricePerShard", "maxCpuPerShard", "maxMemoryPerShard", "maxGpuPerShard", "maxDiskPerShard", "maxConcurrentShards", "allowedImages"];

    public static object PolicyView(ProviderPolicy p) => new
    {
        minPricePerShard = ManagementApi.FormatLnq(p.MinPricePerShard),
        minPricePerShardWei = p.MinPricePerShard.ToString(CultureInfo.InvariantCulture),
        maxCpuPerShard = p.MaxCpuPerShard,
        maxMemoryPerShard = p.MaxMemoryBytesPerShard,
        maxGpuPerShard = p.MaxGpuPerShard,
        maxDiskPerShard = p.MaxDiskBytesPerShard,
        maxConcurrentShards = p.MaxConcurrentShards,
        allowedImages = p.AllowedImages,
        availability = p.Availability.Select(w => new { days = w.Days.Select(d => d.ToString()).ToArray(), from = w.From.ToString("HH:mm", CultureInfo.InvariantCulture), to = w.To.ToString("HH:mm", CultureInfo.InvariantCulture) }).ToArray(),
    };

    public static object StatusView(ProviderStatus s) => new
    {
        registered = s.Registered,
        providerId = s.ProviderId,
        runningShards = s.RunningShards,
        maxConcurrentShards = s.MaxConcurrentShards,
        bidsSent = s.BidsSent,
        shardsCompleted = s.ShardsCompleted,
        shardsFailed = s.ShardsFailed,
        earnedClaimed = ManagementApi.FormatLnq(s.EarnedClaimed),
        earnedPending = ManagementApi.FormatLnq(s.EarnedPending),
        shards = s.Shards.Select(x => new { jobId = x.JobId.ToString(), escrowJobId = x.EscrowJobId, shard = x.ShardIndex, state = x.State, since = x.Since, resultCid = x.ResultCid, error = x.Error }).ToArray(),
    };

    /// <summary>Applies the given fields (strings or numbers) to <paramref name="policy"/>; every bad field is reported at once.</summary>
    public static ProviderPolicy ApplyPolicy(ProviderPolicy policy, IReadOnlyDictionary<string, JsonElement> fields)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(fields);
        var errors = new List<string>();
        foreach (var (name, value) in fields)
        {
            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.Array => string.Join(',', value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
                _ => null,
            };
            if (text is null)
            {
                errors.Add($"{name}: give a string or a number");
                continue;
            }
            switch (name)
            {
                case "minPricePerShard":
                    try
                    {
                        policy = policy with { MinPricePerShard = ManagementApi.ParseLnq(text, name) };
                    }
                    catch (ApiException e)
                    {
                        errors.Add(e.Message);
                    }
                    break;
                case "maxCpuPerShard":
                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var cpu) && cpu > 0 && cpu <= 1024)
                    {
                        policy = policy with { MaxCpuPerShard = cpu };
                    }
                    else
                    {
                        errors.Add($"{name}: '{text}' is not a core count in (0, 1024]");
                    }
                    break;
                case "maxMemoryPerShard":
                case "maxDiskPerShard":
                    if (LinqP2P.Market.Specs.Quantities.TryParseSize(text, out var bytes) && bytes > 0)
                    {
                        policy = name == "maxMemoryPerShard" ? policy with { MaxMemoryBytesPerShard = bytes } : policy with { MaxDiskBytesPerShard = bytes };
                    }
                    else
                    {
                        errors.Add($"{name}: '{text}' is not a size; e.g. 2GiB or 512MiB");
                    }
                    break;
                case "maxGpuPerShard":
                case "maxConcurrentShards":
                    if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 1024 && (n > 0 || name == "maxGpuPerShard"))
                    {
                        policy = name == "maxGpuPerShard" ? policy with { MaxGpuPerShard = n } : policy with { MaxConcurrentShards = n };
                    }
                    else
                    {
                        errors.Add($"{name}: '{text}' is not a whole number in {(name == "maxGpuPerShard" ? "0" : "1")}..1024");
                    }
                    break;
                case "allowedImages":
                    var images = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (images.Length is > 0 and <= 64 && images.All(i => i.Length <= 512))
                    {
                        policy = policy with { AllowedImages = images };
                    }
                    else
                    {
                        errors.Add($"{name}: give 1..64 image references or patterns, comma-separated (e.g. linq-test/*,ipfs://*)");
                    }
                    break;
                default:
                    errors.Add($"{name}: not a policy field; the fields are {string.Join(", ", PolicyFields)}");
                    break;
            }
        }
        return errors.Count == 0
            ? policy
            : throw new ApiException(400, "api.bad_policy", "the policy was not changed: " + string.Join("; ", errors));
    }
}
