namespace LinqP2P.Node.Api;

/// <summary>The hand-written OpenAPI 3.1 document of the management API (embedded <c>Api/openapi.json</c>).</summary>
public static class OpenApiDocument
{
    private static readonly Lazy<string> LazyText = new(() =>
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream("openapi.json")
            ?? throw new InvalidOperationException("openapi.json is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Text => LazyText.Value;
}
