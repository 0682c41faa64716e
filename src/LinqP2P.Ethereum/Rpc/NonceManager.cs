using System.Collections.Concurrent;
using System.Numerics;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>
/// Hands out nonces per account so concurrent sends from one wallet form a gap-free sequence
/// (SPEC.md §3, "JSON-RPC"). The account's lock is held from choosing the nonce until the node has
/// accepted the transaction: a refused send does not consume its nonce, so no gap can open. The first
/// use, a "nonce too low" answer and an ambiguous failure (timeout after sending) all resync from
/// <c>eth_getTransactionCount(pending)</c>, which is also how a restarted node picks up where it was.
/// </summary>
public sealed class NonceManager
{
    private readonly EthRpc _rpc;
    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.OrdinalIgnoreCase);

    public NonceManager(EthRpc rpc)
    {
        _rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
    }

    /// <summary>
    /// Runs <paramref name="broadcast"/> with the account's next nonce, alone for that account. The nonce is
    /// consumed only when it returns. On <see cref="NonceTooLowException"/> it resyncs and tries once more.
    /// </summary>
    public async Task<T> UseNextAsync<T>(string address, Func<BigInteger, CancellationToken, Task<T>> broadcast, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(broadcast);
        var account = _accounts.GetOrAdd(address, _ => new Account());
        await account.Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                account.Next ??= await _rpc.GetTransactionCountAsync(address, BlockTag.Pending, cancellationToken).ConfigureAwait(false);
                try
                {
                    var result = await broadcast(account.Next.Value, cancellationToken).ConfigureAwait(false);
                    account.Next++;
                    return result;
                }
                catch (NonceTooLowException) when (attempt == 0)
                {
                    // Someone else (another process, a restart) used nonces we did not count.
                    account.Next = null;
                }
                catch (Exception ex) when (ex is RpcTimeoutException or RpcUnreachableException or OperationCanceledException)
                {
                    // The node may or may not have taken the transaction: only its pending count knows.
                    account.Next = null;
                    throw;
                }
            }
        }
        finally
        {
            account.Lock.Release();
        }
    }

    /// <summary>Forgets the cached nonce of <paramref name="address"/>; the next send asks the node.</summary>
    public void Reset(string address) => _accounts.TryRemove(address, out _);

    private sealed class Account
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public BigInteger? Next { get; set; }
    }
}
