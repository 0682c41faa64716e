using System.Globalization;
using System.Text;
using System.Text.Json;
using LinqP2P.Market.Specs;

namespace LinqP2P.Node.Market;

/// <summary>
/// Writes a validated <see cref="JobSpec"/> back as a <c>resource.yaml</c> document (JSON flow style, which
/// is YAML), exact in every value, so a provider re-validates what it runs with the same parser (SPEC.md §7.3).
/// </summary>
public static class SpecDocument
{
    public static string Write(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var inv = CultureInfo.InvariantCulture;
        var doc = new Dictionary<string, object?>
        {
            ["version"] = spec.Version,
            ["name"] = spec.Name,
            ["image"] = spec.Image.Value,
        };
        if (spec.Command.Count > 0)
        {
            doc["command"] = spec.Command;
        }
        if (spec.Environment.Count > 0)
        {
            doc["env"] = spec.Environment;
        }
        if (spec.Inputs.Count > 0)
        {
            doc["inputs"] = spec.Inputs.Select(i => new Dictionary<string, string> { ["cid"] = i.Cid, ["path"] = i.Path }).ToList();
        }
        doc["outputs"] = spec.Outputs;
        var resources = new Dictionary<string, object?>
        {
            ["cpu"] = spec.Resources.CpuCores,
            ["memory"] = spec.Resources.MemoryBytes.ToString(inv) + "B",
        };
        if (spec.Resources.DiskBytes > 0)
        {
            resources["disk"] = spec.Resources.DiskBytes.ToString(inv) + "B";
        }
        if (spec.Resources.Gpu is { } gpu)
        {
            var g = new Dictionary<string, object?> { ["count"] = gpu.Count };
            if (gpu.Model is not null)
            {
                g["model"] = gpu.Model;
            }
            if (gpu.VramBytes is { } vram)
            {
                g["vram"] = vram.ToString(inv) + "B";
            }
            resources["gpu"] = g;
        }
        doc["resources"] = resources;
        doc["duration"] = ((long)spec.Duration.TotalSeconds).ToString(inv) + "s";
        doc["price"] = spec.PricePerShard.BaseUnits.ToString(inv) + " wei";
        var shards = new Dictionary<string, object?> { ["count"] = spec.Shards.Count };
        if (spec.Shards.Parameters.Count > 0)
        {
            shards["params"] = spec.Shards.Parameters;
        }
        doc["shards"] = shards;
        doc["redundancy"] = spec.Redundancy;
        if (spec.Network.Mesh)
        {
            doc["network"] = new Dictionary<string, object?> { ["mesh"] = true, ["ports"] = spec.Network.Ports };
        }
        doc["tee"] = spec.Tee switch
        {
            TeeKind.Sgx => "sgx",
            TeeKind.SevSnp => "sev-snp",
            TeeKind.Tdx => "tdx",
            _ => "none",
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    public static byte[] Encode(JobSpec spec) => Encoding.UTF8.GetBytes(Write(spec));
}
