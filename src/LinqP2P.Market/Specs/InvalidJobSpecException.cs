using LinqP2P.Core;

namespace LinqP2P.Market.Specs;

/// <summary>One problem in a job spec, located by line, column and field path (e.g. <c>resources.memory</c>).</summary>
public sealed record JobSpecError(int Line, int Column, string Field, string Message)
{
    public override string ToString() => $"{Line}:{Column} {Field}: {Message}";
}

/// <summary>A job spec was rejected; <see cref="Errors"/> lists every problem found, not only the first.</summary>
public sealed class InvalidJobSpecException : LinqException
{
    public InvalidJobSpecException(string source, IReadOnlyList<JobSpecError> errors)
        : base("spec.invalid", Describe(source, errors), retryable: false)
    {
        Source = source;
        Errors = errors;
    }

    public new string Source { get; }

    public IReadOnlyList<JobSpecError> Errors { get; }

    private static string Describe(string source, IReadOnlyList<JobSpecError> errors) =>
        $"{source} is not a valid job spec ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}); fix these and submit again:"
        + string.Concat(errors.Select(e => $"\n  {source}:{e}"));
}
