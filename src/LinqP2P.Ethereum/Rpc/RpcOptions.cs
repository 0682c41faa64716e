namespace LinqP2P.Ethereum.Rpc;

/// <summary>Options of the JSON-RPC client (SPEC.md §3, "JSON-RPC").</summary>
public sealed class RpcOptions
{
    /// <summary>The node's HTTP endpoint. No default: it must be set.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The chain id transactions are signed for; checked against <c>eth_chainId</c> before the first send.
    /// Null skips the check (read-only use). Default null.</summary>
    public long? ChainId { get; set; }

    /// <summary>Deadline of one HTTP attempt. Default 10 s.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a transient fault (connection refused, 5xx, timeout) is retried. Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry delay; it doubles each retry, with ±20% jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The largest response body accepted; a larger one is a malformed answer. Default 16 MiB.</summary>
    public int MaxResponseBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    public void Validate()
    {
        if (Endpoint is null || !Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("RpcOptions.Endpoint must be an absolute http(s) URL.");
        }
        if (CallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("RpcOptions.CallTimeout must be positive.");
        }
        if (MaxRetries < 0)
        {
            throw new ArgumentException("RpcOptions.MaxRetries must not be negative.");
        }
        if (MaxResponseBytes < 1024)
        {
            throw new ArgumentException("RpcOptions.MaxResponseBytes must be at least 1024.");
        }
    }
}
