using LinqP2P.Core;

namespace LinqP2P.Synth;

/// <summary>
/// Input to the synthetic data service (a sample file, a schema, a model, an argument) is malformed or out
/// of bounds. <see cref="Line"/> and <see cref="Field"/> locate the problem when it comes from a file, so the
/// message can say exactly what to change.
/// </summary>
public sealed class SynthInputException : LinqException
{
    public SynthInputException(string code, string message, long? line = null, string? field = null, Exception? inner = null)
        : base(code, Locate(message, line, field), retryable: false, inner)
    {
        Line = line;
        Field = field;
    }

    /// <summary>The 1-based line of the offending input, when it comes from a text file.</summary>
    public long? Line { get; }

    /// <summary>The column, YAML key or JSON property at fault, when one is.</summary>
    public string? Field { get; }

    private static string Locate(string message, long? line, string? field) =>
        (line, field) switch
        {
            (not null, not null) => $"line {line}, field '{field}': {message}",
            (not null, null) => $"line {line}: {message}",
            (null, not null) => $"field '{field}': {message}",
            _ => message,
        };
}

/// <summary>
/// A generator could not satisfy its own guarantees (for example the privacy guard kept rejecting rows
/// because the sample is too small or too discrete). Retrying with the same inputs gives the same failure.
/// </summary>
public sealed class SynthGenerationException : LinqException
{
    public SynthGenerationException(string code, string message, Exception? inner = null)
        : base(code, message, retryable: false, inner) { }
}
