using System.Numerics;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>
/// Suggests fees. On an EIP-1559 chain: fee cap = 2 × latest base fee + tip, which stays valid through
/// six consecutive full blocks; the tip comes from <c>eth_maxPriorityFeePerGas</c> (1 gwei when the node
/// does not offer it). On a legacy chain: <c>eth_gasPrice</c>.
/// </summary>
public sealed class FeeEstimator
{
    /// <summary>The tip used when the node has no opinion: 1 gwei.</summary>
    public static readonly BigInteger DefaultTip = BigInteger.Pow(10, 9);

    private readonly EthRpc _rpc;

    public FeeEstimator(EthRpc rpc)
    {
        _rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
    }

    public async Task<FeeQuote> EstimateAsync(CancellationToken cancellationToken = default)
    {
        var head = await _rpc.GetBlockByNumberAsync(BlockTag.Latest, cancellationToken).ConfigureAwait(false)
            ?? throw new RpcMalformedResponseException("eth_getBlockByNumber", "the latest block is null");
        if (head.BaseFeePerGas is not { } baseFee)
        {
            return new FeeQuote(null, null, await _rpc.GasPriceAsync(cancellationToken).ConfigureAwait(false));
        }
        BigInteger tip;
        try
        {
            tip = await _rpc.MaxPriorityFeePerGasAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RpcErrorException)
        {
            tip = DefaultTip;
        }
        return new FeeQuote((baseFee * 2) + tip, tip, null);
    }
}
