using System.Numerics;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>Options of <see cref="TransactionSender"/>.</summary>
public sealed class TransactionSenderOptions
{
    /// <summary>How often a pending receipt is polled. Default 250 ms.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long to wait for a receipt and its confirmations. Default 2 min.</summary>
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Margin added to the node's gas estimate, in percent. Default 20.</summary>
    public int GasMarginPercent { get; set; } = 20;
}

/// <summary>
/// Sends transactions from one account (SPEC.md §3, "JSON-RPC"): checks the chain id, estimates gas
/// (a revert is raised here, before a nonce is used), quotes fees, takes the next nonce from the
/// <see cref="NonceManager"/>, broadcasts through the signer, and waits for receipts with N confirmations.
/// </summary>
public sealed class TransactionSender
{
    private readonly EthRpc _rpc;
    private readonly ITransactionSigner _signer;
    private readonly NonceManager _nonces;
    private readonly FeeEstimator _fees;
    private readonly TransactionSenderOptions _options;

    public TransactionSender(EthRpc rpc, ITransactionSigner signer, NonceManager? nonces = null, TransactionSenderOptions? options = null)
    {
        _rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
        _signer = signer ?? throw new ArgumentNullException(nameof(signer));
        _nonces = nonces ?? new NonceManager(rpc);
        _fees = new FeeEstimator(rpc);
        _options = options ?? new TransactionSenderOptions();
    }

    public EthRpc Rpc => _rpc;

    public string Address => _signer.Address;

    public NonceManager Nonces => _nonces;

    /// <summary>Broadcasts <paramref name="request"/> and returns its hash once the node accepted it.</summary>
    public async Task<string> SendAsync(TransactionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _rpc.EnsureChainAsync(cancellationToken).ConfigureAwait(false);
        var chainId = _rpc.Client.Options.ChainId ?? await _rpc.ChainIdAsync(cancellationToken).ConfigureAwait(false);
        var gas = request.Gas ?? await EstimateGasAsync(request, cancellationToken).ConfigureAwait(false);
        var fees = request.Fees ?? await _fees.EstimateAsync(cancellationToken).ConfigureAwait(false);
        return await _nonces.UseNextAsync(_signer.Address, (nonce, ct) =>
            _signer.BroadcastAsync(_rpc, new PreparedTransaction(chainId, nonce, request.To, request.Data, request.Value, gas, fees), ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends and waits for the receipt with <paramref name="confirmations"/> confirmations.
    /// A reverted transaction throws <see cref="RevertedException"/> with its decoded error.</summary>
    public async Task<TransactionReceipt> SendAndWaitAsync(TransactionRequest request, int confirmations = 1, CancellationToken cancellationToken = default)
    {
        var hash = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var receipt = await WaitForReceiptAsync(hash, confirmations, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded)
        {
            throw await ExplainRevertAsync(request, receipt, cancellationToken).ConfigureAwait(false);
        }
        return receipt;
    }

    /// <summary>
    /// Waits until the transaction is mined and <paramref name="confirmations"/> blocks (its own included) are on top
    /// of it, re-reading the receipt at the end so a reorg that moved it is noticed.
    /// </summary>
    public async Task<TransactionReceipt> WaitForReceiptAsync(string transactionHash, int confirmations = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(confirmations, 1);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ReceiptTimeout);
        try
        {
            while (true)
            {
                var receipt = await _rpc.GetTransactionReceiptAsync(transactionHash, deadline.Token).ConfigureAwait(false);
                if (receipt is not null)
                {
                    var head = await _rpc.BlockNumberAsync(deadline.Token).ConfigureAwait(false);
                    if (head - receipt.BlockNumber + 1 >= confirmations)
                    {
                        var again = await _rpc.GetTransactionReceiptAsync(transactionHash, deadline.Token).ConfigureAwait(false);
                        if (again is not null && again.BlockHash == receipt.BlockHash)
                        {
                            return again;
                        }
                        continue;
                    }
                }
                await Task.Delay(_options.PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ReceiptTimeoutException(transactionHash, confirmations, _options.ReceiptTimeout);
        }
    }

    private async Task<BigInteger> EstimateGasAsync(TransactionRequest request, CancellationToken cancellationToken)
    {
        var estimate = await _rpc.EstimateGasAsync(ToCall(request), cancellationToken).ConfigureAwait(false);
        return estimate * (100 + _options.GasMarginPercent) / 100;
    }

    // A mined revert carries no reason; replaying the call on the state before its block recovers the error.
    private async Task<RevertedException> ExplainRevertAsync(TransactionRequest request, TransactionReceipt receipt, CancellationToken cancellationToken)
    {
        try
        {
            await _rpc.CallAsync(ToCall(request) with { Gas = request.Gas is { } g ? RpcHex.Quantity(g) : null },
                BlockTag.At(receipt.BlockNumber - 1), cancellationToken).ConfigureAwait(false);
        }
        catch (RevertedException replayed)
        {
            return new RevertedException("transaction", replayed.RevertData, replayed.Reason, receipt.TransactionHash);
        }
        catch (RpcErrorException)
        {
            // The node cannot replay (pruned state): the revert stays unexplained.
        }
        return new RevertedException("transaction", [], null, receipt.TransactionHash);
    }

    private CallRequest ToCall(TransactionRequest request) => new()
    {
        From = _signer.Address,
        To = request.To,
        Data = RpcHex.Data(request.Data),
        Value = request.Value.IsZero ? null : RpcHex.Quantity(request.Value),
    };
}
