using LinqP2P.Core;

namespace LinqP2P.Node.Devnet;

/// <summary>A devnet could not be started or stopped; the message says what to do.</summary>
public sealed class DevnetException : LinqException
{
    public DevnetException(string code, string message, Exception? inner = null)
        : base(code, message, retryable: false, inner)
    {
    }
}
