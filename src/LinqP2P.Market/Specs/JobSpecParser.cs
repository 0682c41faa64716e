using System.Globalization;
using System.Text.RegularExpressions;
using LinqP2P.Multiformats;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace LinqP2P.Market.Specs;

/// <summary>
/// Reads and validates a <c>resource.yaml</c> (SPEC.md §7.1). It collects every problem it finds, each with
/// the line, column and field, and throws one <see cref="InvalidJobSpecException"/> listing them all.
/// </summary>
public static partial class JobSpecParser
{
    public const int MaxSpecBytes = 1 << 20;
    public const int MaxShards = 10_000;
    public const int MaxRedundancy = 5;
    public const int MaxEnvironmentVariables = 256;
    public const int MaxCommandArguments = 256;
    public const int MaxInputs = 64;
    public const int MaxOutputs = 16;
    public const int MaxShardParameters = 64;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(30);
    private const int MaxNodes = 200_000;

    /// <summary>The top-level fields a spec may have; resource.schema.json lists the same.</summary>
    public static readonly IReadOnlyList<string> TopLevelFields =
        ["version", "name", "image", "command", "env", "inputs", "outputs", "resources", "duration", "price", "shards", "redundancy", "network", "tee"];

    private static readonly string[] RequiredFields = ["version", "name", "image", "outputs", "resources", "duration", "price"];

    public static JobSpec ParseFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new InvalidJobSpecException(path, [new JobSpecError(0, 0, "(file)", "the file does not exist; pass the path of a resource.yaml")]);
        }
        if (info.Length > MaxSpecBytes)
        {
            throw new InvalidJobSpecException(path, [new JobSpecError(0, 0, "(file)", $"the file has {info.Length} bytes; a spec may have at most {MaxSpecBytes}")]);
        }
        return Parse(File.ReadAllText(path), Path.GetFileName(path));
    }

    public static JobSpec Parse(string yaml, string source = "resource.yaml")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        if (yaml.Length > MaxSpecBytes)
        {
            throw new InvalidJobSpecException(source, [new JobSpecError(0, 0, "(file)", $"a spec may have at most {MaxSpecBytes} characters")]);
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new InvalidJobSpecException(source, [new JobSpecError((int)e.Start.Line, (int)e.Start.Column, "(yaml)", e.InnerException?.Message ?? e.Message)]);
        }
        catch (ArgumentException e)
        {
            // YamlDotNet reports a repeated mapping key this way.
            throw new InvalidJobSpecException(source, [new JobSpecError(0, 0, "(yaml)", e.Message)]);
        }
        if (stream.Documents.Count != 1)
        {
            throw new InvalidJobSpecException(source, [new JobSpecError(1, 1, "(yaml)", $"a spec is exactly one YAML document, not {stream.Documents.Count}")]);
        }
        var root = stream.Documents[0].RootNode;
        RejectSharedNodes(root, source);
        var reader = new Reader();
        var spec = reader.ReadSpec(root);
        if (reader.Errors.Count > 0 || spec is null)
        {
            throw new InvalidJobSpecException(source, reader.Errors);
        }
        return spec;
    }

    /// <summary>Applies command-line overrides and validates the result again.</summary>
    public static JobSpec WithOverrides(JobSpec spec, string? image = null, TimeSpan? duration = null)
    {
        var errors = new List<JobSpecError>();
        if (image is not null)
        {
            CheckImage(image, errors, 0, 0, "--image");
        }
        if (duration is { } d && (d <= TimeSpan.Zero || d > MaxDuration))
        {
            errors.Add(new JobSpecError(0, 0, "--duration", $"must be between 1s and {MaxDuration.TotalDays:0} days"));
        }
        if (errors.Count > 0)
        {
            throw new InvalidJobSpecException("command line", errors);
        }
        return spec with
        {
            Image = image is null ? spec.Image : new ImageReference(image),
            Duration = duration ?? spec.Duration,
        };
    }

    /// <summary>The JSON schema of resource.yaml, for editors and for clients that validate before submitting.</summary>
    public static string JsonSchema()
    {
        using var stream = typeof(JobSpecParser).Assembly.GetManifestResourceStream("resource.schema.json")
            ?? throw new InvalidOperationException("resource.schema.json is not embedded");
        using var text = new StreamReader(stream);
        return text.ReadToEnd();
    }

    /// <summary>
    /// Anchors and aliases let a few lines stand for an exponentially large (or cyclic) tree; a spec has no use
    /// for them, so any node reachable twice is refused before the spec is read.
    /// </summary>
    private static void RejectSharedNodes(YamlNode root, string source)
    {
        var seen = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<YamlNode>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (!seen.Add(node) || seen.Count > MaxNodes)
            {
                throw new InvalidJobSpecException(source, [new JobSpecError((int)node.Start.Line, (int)node.Start.Column, "(yaml)", "anchors and aliases are not allowed in a job spec; write the values out")]);
            }
            switch (node)
            {
                case YamlMappingNode map:
                    foreach (var (k, v) in map.Children)
                    {
                        pending.Push(k);
                        pending.Push(v);
                    }
                    break;
                case YamlSequenceNode seq:
                    foreach (var child in seq.Children)
                    {
                        pending.Push(child);
                    }
                    break;
            }
        }
    }

    private static void CheckImage(string value, List<JobSpecError> errors, int line, int column, string field)
    {
        if (value.StartsWith(ImageReference.IpfsScheme, StringComparison.Ordinal))
        {
            if (!Cid.TryParse(value[ImageReference.IpfsScheme.Length..], out _))
            {
                errors.Add(new JobSpecError(line, column, field, $"'{value}' does not name a valid CID after ipfs://"));
            }
        }
        else if (!ImagePattern().IsMatch(value))
        {
            errors.Add(new JobSpecError(line, column, field, $"'{value}' is neither ipfs://CID nor an image reference like name:tag or name@sha256:..."));
        }
    }

    [GeneratedRegex(@"^[a-z0-9]+(?:[._\-/:][a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127})?(?:@sha256:[a-f0-9]{64})?$")]
    private static partial Regex ImagePattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvNamePattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9._\-]{0,62}$")]
    private static partial Regex NamePattern();

    private sealed class Reader
    {
        public List<JobSpecError> Errors { get; } = [];

        public JobSpec? ReadSpec(YamlNode root)
        {
            var map = Map(root, "(root)");
            if (map is null)
            {
                return null;
            }
            var fields = Fields(map, "", TopLevelFields);
            foreach (var required in RequiredFields.Where(r => !fields.ContainsKey(r)))
            {
                Error(root, required, "is required");
            }

            var version = fields.TryGetValue("version", out var v) ? Int(v, "version", 1, 1) : 1;
            var name = fields.TryGetValue("name", out var n) ? Text(n, "name") : null;
            if (name is not null && !NamePattern().IsMatch(name))
            {
                Error(n!, "name", "use 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            string? image = null;
            if (fields.TryGetValue("image", out var i))
            {
                image = Text(i, "image");
                if (image is not null)
                {
                    CheckImage(image, Errors, Line(i), Column(i), "image");
                }
            }
            var command = fields.TryGetValue("command", out var c) ? StringList(c, "command", MaxCommandArguments) : [];
            var env = fields.TryGetValue("env", out var e) ? Environment(e) : new Dictionary<string, string>();
            var inputs = fields.TryGetValue("inputs", out var ins) ? Inputs(ins) : [];
            var outputs = fields.TryGetValue("outputs", out var outs) ? Outputs(outs) : [];
            var resources = fields.TryGetValue("resources", out var r) ? Resources(r) : null;
            var duration = fields.TryGetValue("duration", out var d) ? Duration(d, "duration") : TimeSpan.Zero;
            var price = fields.TryGetValue("price", out var p) ? Price(p) : default;
            var shards = fields.TryGetValue("shards", out var s) ? Shards(s) : new ShardPlan(1, []);
            var redundancy = fields.TryGetValue("redundancy", out var red) ? Int(red, "redundancy", 1, MaxRedundancy) : 1;
            var network = fields.TryGetValue("network", out var net) ? Network(net) : NetworkNeeds.None;
            var tee = fields.TryGetValue("tee", out var t) ? Tee(t) : TeeKind.None;

            if (Errors.Count > 0 || name is null || image is null || resources is null)
            {
                return null;
            }
            return new JobSpec
            {
                Version = version,
                Name = name,
                Image = new ImageReference(image),
                Command = command,
                Environment = env,
                Inputs = inputs,
                Outputs = outputs,
                Resources = resources,
                Duration = duration,
                PricePerShard = price,
                Shards = shards,
                Redundancy = redundancy,
                Network = network,
                Tee = tee,
            };
        }

        private Dictionary<string, string> Environment(YamlNode node)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            var map = Map(node, "env");
            if (map is null)
            {
                return result;
            }
            if (map.Children.Count > MaxEnvironmentVariables)
            {
                Error(node, "env", $"at most {MaxEnvironmentVariables} variables");
            }
            foreach (var (k, v) in map.Children)
            {
                var key = Text(k, "env");
                if (key is null)
                {
                    continue;
                }
                var field = "env." + key;
                if (!EnvNamePattern().IsMatch(key))
                {
                    Error(k, field, "a variable name is letters, digits and '_', not starting with a digit");
                }
                else if (key.StartsWith("LINQ_", StringComparison.Ordinal))
                {
                    Error(k, field, "names starting with LINQ_ are set by the node (LINQ_JOB_ID, LINQ_SHARD_INDEX, ...); rename it");
                }
                var value = Text(v, field);
                if (value is not null)
                {
                    result[key] = value;
                }
            }
            return result;
        }

        private List<JobInput> Inputs(YamlNode node)
        {
            var result = new List<JobInput>();
            var seq = Seq(node, "inputs", MaxInputs);
            for (var i = 0; seq is not null && i < seq.Children.Count; i++)
            {
                var field = $"inputs[{i}]";
                var map = Map(seq.Children[i], field);
                if (map is null)
                {
                    continue;
                }
                var f = Fields(map, field + ".", ["cid", "path"]);
                string? cid = null, path = null;
                if (!f.TryGetValue("cid", out var cn))
                {
                    Error(map, field + ".cid", "is required");
                }
                else if ((cid = Text(cn, field + ".cid")) is not null && !Cid.TryParse(cid, out _))
                {
                    Error(cn, field + ".cid", $"'{cid}' is not a valid CID");
                }
                if (!f.TryGetValue("path", out var pn))
                {
                    Error(map, field + ".path", "is required");
                }
                else
                {
                    path = ContainerPath(pn, field + ".path");
                }
                if (cid is not null && path is not null)
                {
                    result.Add(new JobInput(cid, path));
                }
            }
            return result;
        }

        private List<string> Outputs(YamlNode node)
        {
            var result = new List<string>();
            var seq = Seq(node, "outputs", MaxOutputs);
            if (seq is null)
            {
                return result;
            }
            if (seq.Children.Count == 0)
            {
                Error(node, "outputs", "name at least one folder the results are written to, e.g. [/outputs]");
            }
            for (var i = 0; i < seq.Children.Count; i++)
            {
                if (ContainerPath(seq.Children[i], $"outputs[{i}]") is { } path)
                {
                    result.Add(path);
                }
            }
            return result;
        }

        private ResourceRequest? Resources(YamlNode node)
        {
            var map = Map(node, "resources");
            if (map is null)
            {
                return null;
            }
            var f = Fields(map, "resources.", ["cpu", "memory", "disk", "gpu"]);
            double cpu = 1;
            if (!f.TryGetValue("cpu", out var c))
            {
                Error(map, "resources.cpu", "is required (cores, e.g. 2 or 0.5)");
            }
            else if (Text(c, "resources.cpu") is { } cpuText)
            {
                if (!double.TryParse(cpuText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out cpu) || cpu <= 0 || cpu > 1024)
                {
                    Error(c, "resources.cpu", $"'{cpuText}' is not a core count between 0 and 1024");
                }
            }
            long memory = 0;
            if (!f.TryGetValue("memory", out var m))
            {
                Error(map, "resources.memory", "is required (e.g. 512MiB or 4GiB)");
            }
            else
            {
                memory = Size(m, "resources.memory", min: 4L << 20);
            }
            var disk = f.TryGetValue("disk", out var dn) ? Size(dn, "resources.disk", min: 0) : 0;
            GpuRequest? gpu = null;
            if (f.TryGetValue("gpu", out var g) && Map(g, "resources.gpu") is { } gm)
            {
                var gf = Fields(gm, "resources.gpu.", ["count", "model", "vram"]);
                var count = gf.TryGetValue("count", out var gc) ? Int(gc, "resources.gpu.count", 0, 64) : 1;
                var model = gf.TryGetValue("model", out var gmo) ? Text(gmo, "resources.gpu.model") : null;
                long? vram = gf.TryGetValue("vram", out var gv) ? Size(gv, "resources.gpu.vram", min: 0) : null;
                gpu = count == 0 ? null : new GpuRequest(count, model, vram);
            }
            return new ResourceRequest(cpu, memory, disk, gpu);
        }

        private TokenAmount Price(YamlNode node)
        {
            var text = Text(node, "price");
            if (text is null)
            {
                return default;
            }
            if (!Quantities.TryParseTokenAmount(text, out var amount))
            {
                Error(node, "price", $"'{text}' is not an amount; write LNQ per shard like 1.5 or '0.25 LNQ', or base units like '1000 wei'");
            }
            return amount;
        }

        private ShardPlan Shards(YamlNode node)
        {
            var map = Map(node, "shards");
            if (map is null)
            {
                return new ShardPlan(1, []);
            }
            var f = Fields(map, "shards.", ["count", "params"]);
            var parameters = new List<IReadOnlyDictionary<string, string>>();
            if (f.TryGetValue("params", out var pn) && Seq(pn, "shards.params", MaxShards) is { } seq)
            {
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    var field = $"shards.params[{i}]";
                    var entry = new Dictionary<string, string>(StringComparer.Ordinal);
                    if (Map(seq.Children[i], field) is { } pm)
                    {
                        if (pm.Children.Count > MaxShardParameters)
                        {
                            Error(pm, field, $"at most {MaxShardParameters} parameters per shard");
                        }
                        foreach (var (k, v) in pm.Children)
                        {
                            if (Text(k, field) is { } key && Text(v, field + "." + key) is { } value)
                            {
                                if (!EnvNamePattern().IsMatch(key))
                                {
                                    Error(k, field + "." + key, "a parameter name is letters, digits and '_' (it becomes LINQ_PARAM_<NAME>)");
                                }
                                entry[key] = value;
                            }
                        }
                    }
                    parameters.Add(entry);
                }
            }
            int count;
            if (f.TryGetValue("count", out var cn))
            {
                count = Int(cn, "shards.count", 1, MaxShards);
                if (parameters.Count > 0 && parameters.Count != count)
                {
                    Error(pn!, "shards.params", $"has {parameters.Count} entries but shards.count is {count}; give one entry per shard or none");
                }
            }
            else
            {
                count = Math.Max(1, parameters.Count);
            }
            return new ShardPlan(count, parameters);
        }

        private NetworkNeeds Network(YamlNode node)
        {
            var map = Map(node, "network");
            if (map is null)
            {
                return NetworkNeeds.None;
            }
            var f = Fields(map, "network.", ["mesh", "ports"]);
            var mesh = f.TryGetValue("mesh", out var mn) && Bool(mn, "network.mesh");
            var ports = new List<int>();
            if (f.TryGetValue("ports", out var pn) && Seq(pn, "network.ports", 64) is { } seq)
            {
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    ports.Add(Int(seq.Children[i], $"network.ports[{i}]", 1, 65535));
                }
            }
            if (ports.Count > 0 && !mesh)
            {
                Error(node, "network.ports", "ports are only used with mesh: true");
            }
            return new NetworkNeeds(mesh, ports);
        }

        private TeeKind Tee(YamlNode node)
        {
            switch (Text(node, "tee")?.ToLowerInvariant())
            {
                case null:
                case "none":
                    return TeeKind.None;
                case "sgx":
                    return TeeKind.Sgx;
                case "sev-snp":
                    return TeeKind.SevSnp;
                case "tdx":
                    return TeeKind.Tdx;
                default:
                    Error(node, "tee", "must be one of none, sgx, sev-snp, tdx");
                    return TeeKind.None;
            }
        }

        private string? ContainerPath(YamlNode node, string field)
        {
            var path = Text(node, field);
            if (path is null)
            {
                return null;
            }
            if (!path.StartsWith('/') || path == "/" || path.Split('/').Any(p => p is ".." or ".") || path.Contains('\0', StringComparison.Ordinal) || path.Length > 255)
            {
                Error(node, field, $"'{path}' must be an absolute folder inside the container other than '/', without '.' or '..' parts");
                return null;
            }
            return path.TrimEnd('/');
        }

        private TimeSpan Duration(YamlNode node, string field)
        {
            var text = Text(node, field);
            if (text is null)
            {
                return TimeSpan.Zero;
            }
            if (!Quantities.TryParseDuration(text, out var duration) || duration <= TimeSpan.Zero || duration > MaxDuration)
            {
                Error(node, field, $"'{text}' is not a duration between 1s and {MaxDuration.TotalDays:0}d; write e.g. 90s, 45m, 2h or 1h30m");
            }
            return duration;
        }

        private long Size(YamlNode node, string field, long min)
        {
            var text = Text(node, field);
            if (text is null)
            {
                return 0;
            }
            if (!Quantities.TryParseSize(text, out var bytes))
            {
                Error(node, field, $"'{text}' is not a size; write e.g. 512MiB, 4GiB or 10G");
            }
            else if (bytes < min)
            {
                Error(node, field, $"'{text}' is below the minimum of {min} bytes");
            }
            return bytes;
        }

        private int Int(YamlNode node, string field, int min, int max)
        {
            var text = Text(node, field);
            if (text is null)
            {
                return min;
            }
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                Error(node, field, $"'{text}' is not a whole number from {min} to {max}");
                return min;
            }
            return value;
        }

        private bool Bool(YamlNode node, string field)
        {
            switch (Text(node, field))
            {
                case "true":
                    return true;
                case "false":
                case null:
                    return false;
                default:
                    Error(node, field, "must be true or false");
                    return false;
            }
        }

        private List<string> StringList(YamlNode node, string field, int max)
        {
            var result = new List<string>();
            if (node is YamlScalarNode)
            {
                Error(node, field, "write it as a list, e.g. [sh, -c, \"echo hi\"], so arguments are not split on spaces");
                return result;
            }
            var seq = Seq(node, field, max);
            for (var i = 0; seq is not null && i < seq.Children.Count; i++)
            {
                if (Text(seq.Children[i], $"{field}[{i}]") is { } s)
                {
                    result.Add(s);
                }
            }
            return result;
        }

        private Dictionary<string, YamlNode> Fields(YamlMappingNode map, string prefix, IReadOnlyList<string> allowed)
        {
            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (k, v) in map.Children)
            {
                var key = Text(k, prefix + "(key)");
                if (key is null)
                {
                    continue;
                }
                if (!allowed.Contains(key))
                {
                    var hint = allowed.OrderBy(a => Distance(a, key)).First();
                    Error(k, prefix + key, $"is not a known field{(Distance(hint, key) <= 2 ? $"; did you mean '{hint}'?" : $"; known: {string.Join(", ", allowed)}")}");
                    continue;
                }
                result[key] = v;
            }
            return result;
        }

        private YamlMappingNode? Map(YamlNode node, string field)
        {
            if (node is YamlMappingNode map)
            {
                return map;
            }
            Error(node, field, "must be a mapping of fields (key: value)");
            return null;
        }

        private YamlSequenceNode? Seq(YamlNode node, string field, int max)
        {
            if (node is not YamlSequenceNode seq)
            {
                Error(node, field, "must be a list");
                return null;
            }
            if (seq.Children.Count > max)
            {
                Error(node, field, $"has {seq.Children.Count} entries; at most {max}");
                return null;
            }
            return seq;
        }

        private string? Text(YamlNode node, string field)
        {
            if (node is YamlScalarNode { Value: { } value })
            {
                return value;
            }
            Error(node, field, "must be a single value");
            return null;
        }

        private void Error(YamlNode node, string field, string message)
        {
            if (Errors.Count < 100)
            {
                Errors.Add(new JobSpecError(Line(node), Column(node), field, message));
            }
        }

        private static int Line(YamlNode node) => (int)node.Start.Line;

        private static int Column(YamlNode node) => (int)node.Start.Column;

        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (var i = 0; i <= a.Length; i++)
            {
                d[i, 0] = i;
            }
            for (var j = 0; j <= b.Length; j++)
            {
                d[0, j] = j;
            }
            for (var i = 1; i <= a.Length; i++)
            {
                for (var j = 1; j <= b.Length; j++)
                {
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                }
            }
            return d[a.Length, b.Length];
        }
    }
}
