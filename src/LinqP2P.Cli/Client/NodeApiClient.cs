using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LinqP2P.Core;
using LinqP2P.Node.Hosting;

namespace LinqP2P.Cli.Client;

/// <summary>The node answered with a problem (RFC 7807), or could not be reached.</summary>
public sealed class NodeApiException(string code, string message, int status = 0, bool retryable = false) : LinqException(code, message, retryable)
{
    public int Status { get; } = status;
}

/// <summary>
/// The CLI's client of the management API: bearer token on every request, problem+json answers turned into
/// <see cref="NodeApiException"/> with the node's code and next step, an unreachable node into a clear hint.
/// </summary>
public sealed class NodeApiClient : IDisposable
{
    private readonly HttpClient _http;

    public NodeApiClient(ApiAccess access, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(access);
        Access = access;
        _http = new HttpClient { BaseAddress = access.Url, Timeout = timeout ?? TimeSpan.FromMinutes(5) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access.Token);
    }

    public ApiAccess Access { get; }

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendJsonAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post, path, body is null ? null : JsonContent(body), ct);

    public Task<JsonElement> PutAsync(string path, object body, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Put, path, JsonContent(body), ct);

    public Task<JsonElement> PostContentAsync(string path, HttpContent content, CancellationToken ct) =>
        SendJsonAsync(HttpMethod.Post, path, content, ct);

    /// <summary>Sends and returns the open response (for downloads and event streams) once its status is a success.</summary>
    public async Task<HttpResponseMessage> OpenAsync(string path, string accept, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        var response = await SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        return response;
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private async Task<JsonElement> SendJsonAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var doc = JsonDocument.Parse(text.Length == 0 ? "null" : text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new NodeApiException("cli.bad_answer", $"the node at {Access.Url} answered {path} with something that is not JSON; is --api pointing at a linq node?");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            throw new NodeApiException("cli.node_unreachable",
                $"the node's API at {Access.Url} does not answer ({e.Message}); is `linq node` running? (start it, or fix --api / --data-dir)", retryable: true);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new NodeApiException("cli.timeout", $"the node at {Access.Url} did not answer in {_http.Timeout.TotalSeconds:0} s; retry, or check its log.", retryable: true);
        }
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            throw Problem(response.StatusCode, text);
        }
    }

    /// <summary>Reads a problem+json answer into an exception carrying its code and detail (and its spec errors).</summary>
    public static NodeApiException Problem(HttpStatusCode status, string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var code = root.TryGetProperty("code", out var c) ? c.GetString() ?? "api.error" : "api.error";
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : root.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "";
            var retryable = root.TryGetProperty("retryable", out var r) && r.ValueKind == JsonValueKind.True;
            return new NodeApiException(code, detail, (int)status, retryable);
        }
        catch (JsonException)
        {
            return new NodeApiException("api.error", $"the node answered {(int)status} {status}: {body[..Math.Min(body.Length, 300)]}", (int)status);
        }
    }

    public void Dispose() => _http.Dispose();
}
