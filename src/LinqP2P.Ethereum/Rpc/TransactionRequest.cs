using System.Numerics;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>What a caller wants sent; the sender fills in what is missing (gas, fees, nonce, chain id).</summary>
public sealed record TransactionRequest
{
    /// <summary>The recipient, or null to deploy <see cref="Data"/> as init code.</summary>
    public string? To { get; init; }

    public byte[] Data { get; init; } = [];

    public BigInteger Value { get; init; }

    /// <summary>The gas limit; null asks the node to estimate it (plus a margin).</summary>
    public BigInteger? Gas { get; init; }

    /// <summary>The fees; null asks the <see cref="FeeEstimator"/>.</summary>
    public FeeQuote? Fees { get; init; }
}

/// <summary>A transaction ready to sign: every field is decided.</summary>
public sealed record PreparedTransaction(
    long ChainId,
    BigInteger Nonce,
    string? To,
    byte[] Data,
    BigInteger Value,
    BigInteger Gas,
    FeeQuote Fees);

/// <summary>
/// Turns a prepared transaction into a broadcast one. <see cref="LocalKeySigner"/> signs in process and sends raw bytes;
/// <see cref="NodeAccountSigner"/> asks a dev node (anvil) to sign with one of its unlocked accounts.
/// </summary>
public interface ITransactionSigner
{
    /// <summary>The sender's address as lowercase 0x-hex.</summary>
    string Address { get; }

    /// <summary>Signs and broadcasts; returns the transaction hash. Throws the client's typed errors on refusal.</summary>
    Task<string> BroadcastAsync(EthRpc rpc, PreparedTransaction transaction, CancellationToken cancellationToken);
}

/// <summary>Sends from an account the node holds unlocked (anvil's dev accounts). For devnets and tests only.</summary>
public sealed class NodeAccountSigner : ITransactionSigner
{
    public NodeAccountSigner(string address)
    {
        Address = address.ToLowerInvariant();
    }

    public string Address { get; }

    public Task<string> BroadcastAsync(EthRpc rpc, PreparedTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(transaction);
        var fees = transaction.Fees;
        return rpc.SendTransactionAsync(new CallRequest
        {
            From = Address,
            To = transaction.To,
            Data = RpcHex.Data(transaction.Data),
            Value = RpcHex.Quantity(transaction.Value),
            Gas = RpcHex.Quantity(transaction.Gas),
            Nonce = RpcHex.Quantity(transaction.Nonce),
            MaxFeePerGas = fees.MaxFeePerGas is { } max ? RpcHex.Quantity(max) : null,
            MaxPriorityFeePerGas = fees.MaxPriorityFeePerGas is { } tip ? RpcHex.Quantity(tip) : null,
            GasPrice = fees.GasPrice is { } price ? RpcHex.Quantity(price) : null,
        }, cancellationToken);
    }
}
