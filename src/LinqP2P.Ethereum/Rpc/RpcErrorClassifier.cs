using System.Text.Json;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>
/// Turns a JSON-RPC error object into the most specific exception. Nodes differ in wording (geth, anvil,
/// reth, op-geth), so the match is on the phrases they share; anything unknown stays an <see cref="RpcErrorException"/>.
/// </summary>
public static class RpcErrorClassifier
{
    public static Exception Classify(string method, RpcErrorException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.ErrorMessage.ToLowerInvariant();
        if (error.ErrorCode == 3 || message.Contains("execution reverted", StringComparison.Ordinal)
            || (message.Contains("revert", StringComparison.Ordinal) && TryRevertData(error.Data, out _)))
        {
            TryRevertData(error.Data, out var data);
            return new RevertedException(method, data, RevertErrorRegistry.TryDecode(data));
        }
        if (message.Contains("nonce too low", StringComparison.Ordinal) || message.Contains("nonce has already been used", StringComparison.Ordinal))
        {
            return new NonceTooLowException(error.ErrorMessage);
        }
        if (message.Contains("underpriced", StringComparison.Ordinal)
            || message.Contains("less than block base fee", StringComparison.Ordinal)
            || message.Contains("max fee per gas less than", StringComparison.Ordinal)
            || message.Contains("fee cap less than", StringComparison.Ordinal)
            || message.Contains("gas price below", StringComparison.Ordinal)
            || message.Contains("gas price too low", StringComparison.Ordinal))
        {
            return new TransactionUnderpricedException(error.ErrorMessage);
        }
        return error;
    }

    // Revert data arrives as "0x..." in error.data, or nested as {"data": "0x..."} on some nodes.
    private static bool TryRevertData(string? data, out byte[] bytes)
    {
        bytes = [];
        if (data is null)
        {
            return false;
        }
        var text = data.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.TryGetProperty("data", out var inner) && inner.ValueKind == JsonValueKind.String)
                {
                    text = inner.GetString()!;
                }
            }
            catch (JsonException)
            {
                return false;
            }
        }
        if (text.StartsWith('"'))
        {
            text = text.Trim('"');
        }
        return RpcHex.TryDecodeData(text, out bytes);
    }
}
