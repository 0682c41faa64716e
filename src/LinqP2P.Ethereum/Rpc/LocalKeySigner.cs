using LinqP2P.Ethereum.Transactions;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>
/// Signs in process with a private key (EIP-1559 when the quote has a fee cap, else legacy EIP-155) and
/// broadcasts the raw bytes with <c>eth_sendRawTransaction</c>. The key never leaves this object.
/// </summary>
public sealed class LocalKeySigner : ITransactionSigner
{
    private readonly PrivateKey _key;

    public LocalKeySigner(PrivateKey key)
    {
        _key = key ?? throw new ArgumentNullException(nameof(key));
        Address = key.Address.ToLowerString();
    }

    public string Address { get; }

    public Task<string> BroadcastAsync(EthRpc rpc, PreparedTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        return rpc.SendRawTransactionAsync(Sign(transaction).Encode(), cancellationToken);
    }

    /// <summary>The signed form of <paramref name="transaction"/>.</summary>
    public SignedTransaction Sign(PreparedTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var to = transaction.To is null ? (Address?)null : Ethereum.Address.Parse(transaction.To);
        var fees = transaction.Fees;
        Transaction unsigned = fees.MaxFeePerGas is { } maxFee
            ? new Eip1559Transaction
            {
                ChainId = (ulong)transaction.ChainId,
                Nonce = (ulong)transaction.Nonce,
                GasLimit = (ulong)transaction.Gas,
                To = to,
                Value = transaction.Value,
                Data = transaction.Data,
                MaxFeePerGas = maxFee,
                MaxPriorityFeePerGas = fees.MaxPriorityFeePerGas ?? 0,
            }
            : new LegacyTransaction
            {
                ChainId = (ulong)transaction.ChainId,
                Nonce = (ulong)transaction.Nonce,
                GasLimit = (ulong)transaction.Gas,
                To = to,
                Value = transaction.Value,
                Data = transaction.Data,
                GasPrice = fees.GasPrice ?? 0,
            };
        return unsigned.Sign(_key);
    }
}
