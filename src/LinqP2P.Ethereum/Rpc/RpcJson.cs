using System.Text.Json;
using System.Text.Json.Serialization;

namespace LinqP2P.Ethereum.Rpc;

internal sealed record RpcRequest(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("params")] object?[] Params)
{
    [JsonPropertyName("jsonrpc")]
    public string JsonRpc => "2.0";
}

internal static class RpcJsonContext
{
    public static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };
}
