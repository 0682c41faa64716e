using System.Text.Json;
using System.Text.Json.Nodes;

namespace LinqP2P.TestKit;

/// <summary>Compiles Solidity source with the pinned solc (standard JSON), for tests that need a real ABI and bytecode.</summary>
public static class Solc
{
    public sealed record Contract(string Abi, string Bytecode, IReadOnlyDictionary<string, string> MethodIdentifiers);

    /// <summary>Compiles one source file and returns the contract named <paramref name="contractName"/>.</summary>
    public static async Task<Contract> CompileAsync(string source, string contractName)
    {
        var input = new JsonObject
        {
            ["language"] = "Solidity",
            ["sources"] = new JsonObject { ["C.sol"] = new JsonObject { ["content"] = source } },
            ["settings"] = new JsonObject
            {
                ["outputSelection"] = new JsonObject { ["*"] = new JsonObject { ["*"] = new JsonArray("abi", "evm.bytecode.object", "evm.methodIdentifiers") } },
            },
        };
        var result = await ExternalProcess.RunAsync(RepoPaths.Tool("solc"), ["--standard-json"], stdin: input.ToJsonString());
        using var doc = JsonDocument.Parse(result.Stdout);
        if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.EnumerateArray().Any(e => e.GetProperty("severity").GetString() == "error"))
        {
            throw new InvalidOperationException("solc failed: " + errors);
        }
        var contract = doc.RootElement.GetProperty("contracts").GetProperty("C.sol").GetProperty(contractName);
        var evm = contract.GetProperty("evm");
        return new Contract(
            contract.GetProperty("abi").GetRawText(),
            evm.GetProperty("bytecode").GetProperty("object").GetString()!,
            evm.GetProperty("methodIdentifiers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
    }
}
