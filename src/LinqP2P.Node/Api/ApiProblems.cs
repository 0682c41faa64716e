using LinqP2P.Core;
using LinqP2P.Market.Specs;
using LinqP2P.Node.Config;
using Microsoft.AspNetCore.Http;

namespace LinqP2P.Node.Api;

/// <summary>A request the API refuses, with the status it answers and a message that says what to do instead.</summary>
public sealed class ApiException(int status, string code, string message) : LinqException(code, message, retryable: status >= 500)
{
    public int Status { get; } = status;
}

/// <summary>
/// Every error the management API returns is an RFC 7807 <c>application/problem+json</c> document:
/// <c>type</c> (<c>urn:linq:problem:&lt;code&gt;</c>), <c>title</c>, <c>status</c>, <c>detail</c> (what went wrong and
/// what to do next), plus <c>code</c>, <c>retryable</c> and, for a rejected spec, <c>errors</c>.
/// </summary>
public static class ApiProblems
{
    public const string ContentType = "application/problem+json";

    /// <summary>The HTTP status of a typed fault: its own for <see cref="ApiException"/>, else by kind and code.</summary>
    public static int StatusOf(LinqException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            ApiException a => a.Status,
            InvalidJobSpecException or InvalidInputException or NodeConfigException => StatusCodes.Status400BadRequest,
            _ when e.Code.EndsWith("not_found", StringComparison.Ordinal) => StatusCodes.Status404NotFound,
            _ when e.Code.Contains("invalid", StringComparison.Ordinal) || e.Code.Contains(".bad", StringComparison.Ordinal) => StatusCodes.Status400BadRequest,
            _ when e.Code.Contains("state", StringComparison.Ordinal) || e.Code.Contains("exists", StringComparison.Ordinal) || e.Code.Contains("already", StringComparison.Ordinal) => StatusCodes.Status409Conflict,
            _ when e.Retryable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
    }

    public static IResult From(LinqException e, string? instance = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        var status = StatusOf(e);
        var extensions = new Dictionary<string, object?>
        {
            ["code"] = e.Code,
            ["retryable"] = e.Retryable,
        };
        if (e is InvalidJobSpecException spec)
        {
            extensions["errors"] = spec.Errors.Select(x => new { line = x.Line, column = x.Column, field = x.Field, message = x.Message }).ToArray();
        }
        if (e is NodeConfigException config)
        {
            extensions["errors"] = config.Errors.Select(x => new { origin = x.Origin.ToString(), field = x.Field, message = x.Message }).ToArray();
        }
        return Results.Problem(detail: e.Message, instance: instance, statusCode: status, title: TitleOf(status), type: "urn:linq:problem:" + e.Code, extensions: extensions);
    }

    public static IResult Of(int status, string code, string detail, string? instance = null) =>
        From(new ApiException(status, code, detail), instance);

    private static string TitleOf(int status) => status switch
    {
        400 => "The request is not valid",
        401 => "A valid API token is required",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "The request conflicts with the current state",
        413 => "The request body is too large",
        415 => "Unsupported content type",
        422 => "The request could not be carried out",
        503 => "Temporarily unavailable",
        _ => "The request failed",
    };
}
