using System.Text.Json;

namespace LinqP2P.Contracts.Codegen;

/// <summary>One ABI parameter as forge writes it (name, type, internalType, components, indexed).</summary>
internal sealed record AbiParam(string Name, string Type, string? InternalType, IReadOnlyList<AbiParam> Components, bool Indexed)
{
    public static AbiParam Read(JsonElement e) => new(
        e.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "",
        e.GetProperty("type").GetString()!,
        e.TryGetProperty("internalType", out var it) ? it.GetString() : null,
        e.TryGetProperty("components", out var c) ? c.EnumerateArray().Select(Read).ToArray() : [],
        e.TryGetProperty("indexed", out var i) && i.GetBoolean());

    /// <summary>The canonical type used in signatures: tuples spelled out as (…).</summary>
    public string Canonical => Type.StartsWith("tuple", StringComparison.Ordinal)
        ? "(" + string.Join(',', Components.Select(c => c.Canonical)) + ")" + Type["tuple".Length..]
        : Type;
}

/// <summary>One ABI entry: function, event, error or constructor.</summary>
internal sealed record AbiEntry(string Kind, string Name, IReadOnlyList<AbiParam> Inputs, IReadOnlyList<AbiParam> Outputs, string StateMutability, bool Anonymous)
{
    public string Signature => $"{Name}({string.Join(',', Inputs.Select(i => i.Canonical))})";

    public bool IsView => StateMutability is "view" or "pure";

    public bool IsPayable => StateMutability == "payable";
}

/// <summary>A forge artifact of a deployable contract: its name, source, ABI and creation bytecode.</summary>
internal sealed record ForgeArtifact(string Name, string Source, IReadOnlyList<AbiEntry> Abi, string Bytecode)
{
    public static IReadOnlyList<ForgeArtifact> FindDeployable(string forgeOut)
    {
        var found = new List<ForgeArtifact>();
        foreach (var file in Directory.GetFiles(forgeOut, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}build-info{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = doc.RootElement;
            if (!root.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object
                || !metadata.TryGetProperty("settings", out var settings)
                || !settings.TryGetProperty("compilationTarget", out var target))
            {
                continue;
            }
            var (source, name) = target.EnumerateObject().Select(p => (p.Name, p.Value.GetString()!)).First();
            var bytecode = root.GetProperty("bytecode").GetProperty("object").GetString() ?? "0x";
            if (!source.StartsWith("src/", StringComparison.Ordinal) || bytecode.Length <= 2
                || Path.GetFileNameWithoutExtension(file) != name)
            {
                continue;
            }
            var abi = root.GetProperty("abi").EnumerateArray().Select(e => new AbiEntry(
                e.GetProperty("type").GetString()!,
                e.TryGetProperty("name", out var n) ? n.GetString()! : "",
                e.TryGetProperty("inputs", out var i) ? i.EnumerateArray().Select(AbiParam.Read).ToArray() : [],
                e.TryGetProperty("outputs", out var o) ? o.EnumerateArray().Select(AbiParam.Read).ToArray() : [],
                e.TryGetProperty("stateMutability", out var m) ? m.GetString()! : "nonpayable",
                e.TryGetProperty("anonymous", out var a) && a.GetBoolean())).ToArray();
            found.Add(new ForgeArtifact(name, source, abi, bytecode.StartsWith("0x", StringComparison.Ordinal) ? bytecode : "0x" + bytecode));
        }
        return found;
    }
}
