using LinqP2P.Core;

namespace LinqP2P.Ethereum.Rpc;

// The faults of the JSON-RPC client (SPEC.md §3, "JSON-RPC"). Each is sealed, carries a stable code and
// says in its message what the operator can do next. Transient ones (unreachable, timeout) are retryable.

/// <summary>The node did not accept a connection or answered with a server fault on every attempt.</summary>
public sealed class RpcUnreachableException : LinqException
{
    public RpcUnreachableException(Uri endpoint, string detail, Exception? inner = null)
        : base("eth.rpc.unreachable",
            $"The Ethereum node at {endpoint} is unreachable ({detail}). Check that it runs and that the URL is right; " +
            "for a local devnet run `linq devnet up` (or `linq devnet status`).",
            retryable: true, inner)
    {
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }
}

/// <summary>The node did not answer a call within its deadline.</summary>
public sealed class RpcTimeoutException : LinqException
{
    public RpcTimeoutException(Uri endpoint, string method, TimeSpan deadline, Exception? inner = null)
        : base("eth.rpc.timeout",
            $"{method} to {endpoint} got no answer within {deadline.TotalSeconds:0.###} s. The node may be overloaded or stuck; " +
            "retry later or raise RpcOptions.CallTimeout.",
            retryable: true, inner)
    {
        Method = method;
        Deadline = deadline;
    }

    public string Method { get; }

    public TimeSpan Deadline { get; }
}

/// <summary>The node answered with a JSON-RPC error object that no more specific exception describes.</summary>
public sealed class RpcErrorException : LinqException
{
    public RpcErrorException(string method, long errorCode, string errorMessage, string? data)
        : base("eth.rpc.error", $"{method} failed with JSON-RPC error {errorCode}: {errorMessage}" + (data is null ? "" : $" (data {data})"),
            retryable: false)
    {
        Method = method;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        Data = data;
    }

    public string Method { get; }

    /// <summary>The JSON-RPC <c>error.code</c>.</summary>
    public long ErrorCode { get; }

    /// <summary>The JSON-RPC <c>error.message</c>.</summary>
    public string ErrorMessage { get; }

    /// <summary>The raw JSON text of <c>error.data</c>, if any.</summary>
    public new string? Data { get; }
}

/// <summary>The node's answer was not a valid JSON-RPC response to the request sent.</summary>
public sealed class RpcMalformedResponseException : LinqException
{
    public RpcMalformedResponseException(string method, string problem, Exception? inner = null)
        : base("eth.rpc.malformed", $"The answer to {method} was malformed: {problem}. The URL may point at something " +
            "that is not an Ethereum JSON-RPC node, or a proxy altered the answer.", retryable: false, inner)
    {
        Method = method;
        Problem = problem;
    }

    public string Method { get; }

    public string Problem { get; }
}

/// <summary>The node serves a different chain than the one configured; nothing was sent.</summary>
public sealed class WrongChainException : LinqException
{
    public WrongChainException(Uri endpoint, long expected, long actual)
        : base("eth.rpc.wrong_chain", $"The node at {endpoint} serves chain {actual}, but chain {expected} is configured. " +
            "Point the RPC URL at the right network or fix the configured chain id; no transaction was sent.",
            retryable: false)
    {
        Expected = expected;
        Actual = actual;
    }

    public long Expected { get; }

    public long Actual { get; }
}

/// <summary>The node refused a transaction whose nonce it has already seen used.</summary>
public sealed class NonceTooLowException : LinqException
{
    public NonceTooLowException(string detail)
        : base("eth.tx.nonce_too_low", $"The transaction nonce was already used ({detail}). The nonce manager resyncs " +
            "from the node's pending count; retry the send.", retryable: true)
    {
    }
}

/// <summary>The node refused a transaction whose fees are too low (below base fee, or a too-cheap replacement).</summary>
public sealed class TransactionUnderpricedException : LinqException
{
    public TransactionUnderpricedException(string detail)
        : base("eth.tx.underpriced", $"The transaction was refused as underpriced ({detail}). Raise the fee cap or tip " +
            "(a replacement must pay at least 10% more than the transaction it replaces).", retryable: false)
    {
    }
}

/// <summary>A call or transaction reverted. <see cref="Error"/> holds the decoded custom error when it is known.</summary>
public sealed class RevertedException : LinqException
{
    public RevertedException(string context, byte[] revertData, RevertReason? reason, string? transactionHash = null)
        : base("eth.contract.reverted", Describe(context, revertData, reason, transactionHash), retryable: false)
    {
        RevertData = revertData;
        Reason = reason;
        TransactionHash = transactionHash;
    }

    /// <summary>The raw revert data (selector + ABI-encoded arguments), empty for a bare <c>revert()</c>.</summary>
    public byte[] RevertData { get; }

    /// <summary>The decoded reason, or null when no registered error matches the selector.</summary>
    public RevertReason? Reason { get; }

    /// <summary>The decoded error object (a generated error record, a string for Error(string), a panic code).</summary>
    public object? Error => Reason?.Value;

    /// <summary>The mined transaction that reverted; null when the revert was found by a call or gas estimate.</summary>
    public string? TransactionHash { get; }

    private static string Describe(string context, byte[] data, RevertReason? reason, string? tx)
    {
        var what = reason is not null ? reason.ToString() : data.Length == 0 ? "no reason given" : $"unknown error 0x{Convert.ToHexStringLower(data)}";
        return $"{context} reverted: {what}" + (tx is null ? "" : $" (transaction {tx})") +
            ". The contract refused the operation; fix its inputs or state, retrying the same call will not help.";
    }
}

/// <summary>A transaction was not mined or not confirmed in time.</summary>
public sealed class ReceiptTimeoutException : LinqException
{
    public ReceiptTimeoutException(string transactionHash, int confirmations, TimeSpan waited)
        : base("eth.tx.receipt_timeout", $"Transaction {transactionHash} did not reach {confirmations} confirmation(s) within " +
            $"{waited.TotalSeconds:0} s. It may still be mined; check it later by hash, or bump its fees by replacing it.",
            retryable: true)
    {
        TransactionHash = transactionHash;
    }

    public string TransactionHash { get; }
}

/// <summary>A decoded revert: the error's name and its value (a generated record, or a string/panic code).</summary>
public sealed record RevertReason(string Name, object? Value)
{
    public override string ToString() => Value is null ? Name : $"{Name} {Value}";
}
