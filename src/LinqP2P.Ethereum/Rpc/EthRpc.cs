using System.Numerics;
using System.Text.Json;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>
/// Typed access to the eth_* methods the node uses (SPEC.md §3, "JSON-RPC"). Results are validated as
/// they are read: a wrong type or a missing field is an <see cref="RpcMalformedResponseException"/>.
/// </summary>
public sealed class EthRpc : IDisposable
{
    private readonly SemaphoreSlim _chainCheck = new(1, 1);
    private bool _chainVerified;

    public EthRpc(JsonRpcClient client)
    {
        Client = client ?? throw new ArgumentNullException(nameof(client));
    }

    public EthRpc(RpcOptions options)
        : this(new JsonRpcClient(options))
    {
    }

    public JsonRpcClient Client { get; }

    public Uri Endpoint => Client.Endpoint;

    public Task<long> ChainIdAsync(CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_chainId", [], RpcHex.ReadLong, cancellationToken);

    /// <summary>
    /// Checks once that the node serves the configured chain, before anything is signed for it.
    /// A mismatch throws <see cref="WrongChainException"/> and is checked again next time.
    /// </summary>
    public async Task EnsureChainAsync(CancellationToken cancellationToken = default)
    {
        if (_chainVerified || Client.Options.ChainId is not long expected)
        {
            return;
        }
        await _chainCheck.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_chainVerified)
            {
                return;
            }
            var actual = await ChainIdAsync(cancellationToken).ConfigureAwait(false);
            if (actual != expected)
            {
                throw new WrongChainException(Endpoint, expected, actual);
            }
            _chainVerified = true;
        }
        finally
        {
            _chainCheck.Release();
        }
    }

    public Task<long> BlockNumberAsync(CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_blockNumber", [], RpcHex.ReadLong, cancellationToken);

    public Task<BigInteger> GetBalanceAsync(string address, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_getBalance", [address, (block ?? BlockTag.Latest).Value], RpcHex.ReadQuantity, cancellationToken);

    public Task<byte[]> GetCodeAsync(string address, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_getCode", [address, (block ?? BlockTag.Latest).Value], RpcHex.ReadData, cancellationToken);

    public Task<BigInteger> GetTransactionCountAsync(string address, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_getTransactionCount", [address, (block ?? BlockTag.Pending).Value], RpcHex.ReadQuantity, cancellationToken);

    public Task<BigInteger> GasPriceAsync(CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_gasPrice", [], RpcHex.ReadQuantity, cancellationToken);

    public Task<BigInteger> MaxPriorityFeePerGasAsync(CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_maxPriorityFeePerGas", [], RpcHex.ReadQuantity, cancellationToken);

    /// <summary>Runs a call without a transaction. A revert throws <see cref="RevertedException"/>.</summary>
    public Task<byte[]> CallAsync(CallRequest call, BlockTag? block = null, CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_call", [call, (block ?? BlockTag.Latest).Value], RpcHex.ReadData, cancellationToken);

    /// <summary>Estimates gas. A revert throws <see cref="RevertedException"/> before anything is sent.</summary>
    public Task<BigInteger> EstimateGasAsync(CallRequest call, CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_estimateGas", [call], RpcHex.ReadQuantity, cancellationToken);

    /// <summary>Broadcasts a signed transaction after checking the chain id; returns its hash.</summary>
    public async Task<string> SendRawTransactionAsync(byte[] signed, CancellationToken cancellationToken = default)
    {
        await EnsureChainAsync(cancellationToken).ConfigureAwait(false);
        return await Client.CallAsync("eth_sendRawTransaction", [RpcHex.Data(signed)], RpcHex.ReadHash, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the node to sign and send from one of its unlocked accounts (dev nodes only).</summary>
    public async Task<string> SendTransactionAsync(CallRequest transaction, CancellationToken cancellationToken = default)
    {
        await EnsureChainAsync(cancellationToken).ConfigureAwait(false);
        return await Client.CallAsync("eth_sendTransaction", [transaction], RpcHex.ReadHash, cancellationToken).ConfigureAwait(false);
    }

    public Task<TransactionReceipt?> GetTransactionReceiptAsync(string transactionHash, CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_getTransactionReceipt", [transactionHash],
            e => e.ValueKind == JsonValueKind.Null ? null : TransactionReceipt.Read(e), cancellationToken);

    public Task<BlockHeader?> GetBlockByNumberAsync(BlockTag block, CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_getBlockByNumber", [block.Value, false],
            e => e.ValueKind == JsonValueKind.Null ? null : BlockHeader.Read(e), cancellationToken);

    public Task<BlockHeader?> GetBlockByHashAsync(string hash, CancellationToken cancellationToken = default) =>
        Client.CallAsync("eth_getBlockByHash", [hash, false],
            e => e.ValueKind == JsonValueKind.Null ? null : BlockHeader.Read(e), cancellationToken);

    /// <summary>Logs of a block range (inclusive), optionally of some addresses and a first topic.</summary>
    public Task<IReadOnlyList<EventLog>> GetLogsAsync(long fromBlock, long toBlock, IReadOnlyList<string>? addresses = null,
        IReadOnlyList<string?>? topics = null, CancellationToken cancellationToken = default)
    {
        var filter = new Dictionary<string, object?>
        {
            ["fromBlock"] = RpcHex.Quantity(fromBlock),
            ["toBlock"] = RpcHex.Quantity(toBlock),
        };
        if (addresses is { Count: > 0 })
        {
            filter["address"] = addresses;
        }
        if (topics is { Count: > 0 })
        {
            filter["topics"] = topics;
        }
        return Client.CallAsync<IReadOnlyList<EventLog>>("eth_getLogs", [filter],
            e => e.EnumerateArray().Select(EventLog.Read).ToArray(), cancellationToken);
    }

    /// <summary>Logs of one block by its hash: immune to a reorg between reading the header and the logs.</summary>
    public Task<IReadOnlyList<EventLog>> GetLogsByBlockHashAsync(string blockHash, IReadOnlyList<string>? addresses = null,
        IReadOnlyList<string?>? topics = null, CancellationToken cancellationToken = default)
    {
        var filter = new Dictionary<string, object?> { ["blockHash"] = blockHash };
        if (addresses is { Count: > 0 })
        {
            filter["address"] = addresses;
        }
        if (topics is { Count: > 0 })
        {
            filter["topics"] = topics;
        }
        return Client.CallAsync<IReadOnlyList<EventLog>>("eth_getLogs", [filter],
            e => e.EnumerateArray().Select(EventLog.Read).ToArray(), cancellationToken);
    }

    public void Dispose()
    {
        Client.Dispose();
        _chainCheck.Dispose();
    }
}
