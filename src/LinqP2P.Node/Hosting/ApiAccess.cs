using System.Security.Cryptography;
using System.Text.Json;
using LinqP2P.Core;

namespace LinqP2P.Node.Hosting;

/// <summary>How a client reaches a node's management API: its base URL and bearer token.</summary>
public sealed record ApiAccess(Uri Url, string Token)
{
    /// <summary>The token file in the data dir (mode 0600); the node creates it once and keeps it.</summary>
    public const string TokenFileName = "api-token";

    /// <summary>The running node's API address, written at start and removed at a clean stop.</summary>
    public const string EndpointFileName = "api.json";

    /// <summary>Reads the token of the node in <paramref name="dataDir"/>, creating a random one (32 bytes, mode 0600) if there is none.</summary>
    public static string LoadOrCreateToken(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, TokenFileName);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= 32)
            {
                return existing;
            }
        }
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        WritePrivate(path, token);
        return token;
    }

    /// <summary>Writes <paramref name="text"/> so that only the owner can ever read it (the file is created 0600, not chmodded after).</summary>
    public static void WritePrivate(string path, string text)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temp, path, overwrite: true);
    }

    public static void WriteEndpoint(string dataDir, Uri url, int pid) =>
        WritePrivate(Path.Combine(dataDir, EndpointFileName), JsonSerializer.Serialize(new EndpointFile(url.ToString().TrimEnd('/'), pid)));

    public static void RemoveEndpoint(string dataDir)
    {
        try
        {
            File.Delete(Path.Combine(dataDir, EndpointFileName));
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// What a CLI command uses: <paramref name="api"/>/<paramref name="token"/> when given, else the files the node
    /// wrote into <paramref name="dataDir"/>.
    /// </summary>
    public static ApiAccess Resolve(string dataDir, string? api, string? token)
    {
        Uri? url = null;
        if (api is not null)
        {
            if (!Uri.TryCreate(api, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
            {
                throw new ApiAccessException("cli.bad_api", $"--api '{api}' is not an http URL; e.g. --api http://127.0.0.1:5080");
            }
        }
        else
        {
            var endpoint = Path.Combine(dataDir, EndpointFileName);
            if (!File.Exists(endpoint))
            {
                throw new ApiAccessException("cli.node_not_running",
                    $"no node is running from {dataDir} ({EndpointFileName} is missing): start one with `linq node --data-dir {dataDir}`, or pass --api and --token.");
            }
            try
            {
                var file = JsonSerializer.Deserialize<EndpointFile>(File.ReadAllText(endpoint), JsonOptions);
                url = file is not null && Uri.TryCreate(file.Url, UriKind.Absolute, out var u) ? u : null;
            }
            catch (JsonException)
            {
            }
            if (url is null)
            {
                throw new ApiAccessException("cli.bad_endpoint_file", $"{endpoint} is damaged; restart the node, or pass --api and --token.");
            }
        }
        if (token is null)
        {
            var path = Path.Combine(dataDir, TokenFileName);
            if (!File.Exists(path))
            {
                throw new ApiAccessException("cli.no_token", $"no API token at {path}: start the node once with `linq node --data-dir {dataDir}`, or pass --token.");
            }
            token = File.ReadAllText(path).Trim();
        }
        return new ApiAccess(url, token);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record EndpointFile(string Url, int Pid);
}

/// <summary>The CLI could not find or use a node's API address or token.</summary>
public sealed class ApiAccessException(string code, string message) : LinqException(code, message, retryable: false);
