using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LinqP2P.Core;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Http.Kubo;

/// <summary>Options of <see cref="KuboBlockStore"/>.</summary>
public sealed class KuboBackendOptions
{
    /// <summary>The Kubo RPC API base address. Default: http://127.0.0.1:5001/ (Kubo's default API address).</summary>
    public Uri ApiAddress { get; init; } = new("http://127.0.0.1:5001/");

    /// <summary>Time allowed for one call. Default: 60 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Whether calls pass <c>offline=true</c>, so a missing block is reported at once instead of Kubo
    /// searching the network for it. Default: false for get (let Kubo fetch), always true for has/stat.
    /// </summary>
    public bool OfflineGets { get; init; }

    public void Validate()
    {
        if (!ApiAddress.IsAbsoluteUri || ApiAddress.Scheme is not ("http" or "https"))
        {
            throw new InvalidInputException("ipfs.kubo.bad_address", $"the Kubo API address '{ApiAddress}' must be an absolute http(s) URL such as http://127.0.0.1:5001/");
        }
        if (Timeout <= TimeSpan.Zero)
        {
            throw new InvalidInputException("ipfs.kubo.bad_timeout", "the Kubo call timeout must be positive");
        }
    }
}

/// <summary>Kubo answered something this client cannot use, or could not be reached.</summary>
public sealed class KuboUnavailableException : LinqException
{
    public KuboUnavailableException(string message, Exception? inner = null)
        : base("ipfs.kubo.unavailable", message, retryable: true, inner) { }
}

/// <summary>
/// An <see cref="IBlockStore"/> that keeps blocks in a user's existing Kubo, through its RPC API
/// (<c>block/get|put|stat|rm</c>, <c>refs/local</c>, <c>pin/add</c>). Every block that comes back is
/// hash-checked, so Kubo is trusted for availability only. SPEC.md §6.7.
/// </summary>
public sealed class KuboBlockStore : IBlockStore, IDisposable
{
    private readonly HttpClient _http;
    private readonly KuboBackendOptions _options;

    public KuboBlockStore(KuboBackendOptions? options = null, HttpMessageHandler? handler = null)
    {
        _options = options ?? new KuboBackendOptions();
        _options.Validate();
        var baseAddress = new Uri(_options.ApiAddress, "api/v0/");
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = baseAddress;
        _http.Timeout = _options.Timeout;
    }

    public async Task PutAsync(Block block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        var query = block.Cid.Version == 0
            ? "format=v0"
            : "cid-codec=" + Multicodec.NameOf(block.Cid.Codec);
        using var form = new MultipartFormDataContent();
        var part = new ReadOnlyMemoryContent(block.Data);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", "block");
        using var response = await SendAsync($"block/put?{query}&mhtype=sha2-256", form, cancellationToken);
        var json = await ReadJsonAsync(response, cancellationToken);
        var key = json.TryGetProperty("Key", out var k) ? k.GetString() : null;
        if (key is null || !Cid.TryParse(key, out var stored) || !stored!.Hash.Equals(block.Cid.Hash))
        {
            throw new KuboUnavailableException($"Kubo stored block {block.Cid} as '{key}', which has another hash: check that it runs with sha2-256 defaults");
        }
    }

    public async Task<byte[]?> TryGetAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        using var response = await SendAsync($"block/get?arg={cid}{(_options.OfflineGets ? "&offline=true" : "")}", null, cancellationToken);
        if (await IsNotFoundAsync(response, cancellationToken))
        {
            return null;
        }
        await EnsureOkAsync(response, cancellationToken);
        var bytes = await ReadBoundedAsync(response, cancellationToken);
        try
        {
            return Block.Verified(cid, bytes).Data.ToArray();
        }
        catch (IpfsFormatException e)
        {
            throw new KuboUnavailableException($"Kubo at {_options.ApiAddress} sent bytes for {cid} that do not hash to it ({e.Message}): check Kubo's datastore (ipfs repo verify)", e);
        }
    }

    public async Task<bool> HasAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        using var response = await SendAsync($"block/stat?arg={cid}&offline=true", null, cancellationToken);
        if (await IsNotFoundAsync(response, cancellationToken))
        {
            return false;
        }
        await EnsureOkAsync(response, cancellationToken);
        return true;
    }

    public async Task<bool> DeleteAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        using var response = await SendAsync($"block/rm?arg={cid}", null, cancellationToken);
        await EnsureOkAsync(response, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = Parse(line);
            var error = doc.RootElement.TryGetProperty("Error", out var e) ? e.GetString() : null;
            return string.IsNullOrEmpty(error);
        }
        return false;
    }

    public async IAsyncEnumerable<Cid> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("refs/local", null, cancellationToken);
        await EnsureOkAsync(response, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            using var doc = Parse(line);
            if (doc.RootElement.TryGetProperty("Ref", out var r) && r.GetString() is { } text && Cid.TryParse(text, out var cid))
            {
                yield return Cid.V1(Multicodec.Raw, cid!.Hash);
            }
        }
    }

    /// <summary>Pins <paramref name="cid"/> in Kubo (recursively unless told otherwise), so Kubo's GC keeps it.</summary>
    public async Task PinAsync(Cid cid, bool recursive = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        using var response = await SendAsync($"pin/add?arg={cid}&recursive={(recursive ? "true" : "false")}", null, cancellationToken);
        await EnsureOkAsync(response, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, HttpContent? content, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.PostAsync(path, content, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new KuboUnavailableException($"Kubo at {_options.ApiAddress} cannot be reached ({e.Message}): start it (ipfs daemon) or switch the IPFS backend to embedded", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KuboUnavailableException($"Kubo at {_options.ApiAddress} did not answer within {_options.Timeout.TotalSeconds:F0} s: check that it is running and not overloaded", e);
        }
    }

    /// <summary>Kubo reports a missing block as HTTP 500 with a "not found" message (404 on some paths).</summary>
    private static async Task<bool> IsNotFoundAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return false;
        }
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return true;
        }
        var message = await ErrorMessageAsync(response, cancellationToken);
        return message is not null && (message.Contains("not found", StringComparison.OrdinalIgnoreCase) || message.Contains("ipld: could not find", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<string?> ErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.TryGetProperty("Message", out var m) ? m.GetString() : text;
        }
        catch (JsonException)
        {
            return text.Length > 300 ? text[..300] : text;
        }
    }

    private async Task EnsureOkAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var message = await ErrorMessageAsync(response, cancellationToken);
            throw new KuboUnavailableException($"Kubo at {_options.ApiAddress} answered {(int)response.StatusCode}: {message}");
        }
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new KuboUnavailableException($"Kubo answered {(int)response.StatusCode}: {await ErrorMessageAsync(response, cancellationToken)}");
        }
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        using var doc = Parse(text.Length > 64 * 1024 ? throw new KuboUnavailableException("Kubo's answer is implausibly long") : text);
        return doc.RootElement.Clone();
    }

    private static JsonDocument Parse(string text)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new KuboUnavailableException("Kubo's answer is not JSON: is the address really a Kubo RPC API?", e);
        }
    }

    /// <summary>Reads at most one block's worth, refusing anything larger.</summary>
    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > Limits.MaxBlockSize)
        {
            throw new IpfsFormatException("block.too_large", $"Kubo sent a block of {response.Content.Headers.ContentLength} bytes; at most {Limits.MaxBlockSize} are accepted");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int n;
        while ((n = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + n > Limits.MaxBlockSize)
            {
                throw new IpfsFormatException("block.too_large", $"Kubo sent a block over {Limits.MaxBlockSize} bytes");
            }
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    public void Dispose() => _http.Dispose();
}
