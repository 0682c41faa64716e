using System.Numerics;
using System.Text.Json;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>A block header as the client needs it: identity, parent link and the base fee.</summary>
public sealed record BlockHeader(long Number, string Hash, string ParentHash, long Timestamp, BigInteger? BaseFeePerGas)
{
    internal static BlockHeader Read(JsonElement e) => new(
        RpcHex.ReadLong(e.GetProperty("number")),
        RpcHex.ReadHash(e.GetProperty("hash")),
        RpcHex.ReadHash(e.GetProperty("parentHash")),
        RpcHex.ReadLong(e.GetProperty("timestamp")),
        e.TryGetProperty("baseFeePerGas", out var fee) && fee.ValueKind == JsonValueKind.String ? RpcHex.ReadQuantity(fee) : null);
}

/// <summary>An event log. <see cref="Removed"/> is true when a reorg took it out of the canonical chain.</summary>
public sealed record EventLog(
    string Address,
    IReadOnlyList<string> Topics,
    byte[] Data,
    long BlockNumber,
    string BlockHash,
    string TransactionHash,
    int LogIndex,
    bool Removed)
{
    /// <summary>The identity of this log within one canonical inclusion.</summary>
    public string Key => $"{BlockHash}:{LogIndex}";

    internal static EventLog Read(JsonElement e) => new(
        RpcHex.ReadAddress(e.GetProperty("address")),
        e.GetProperty("topics").EnumerateArray().Select(RpcHex.ReadHash).ToArray(),
        RpcHex.ReadData(e.GetProperty("data")),
        RpcHex.ReadLong(e.GetProperty("blockNumber")),
        RpcHex.ReadHash(e.GetProperty("blockHash")),
        RpcHex.ReadHash(e.GetProperty("transactionHash")),
        (int)RpcHex.ReadLong(e.GetProperty("logIndex")),
        e.TryGetProperty("removed", out var r) && r.ValueKind == JsonValueKind.True);
}

/// <summary>A transaction receipt.</summary>
public sealed record TransactionReceipt(
    string TransactionHash,
    long BlockNumber,
    string BlockHash,
    bool Succeeded,
    BigInteger GasUsed,
    BigInteger EffectiveGasPrice,
    string From,
    string? To,
    string? ContractAddress,
    IReadOnlyList<EventLog> Logs)
{
    /// <summary>What the sender paid for gas, in wei.</summary>
    public BigInteger Fee => GasUsed * EffectiveGasPrice;

    internal static TransactionReceipt Read(JsonElement e) => new(
        RpcHex.ReadHash(e.GetProperty("transactionHash")),
        RpcHex.ReadLong(e.GetProperty("blockNumber")),
        RpcHex.ReadHash(e.GetProperty("blockHash")),
        RpcHex.ReadQuantity(e.GetProperty("status")) == BigInteger.One,
        RpcHex.ReadQuantity(e.GetProperty("gasUsed")),
        e.TryGetProperty("effectiveGasPrice", out var p) && p.ValueKind == JsonValueKind.String ? RpcHex.ReadQuantity(p) : BigInteger.Zero,
        RpcHex.ReadAddress(e.GetProperty("from")),
        e.TryGetProperty("to", out var to) && to.ValueKind == JsonValueKind.String ? RpcHex.ReadAddress(to) : null,
        e.TryGetProperty("contractAddress", out var ca) && ca.ValueKind == JsonValueKind.String ? RpcHex.ReadAddress(ca) : null,
        e.GetProperty("logs").EnumerateArray().Select(EventLog.Read).ToArray());
}

/// <summary>The fields of eth_call / eth_estimateGas / eth_sendTransaction; null fields are left out.</summary>
public sealed record CallRequest
{
    public string? From { get; init; }

    public string? To { get; init; }

    public string? Data { get; init; }

    public string? Value { get; init; }

    public string? Gas { get; init; }

    public string? Nonce { get; init; }

    public string? MaxFeePerGas { get; init; }

    public string? MaxPriorityFeePerGas { get; init; }

    public string? GasPrice { get; init; }
}

/// <summary>The fee fields of a transaction: EIP-1559 (fee cap + tip) or legacy (gas price).</summary>
public sealed record FeeQuote(BigInteger? MaxFeePerGas, BigInteger? MaxPriorityFeePerGas, BigInteger? GasPrice)
{
    public bool IsEip1559 => MaxFeePerGas is not null;

    /// <summary>The most a unit of gas can cost under this quote.</summary>
    public BigInteger Ceiling => MaxFeePerGas ?? GasPrice ?? BigInteger.Zero;
}

/// <summary>A block selector for eth_call, eth_getBalance and friends.</summary>
public readonly record struct BlockTag(string Value)
{
    public static BlockTag Latest => new("latest");

    public static BlockTag Pending => new("pending");

    public static BlockTag Earliest => new("earliest");

    public static BlockTag At(long number) => new(RpcHex.Quantity(number));

    public override string ToString() => Value;
}
