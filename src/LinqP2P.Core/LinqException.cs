namespace LinqP2P.Core;

/// <summary>
/// The base of every fault LinqP2P raises on purpose. Each carries a stable <see cref="Code"/> that the
/// REST API maps to ProblemDetails, says whether retrying can help, and its message says what to do next.
/// Expected outcomes (a bid lost, a block missing) are typed results, not exceptions.
/// </summary>
public abstract class LinqException : Exception
{
    protected LinqException(string code, string message, bool retryable, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Retryable = retryable;
    }

    /// <summary>A stable, dotted error code such as <c>eth.rpc.timeout</c>.</summary>
    public string Code { get; }

    /// <summary>True when the same call may succeed later without any change by the caller.</summary>
    public bool Retryable { get; }
}

/// <summary>Input from outside (a frame, a message, a file, an argument) was malformed or out of bounds.</summary>
public sealed class InvalidInputException : LinqException
{
    public InvalidInputException(string code, string message, Exception? inner = null)
        : base(code, message, retryable: false, inner) { }
}
