using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>
/// A JSON-RPC 2.0 client over HTTP (SPEC.md §3, "JSON-RPC"). Every call has a deadline and honours its
/// CancellationToken; transient faults (connection refused, 5xx, timeouts) are retried with exponential
/// backoff, everything the node answered on purpose (error objects, reverts) is not. Answers are checked:
/// size cap, valid JSON, matching id, a result or an error.
/// </summary>
public sealed class JsonRpcClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly RpcOptions _options;
    private long _nextId;

    public JsonRpcClient(RpcOptions options, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _ownsHttp = http is null;
        // Per-attempt deadlines are ours; HttpClient's own timeout would surface as a bare TaskCanceledException.
        _http = http ?? new HttpClient(new SocketsHttpHandler { ConnectTimeout = options.CallTimeout, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public Uri Endpoint => _options.Endpoint!;

    public RpcOptions Options => _options;

    /// <summary>Calls <paramref name="method"/> and returns its <c>result</c> (a detached JSON element, possibly null).</summary>
    public async Task<JsonElement> CallAsync(string method, object?[] parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        var delay = _options.RetryBaseDelay;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await CallOnceAsync(method, parameters, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransient(ex) && attempt < _options.MaxRetries)
            {
                var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
                await Task.Delay(delay * jitter, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }
        }
    }

    /// <summary>Calls <paramref name="method"/> and deserializes its result.</summary>
    public async Task<T> CallAsync<T>(string method, object?[] parameters, Func<JsonElement, T> read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        var result = await CallAsync(method, parameters, cancellationToken).ConfigureAwait(false);
        try
        {
            return read(result);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or KeyNotFoundException or OverflowException or ArgumentException)
        {
            throw new RpcMalformedResponseException(method, $"the result has an unexpected shape or type ({ex.Message})", ex);
        }
    }

    private static bool IsTransient(Exception ex) => ex is RpcUnreachableException or RpcTimeoutException;

    private async Task<JsonElement> CallOnceAsync(string method, object?[] parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var body = JsonSerializer.SerializeToUtf8Bytes(new RpcRequest(id, method, parameters), RpcJsonContext.Options);

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.CallTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint)
            {
                Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
            };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token).ConfigureAwait(false);
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throw new RpcUnreachableException(Endpoint, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            var bytes = await ReadCappedAsync(response, method, attempt.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && bytes.Length == 0)
            {
                throw new RpcMalformedResponseException(method, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} with an empty body");
            }
            return ParseResponse(method, id, bytes);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RpcTimeoutException(Endpoint, method, _options.CallTimeout, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new RpcUnreachableException(Endpoint, Describe(ex), ex);
        }
    }

    private static string Describe(HttpRequestException ex) => ex.InnerException is SocketException se
        ? se.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused",
            SocketError.HostNotFound => "host not found",
            SocketError.TimedOut => "connect timed out",
            _ => se.SocketErrorCode.ToString(),
        }
        : ex.Message;

    private async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, string method, CancellationToken cancellationToken)
    {
        var cap = _options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength is long declared && declared > cap)
        {
            throw new RpcMalformedResponseException(method, $"the body of {declared} bytes exceeds the {cap}-byte limit");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > cap)
            {
                throw new RpcMalformedResponseException(method, $"the body exceeds the {cap}-byte limit");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static JsonElement ParseResponse(string method, long id, byte[] bytes)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            var preview = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 80));
            throw new RpcMalformedResponseException(method, $"the body is not JSON (starts with \"{preview}\")", ex);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new RpcMalformedResponseException(method, $"the body is a JSON {root.ValueKind}, not an object");
            }
            if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number
                || !idElement.TryGetInt64(out var answeredId) || answeredId != id)
            {
                throw new RpcMalformedResponseException(method, $"the answer's id is {(root.TryGetProperty("id", out var got) ? got.GetRawText() : "missing")}, not {id}");
            }
            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                throw RpcErrorClassifier.Classify(method, ReadError(method, error));
            }
            if (!root.TryGetProperty("result", out var result))
            {
                throw new RpcMalformedResponseException(method, "the answer has neither a result nor an error");
            }
            return result.Clone();
        }
    }

    private static RpcErrorException ReadError(string method, JsonElement error)
    {
        if (error.ValueKind != JsonValueKind.Object
            || !error.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number || !code.TryGetInt64(out var codeValue))
        {
            throw new RpcMalformedResponseException(method, $"the error object is not {{code, message}}: {error.GetRawText()}");
        }
        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        string? data = null;
        if (error.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            data = d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText();
        }
        return new RpcErrorException(method, codeValue, message, data);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
