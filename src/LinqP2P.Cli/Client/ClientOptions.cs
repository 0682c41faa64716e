using System.CommandLine;
using System.Text.Json;
using LinqP2P.Core;
using LinqP2P.Node.Config;
using LinqP2P.Node.Hosting;
using Spectre.Console;

namespace LinqP2P.Cli.Client;

/// <summary>The options every API client command takes (--data-dir, --api, --token, --json) and how it reports errors.</summary>
internal sealed class ClientOptions
{
    public Option<string?> DataDir { get; } = new("--data-dir")
    {
        Description = "The node's data directory (API address and token are read from it). Default $LINQ_DATA_DIR or ~/.linq.",
    };

    public Option<string?> Api { get; } = new("--api") { Description = "The node's API URL, e.g. http://127.0.0.1:5080 (default: from the data dir)." };

    public Option<string?> Token { get; } = new("--token") { Description = "The API bearer token (default: <data-dir>/api-token)." };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the answer as JSON." };

    public void AddTo(Command command, bool json = true)
    {
        command.Options.Add(DataDir);
        command.Options.Add(Api);
        command.Options.Add(Token);
        if (json)
        {
            command.Options.Add(Json);
        }
    }

    public static string ResolveDataDir(string? given) =>
        Path.GetFullPath(given ?? (Environment.GetEnvironmentVariable("LINQ_DATA_DIR") is { Length: > 0 } d ? d : NodeOptions.DefaultDataDir));

    public NodeApiClient Connect(ParseResult parse) =>
        new(ApiAccess.Resolve(ResolveDataDir(parse.GetValue(DataDir)), parse.GetValue(Api), parse.GetValue(Token)));

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void PrintJson(JsonElement element) => Console.WriteLine(JsonSerializer.Serialize(element, Indented));

    /// <summary>Runs a command body: typed faults print "error CODE: what to do next" on stderr and exit 1.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (LinqException e)
        {
            Console.Error.WriteLine($"error {e.Code}: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }

    public static string Esc(string? s) => Markup.Escape(s ?? "");
}
