using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using LinqP2P.Node.Api;
using LinqP2P.Node.Hosting;
using LinqP2P.Node.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace LinqP2P.Node.Tests;

public sealed class ApiTests
{
    private const string SomeJob = "0x0000000000000000000000000000000000000000000000000000000000000001";

    /// <summary>Every (method, path template) the app really maps, from ASP.NET Core's own endpoint list.</summary>
    private static List<(string Method, string Path)> MappedRoutes(ApiFixture api) =>
        api.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .ToList();

    private static List<(string Method, string Path)> DocumentedRoutes()
    {
        using var doc = JsonDocument.Parse(OpenApiDocument.Text);
        return doc.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (m.Name.ToUpperInvariant(), p.Name)))
            .ToList();
    }

    [Fact]
    public async Task OpenApi_DocumentsExactlyTheMappedRoutes()
    {
        await using var api = await ApiFixture.StartAsync();
        var mapped = MappedRoutes(api).ToHashSet();
        var documented = DocumentedRoutes().ToHashSet();
        Assert.True(mapped.Count >= 17, $"only {mapped.Count} routes mapped");
        Assert.Empty(mapped.Except(documented));
        Assert.Empty(documented.Except(mapped));
    }

    [Fact]
    public async Task OpenApi_IsServedAndEveryOperationHasAnIdAndProblemResponses()
    {
        await using var api = await ApiFixture.StartAsync();
        using var response = await api.Authed.GetAsync("/openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("3.1.0", doc.RootElement.GetProperty("openapi").GetString());
        var ids = new HashSet<string>();
        foreach (var path in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                Assert.True(ids.Add(op.Value.GetProperty("operationId").GetString()!), $"duplicate operationId at {op.Name} {path.Name}");
                Assert.True(op.Value.GetProperty("responses").TryGetProperty("401", out _), $"{op.Name} {path.Name} does not document 401");
            }
        }
    }

    [Fact]
    public async Task EveryRoute_WithoutAToken_Is401ProblemJson()
    {
        await using var api = await ApiFixture.StartAsync();
        foreach (var (method, path) in MappedRoutes(api))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", SomeJob, StringComparison.Ordinal));
            using var response = await api.Client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {response.StatusCode} without a token");
            Assert.Equal(ApiProblems.ContentType, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("api.token_missing", doc.RootElement.GetProperty("code").GetString());
            Assert.Contains("api-token", doc.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Bearer wrong")]
    [InlineData("Bearer test-token-0123456789abcdef0123456789abcdeX")]
    [InlineData("Basic dGVzdDp0ZXN0")]
    [InlineData("test-token-0123456789abcdef0123456789abcdef")]
    public async Task AWrongToken_Is401(string header)
    {
        await using var api = await ApiFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi.json");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        using var response = await api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("api.token_invalid", doc.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task TheApi_ListensOn127001Only()
    {
        await using var api = await ApiFixture.StartAsync();
        Assert.Equal(IPAddress.Loopback.ToString(), api.Url.Host);
        // Not on IPv6 loopback, nor on any other address of this machine.
        var others = Dns.GetHostAddresses(Dns.GetHostName()).Where(a => !IPAddress.IsLoopback(a) && a.AddressFamily == AddressFamily.InterNetwork).ToList();
        foreach (var address in others.Append(IPAddress.IPv6Loopback))
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await Assert.ThrowsAnyAsync<SocketException>(async () => await socket.ConnectAsync(new IPEndPoint(address, api.Url.Port)));
        }
        using var ok = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await ok.ConnectAsync(new IPEndPoint(IPAddress.Loopback, api.Url.Port));
    }

    [Fact]
    public async Task UnknownRoutesAndMissingParts_AreProblemJsonWithACodeAndANextStep()
    {
        await using var api = await ApiFixture.StartAsync();
        await AssertProblem(await api.Authed.GetAsync("/v1/nope"), 404, "api.no_route", "openapi.json");
        await AssertProblem(await api.Authed.DeleteAsync("/v1/jobs"), 405, "api.method", "openapi.json");
        await AssertProblem(await api.Authed.GetAsync("/v1/jobs"), 409, "node.not_client", "--role client");
        await AssertProblem(await api.Authed.GetAsync("/v1/provider/policy"), 409, "node.not_provider", "--role provider");
        await AssertProblem(await api.Authed.GetAsync("/v1/node"), 503, "node.starting", "retry");
    }

    [Fact]
    public async Task JobRoutes_MapEngineFaultsToStatusCodes()
    {
        var jobs = new InMemoryJobs();
        await using var api = await ApiFixture.StartAsync(new NodeServices { Jobs = jobs });
        await AssertProblem(await api.Authed.GetAsync("/v1/jobs/0x12"), 400, "jobs.invalid_id", "64 hex digits");
        await AssertProblem(await api.Authed.GetAsync($"/v1/jobs/{SomeJob}"), 404, "jobs.not_found", "linq jobs");
        await AssertProblem(await api.Authed.PostAsync("/v1/jobs", new StringContent("version: 1\nname: x\n", Encoding.UTF8, "application/yaml")), 400, "spec.invalid", "resource.yaml");
        await AssertProblem(await api.Authed.PostAsync("/v1/jobs", new StringContent("{\"spec\": 5}", Encoding.UTF8, "application/json")), 400, "api.bad_json", "openapi.json");
        await AssertProblem(await api.Authed.PostAsync("/v1/jobs", new StringContent("x", Encoding.UTF8, "image/png")), 415, "api.content_type", "application/yaml");
        await AssertProblem(await api.Authed.PostAsync("/v1/jobs?duration=forever", new StringContent(Spec, Encoding.UTF8, "application/yaml")), 400, "spec.invalid", "--duration");
        Assert.Empty(jobs.Submitted);

        using var bad = await api.Authed.PostAsync("/v1/jobs", new StringContent("version: 1\nname: x\n", Encoding.UTF8, "application/yaml"));
        using var doc = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
        Assert.Contains(doc.RootElement.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "image");

        using var created = await api.Authed.PostAsync("/v1/jobs?duration=2h&image=linq-test/busybox:1", new StringContent(Spec, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("jobId").GetString()!;
        Assert.Equal(TimeSpan.FromHours(2), jobs.Submitted.Single().Duration);
        Assert.Equal("linq-test/busybox:1", jobs.Submitted.Single().Image.Value);

        using var status = await api.Authed.GetAsync($"/v1/jobs/{id}");
        Assert.Equal("bidding", JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString());
        await AssertProblem(await api.Authed.GetAsync($"/v1/jobs/{id}/result"), 409, "jobs.state", "wait");
        await AssertProblem(await api.Authed.GetAsync($"/v1/jobs/{id}/logs?shard=7"), 400, "api.bad_shard", "0..1");
        using (var cancel = await api.Authed.PostAsync($"/v1/jobs/{id}/cancel", null))
        {
            Assert.Equal("cancelled", JsonDocument.Parse(await cancel.Content.ReadAsStringAsync()).RootElement.GetProperty("state").GetString());
        }
        await AssertProblem(await api.Authed.PostAsync($"/v1/jobs/{id}/cancel", null), 409, "jobs.state", "bidding");
    }

    [Fact]
    public async Task Events_AreServerSentEvents()
    {
        var jobs = new InMemoryJobs();
        await using var api = await ApiFixture.StartAsync(new NodeServices { Jobs = jobs });
        using var response = await api.Authed.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var id = await jobs.SubmitAsync(LinqP2P.Market.Specs.JobSpecParser.Parse(Spec), new SubmitOptions(), CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? eventLine = null;
        string? dataLine = null;
        while (dataLine is null && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventLine = line;
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                dataLine = line;
            }
        }
        Assert.Equal("event: submitted", eventLine);
        using var data = JsonDocument.Parse(dataLine![6..]);
        Assert.Equal(id.ToString(), data.RootElement.GetProperty("jobId").GetString());
        Assert.Equal("submitted", data.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Policy_PutChangesOnlyValidFieldsAndReportsAllBadOnes()
    {
        var market = new InMemoryProviderMarket();
        await using var api = await ApiFixture.StartAsync(new NodeServices { Market = market });
        using var ok = await api.Authed.PutAsync("/v1/provider/policy",
            new StringContent("{\"minPricePerShard\": \"2.5 LNQ\", \"maxConcurrentShards\": 3, \"maxMemoryPerShard\": \"512MiB\", \"allowedImages\": [\"linq-test/*\"]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(2_500_000_000_000_000_000, (long)(market.Policy.MinPricePerShard / 1000) * 1000);
        Assert.Equal(3, market.Policy.MaxConcurrentShards);
        Assert.Equal(512L << 20, market.Policy.MaxMemoryBytesPerShard);
        Assert.Equal(["linq-test/*"], market.Policy.AllowedImages);

        var before = market.Policy;
        using var bad = await api.Authed.PutAsync("/v1/provider/policy",
            new StringContent("{\"maxConcurrentShards\": 0, \"maxCpuPerShard\": \"lots\", \"colour\": \"red\"}", Encoding.UTF8, "application/json"));
        await AssertProblem(bad, 400, "api.bad_policy", "colour");
        Assert.Same(before, market.Policy);
    }

    [Fact]
    public async Task ABodyOverTheLimit_Is413Problem()
    {
        await using var api = await ApiFixture.StartAsync(new NodeServices { Jobs = new InMemoryJobs() });
        var big = new string('#', (int)ManagementApi.MaxRequestBytes + 10);
        await AssertProblem(await api.Authed.PostAsync("/v1/jobs", new StringContent(big, Encoding.UTF8, "application/yaml")), 413, "api.too_large", "bytes");
    }

    [Fact]
    public async Task Metrics_AreServedInPrometheusFormat()
    {
        await using var api = await ApiFixture.StartAsync();
        var text = await api.Authed.GetStringAsync("/metrics");
        Assert.Contains("# TYPE linq_jobs gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE linq_executor_runs_total counter", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_IsCreatedOwnerOnlyAndKept()
    {
        var dir = Directory.CreateTempSubdirectory("linq-token-").FullName;
        try
        {
            var token = ApiAccess.LoadOrCreateToken(dir);
            Assert.True(token.Length >= 40);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, ApiAccess.TokenFileName)));
            }
            Assert.Equal(token, ApiAccess.LoadOrCreateToken(dir));
            Assert.NotEqual(token, ApiAccess.LoadOrCreateToken(Directory.CreateTempSubdirectory("linq-token-other-").FullName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Access_WithoutARunningNode_SaysHowToStartOne()
    {
        var dir = Directory.CreateTempSubdirectory("linq-access-").FullName;
        try
        {
            var e = Assert.Throws<ApiAccessException>(() => ApiAccess.Resolve(dir, null, null));
            Assert.Equal("cli.node_not_running", e.Code);
            Assert.Contains("linq node --data-dir", e.Message, StringComparison.Ordinal);
            Assert.Equal("cli.bad_api", Assert.Throws<ApiAccessException>(() => ApiAccess.Resolve(dir, "ftp://x", "t")).Code);
            var access = ApiAccess.Resolve(dir, "http://127.0.0.1:1", "tok");
            Assert.Equal(1, access.Url.Port);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("10000", "10000000000000000000000")]
    [InlineData("10000 LNQ", "10000000000000000000000")]
    [InlineData("0.25 LNQ", "250000000000000000")]
    [InlineData("5 wei", "5")]
    public void ParseLnq_ReadsAmounts(string text, string wei) =>
        Assert.Equal(System.Numerics.BigInteger.Parse(wei, System.Globalization.CultureInfo.InvariantCulture), ManagementApi.ParseLnq(text, "stake"));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.0000000000000000001")]
    [InlineData("1e5")]
    [InlineData("lots LNQ")]
    public void ParseLnq_RejectsNonsense(string text) =>
        Assert.Equal("api.bad_amount", Assert.Throws<ApiException>(() => ManagementApi.ParseLnq(text, "stake")).Code);

    internal const string Spec = """
        version: 1
        name: hello
        image: linq-test/busybox:1
        command: [sh, -c, "echo hi > /outputs/hi.txt"]
        outputs: [/outputs]
        resources: { cpu: 0.5, memory: 64MiB }
        duration: 1m
        price: 1 LNQ
        shards: { count: 2 }
        """;

    private static async Task AssertProblem(HttpResponseMessage response, int status, string code, string detailContains)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
            Assert.Equal(ApiProblems.ContentType, response.Content.Headers.ContentType?.MediaType);
            using var doc = JsonDocument.Parse(body);
            Assert.Equal(code, doc.RootElement.GetProperty("code").GetString());
            Assert.Equal(status, doc.RootElement.GetProperty("status").GetInt32());
            Assert.Equal("urn:linq:problem:" + code, doc.RootElement.GetProperty("type").GetString());
            Assert.Contains(detailContains, doc.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }
}
