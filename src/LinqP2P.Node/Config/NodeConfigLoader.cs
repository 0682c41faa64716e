using System.Globalization;
using LinqP2P.Core;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LinqP2P.Node.Config;

/// <summary>Where a setting's value came from; <see cref="Line"/> and <see cref="Column"/> are 0 unless it is the file.</summary>
public sealed record ConfigOrigin(string Source, int Line = 0, int Column = 0)
{
    public override string ToString() => Line > 0 ? $"{Source}:{Line}:{Column}" : Source;
}

/// <summary>One problem in the node's settings: where it came from, which key, and what is wrong.</summary>
public sealed record ConfigError(ConfigOrigin Origin, string Field, string Message)
{
    public override string ToString() => $"{Origin} {Field}: {Message}";
}

/// <summary>The node's settings were rejected; <see cref="Errors"/> lists every problem, not only the first.</summary>
public sealed class NodeConfigException : LinqException
{
    public NodeConfigException(IReadOnlyList<ConfigError> errors)
        : base("config.invalid", Describe(errors), retryable: false)
    {
        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }

    private static string Describe(IReadOnlyList<ConfigError> errors) =>
        $"the node settings have {errors.Count} problem{(errors.Count == 1 ? "" : "s")}; fix them (config file, LINQ_* environment or flags) and start again:"
        + string.Concat(errors.Select(e => "\n  " + e));
}

/// <summary>One setting: its key in config.yaml (dotted for nested maps), its environment variable and its flag.</summary>
public sealed record NodeSetting(string Key, string Env, string Flag, bool IsList, string Description);

/// <summary>Every setting a node reads, in one table so the file, environment and flags can never drift apart.</summary>
public static class NodeSettings
{
    public static readonly NodeSetting Role = new("role", "LINQ_ROLE", "--role", false, "provider | client | both");
    public static readonly NodeSetting Listen = new("listen", "LINQ_LISTEN", "--listen", true, "libp2p listen multiaddrs");
    public static readonly NodeSetting Bootstrap = new("bootstrap", "LINQ_BOOTSTRAP", "--bootstrap", true, "peers to dial at start (/…/p2p/<peer id>)");
    public static readonly NodeSetting ApiPort = new("api.port", "LINQ_API_PORT", "--api-port", false, "management API port on 127.0.0.1 (0 = any free)");
    public static readonly NodeSetting Devnet = new("devnet", "LINQ_DEVNET", "--devnet", false, "devnet manifest (devnet.json or its folder)");
    public static readonly NodeSetting WalletKeystore = new("wallet.keystore", "LINQ_WALLET_KEYSTORE", "--wallet", false, "wallet keystore v3 file");
    public static readonly NodeSetting PassphraseFile = new("wallet.passphraseFile", "LINQ_PASSPHRASE_FILE", "--passphrase-file", false, "file holding the keystore passphrase");
    public static readonly NodeSetting DockerEndpoint = new("docker.endpoint", "LINQ_DOCKER_ENDPOINT", "--docker", false, "Docker Engine endpoint");
    public static readonly NodeSetting LogLevel = new("log.level", "LINQ_LOG_LEVEL", "--log-level", false, "trace | debug | information | warning | error");
    public static readonly NodeSetting StorageQuota = new("storage.quota", "LINQ_STORAGE_QUOTA", "--storage-quota", false, "blockstore quota (bytes, or 10GiB, 500MB)");

    public static readonly IReadOnlyList<NodeSetting> All = [Role, Listen, Bootstrap, ApiPort, Devnet, WalletKeystore, PassphraseFile, DockerEndpoint, LogLevel, StorageQuota];
}

/// <summary>
/// Merges defaults &lt; <c>&lt;data-dir&gt;/config.yaml</c> &lt; <c>LINQ_*</c> environment &lt; flags into
/// <see cref="NodeOptions"/>, validating each value where it came from: a bad value in the file is reported
/// with its line and column, in the environment with its variable, on the command line with its flag.
/// </summary>
public static class NodeConfigLoader
{
    public const string ConfigFileName = "config.yaml";
    public const int MaxConfigBytes = 64 * 1024;

    private static readonly string[] LogLevels = ["trace", "debug", "information", "warning", "error", "critical", "none"];

    /// <summary>Loads the settings of the node in <paramref name="dataDir"/>.</summary>
    /// <param name="dataDir">The data directory; null means <see cref="NodeOptions.DefaultDataDir"/>.</param>
    /// <param name="environment">The process environment (only <c>LINQ_*</c> variables are read).</param>
    /// <param name="flags">Values given on the command line, keyed by <see cref="NodeSetting.Key"/>.</param>
    public static NodeOptions Load(string? dataDir, IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, IReadOnlyList<string>> flags)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(flags);
        var dir = Path.GetFullPath(dataDir ?? (environment.TryGetValue("LINQ_DATA_DIR", out var d) && d.Length > 0 ? d : NodeOptions.DefaultDataDir));
        var errors = new List<ConfigError>();
        var values = new Dictionary<string, (IReadOnlyList<string> Values, ConfigOrigin Origin)>(StringComparer.Ordinal);

        var file = Path.Combine(dir, ConfigFileName);
        if (File.Exists(file))
        {
            foreach (var (key, entry) in ReadFile(file, errors))
            {
                values[key] = entry;
            }
        }
        foreach (var setting in NodeSettings.All)
        {
            if (environment.TryGetValue(setting.Env, out var raw) && raw.Length > 0)
            {
                var list = setting.IsList ? raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [raw.Trim()];
                values[setting.Key] = (list, new ConfigOrigin("env " + setting.Env));
            }
        }
        foreach (var (key, list) in flags)
        {
            var setting = NodeSettings.All.FirstOrDefault(s => s.Key == key) ?? throw new ArgumentException($"unknown setting {key}", nameof(flags));
            if (list.Count > 0)
            {
                values[key] = (list, new ConfigOrigin("flag " + setting.Flag));
            }
        }

        var options = new NodeOptions { DataDir = dir };
        foreach (var (key, (list, origin)) in values)
        {
            options = Apply(options, key, list, origin, dir, errors);
        }
        if (errors.Count > 0)
        {
            throw new NodeConfigException(errors);
        }
        return options;
    }

    /// <summary>Loads with the real process environment.</summary>
    public static NodeOptions Load(string? dataDir, IReadOnlyDictionary<string, IReadOnlyList<string>> flags) =>
        Load(dataDir, ProcessEnvironment(), flags);

    public static IReadOnlyDictionary<string, string> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => e.Key is string k && k.StartsWith("LINQ_", StringComparison.Ordinal))
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);

    private static NodeOptions Apply(NodeOptions o, string key, IReadOnlyList<string> list, ConfigOrigin origin, string dataDir, List<ConfigError> errors)
    {
        void Error(string message) => errors.Add(new ConfigError(origin, key, message));
        var single = list.Count == 1 ? list[0] : null;
        var setting = NodeSettings.All.First(s => s.Key == key);
        if (!setting.IsList && single is null)
        {
            Error($"expected one value, got {list.Count}");
            return o;
        }
        switch (key)
        {
            case "role":
                if (Enum.TryParse<NodeRole>(single, ignoreCase: true, out var role) && Enum.IsDefined(role) && !int.TryParse(single, out _))
                {
                    return o with { Role = role };
                }
                Error($"'{single}' is not a role; use provider, client or both");
                return o;
            case "listen":
            case "bootstrap":
                var addrs = new List<string>();
                foreach (var a in list)
                {
                    try
                    {
                        var parsed = LinqP2P.Libp2p.Addressing.Multiaddr.Parse(a);
                        if (key == "bootstrap" && !a.Contains("/p2p/", StringComparison.Ordinal))
                        {
                            Error($"'{a}' has no /p2p/<peer id>; a bootstrap address must name its peer (see `linq id`)");
                            continue;
                        }
                        addrs.Add(parsed.ToString());
                    }
                    catch (LinqException e)
                    {
                        Error($"'{a}' is not a multiaddr ({e.Message}); e.g. /ip4/127.0.0.1/tcp/4001");
                    }
                }
                if (key == "listen" && list.Count == 0)
                {
                    Error("at least one listen address is needed, e.g. /ip4/127.0.0.1/tcp/4001");
                }
                return key == "listen" ? o with { Listen = addrs } : o with { Bootstrap = addrs };
            case "api.port":
                if (int.TryParse(single, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535)
                {
                    return o with { ApiPort = port };
                }
                Error($"'{single}' is not a TCP port; use 0..65535 (0 picks a free port)");
                return o;
            case "devnet":
                return NonEmpty(single!) ? o with { Devnet = Path.GetFullPath(single!) } : Empty(o);
            case "wallet.keystore":
                return NonEmpty(single!) ? o with { WalletKeystore = Path.GetFullPath(single!, dataDir) } : Empty(o);
            case "wallet.passphraseFile":
                return NonEmpty(single!) ? o with { PassphraseFile = Path.GetFullPath(single!, dataDir) } : Empty(o);
            case "docker.endpoint":
                if (Uri.TryCreate(single, UriKind.Absolute, out var uri) && uri.Scheme is "unix" or "tcp" or "http" or "npipe")
                {
                    return o with { DockerEndpoint = single! };
                }
                Error($"'{single}' is not a Docker endpoint; e.g. unix:///var/run/docker.sock");
                return o;
            case "log.level":
                if (LogLevels.Contains(single!.ToLowerInvariant()))
                {
                    return o with { LogLevel = single.ToLowerInvariant() };
                }
                Error($"'{single}' is not a log level; use one of {string.Join(", ", LogLevels)}");
                return o;
            case "storage.quota":
                if (LinqP2P.Market.Specs.Quantities.TryParseSize(single!, out var bytes) && bytes > 0)
                {
                    return o with { StorageQuotaBytes = bytes };
                }
                Error($"'{single}' is not a size; use bytes or a unit, e.g. 10GiB or 500MB");
                return o;
            default:
                throw new InvalidOperationException(key);
        }

        NodeOptions Empty(NodeOptions unchanged)
        {
            Error("the value is empty; give a path or remove the setting");
            return unchanged;
        }
    }

    private static bool NonEmpty(string s) => !string.IsNullOrWhiteSpace(s);

    private static List<(string Key, (IReadOnlyList<string> Values, ConfigOrigin Origin) Entry)> ReadFile(string path, List<ConfigError> errors)
    {
        var result = new List<(string, (IReadOnlyList<string>, ConfigOrigin))>();
        var name = Path.GetFileName(path);
        var info = new FileInfo(path);
        if (info.Length > MaxConfigBytes)
        {
            errors.Add(new ConfigError(new ConfigOrigin(path), "(file)", $"the file has {info.Length} bytes; a config file may have at most {MaxConfigBytes}"));
            return result;
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(path)));
        }
        catch (YamlException e)
        {
            errors.Add(new ConfigError(new ConfigOrigin(path, (int)e.Start.Line, (int)e.Start.Column), "(yaml)", e.InnerException?.Message ?? e.Message));
            return result;
        }
        catch (ArgumentException e)
        {
            errors.Add(new ConfigError(new ConfigOrigin(path), "(yaml)", e.Message));
            return result;
        }
        if (stream.Documents.Count == 0)
        {
            return result;
        }
        if (stream.Documents.Count > 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(new ConfigError(new ConfigOrigin(path, 1, 1), "(yaml)", "the config file must be one YAML map of settings, e.g. `role: provider`"));
            return result;
        }
        Walk(root, "", path, result, errors);
        _ = name;
        return result;
    }

    private static void Walk(YamlMappingNode map, string prefix, string path, List<(string, (IReadOnlyList<string>, ConfigOrigin))> result, List<ConfigError> errors)
    {
        foreach (var (k, v) in map.Children)
        {
            var at = new ConfigOrigin(path, (int)k.Start.Line, (int)k.Start.Column);
            if (k is not YamlScalarNode { Value: { } keyText })
            {
                errors.Add(new ConfigError(at, prefix + "(key)", "keys must be plain words"));
                continue;
            }
            var key = prefix + keyText;
            var setting = NodeSettings.All.FirstOrDefault(s => s.Key == key);
            var isSection = NodeSettings.All.Any(s => s.Key.StartsWith(key + ".", StringComparison.Ordinal));
            if (setting is null && !isSection)
            {
                var hint = Closest(key);
                errors.Add(new ConfigError(at, key, "unknown setting" + (hint is null ? $"; known: {string.Join(", ", NodeSettings.All.Select(s => s.Key))}" : $"; did you mean '{hint}'?")));
                continue;
            }
            var valueAt = new ConfigOrigin(path, (int)v.Start.Line, (int)v.Start.Column);
            if (isSection)
            {
                if (v is YamlMappingNode inner)
                {
                    Walk(inner, key + ".", path, result, errors);
                }
                else
                {
                    errors.Add(new ConfigError(valueAt, key, $"expected a map of {string.Join(", ", NodeSettings.All.Where(s => s.Key.StartsWith(key + ".", StringComparison.Ordinal)).Select(s => s.Key[(key.Length + 1)..]))}"));
                }
                continue;
            }
            switch (v)
            {
                case YamlScalarNode s when setting!.IsList:
                    result.Add((key, (string.IsNullOrEmpty(s.Value) ? [] : [s.Value], valueAt)));
                    break;
                case YamlScalarNode s:
                    result.Add((key, ([s.Value ?? ""], valueAt)));
                    break;
                case YamlSequenceNode seq when setting!.IsList && seq.Children.All(c => c is YamlScalarNode):
                    result.Add((key, (seq.Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToArray(), valueAt)));
                    break;
                default:
                    errors.Add(new ConfigError(valueAt, key, setting!.IsList ? "expected a list of strings" : "expected a single value, not a list or map"));
                    break;
            }
        }
    }

    private static string? Closest(string key)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var s in NodeSettings.All)
        {
            var d = Levenshtein(key.ToLowerInvariant(), s.Key.ToLowerInvariant());
            if (d < bestDistance)
            {
                (best, bestDistance) = (s.Key, d);
            }
        }
        return bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    private static int Levenshtein(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            prev[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
