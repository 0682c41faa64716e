using System.Globalization;
using System.Text.Json;
using LinqP2P.Core;

namespace LinqP2P.Ethereum.Abi;

/// <summary>
/// A contract's ABI as solc and forge emit it: the JSON array of functions, events, errors and the constructor, or a
/// whole forge artifact (<c>out/X.sol/X.json</c>) whose <c>abi</c> property holds it. The bindings generator reads this.
/// </summary>
public sealed class ContractAbi
{
    private ContractAbi(
        IReadOnlyList<AbiFunction> functions,
        IReadOnlyList<AbiEvent> events,
        IReadOnlyList<AbiError> errors,
        AbiParameter[]? constructorInputs,
        string constructorMutability,
        bool hasFallback,
        bool hasReceive)
    {
        Functions = functions;
        Events = events;
        Errors = errors;
        ConstructorInputs = constructorInputs ?? [];
        ConstructorStateMutability = constructorMutability;
        HasFallback = hasFallback;
        HasReceive = hasReceive;
    }

    public IReadOnlyList<AbiFunction> Functions { get; }

    public IReadOnlyList<AbiEvent> Events { get; }

    public IReadOnlyList<AbiError> Errors { get; }

    /// <summary>The constructor's parameters (empty when it has none or none is declared).</summary>
    public IReadOnlyList<AbiParameter> ConstructorInputs { get; }

    public string ConstructorStateMutability { get; }

    public bool HasFallback { get; }

    public bool HasReceive { get; }

    /// <summary>Reads an ABI JSON array, or a forge/solc artifact object with an <c>abi</c> property.</summary>
    /// <exception cref="InvalidInputException">with code <c>eth.abi.invalid-json</c> (or <c>eth.abi.invalid-type</c>).</exception>
    public static ContractAbi Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 128 });
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (!root.TryGetProperty("abi", out root))
                {
                    throw Invalid("the object has no \"abi\" property; pass the ABI array or a forge artifact.");
                }
            }
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw Invalid("the ABI must be a JSON array.");
            }
            return FromArray(root);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("eth.abi.invalid-json", $"the ABI is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads the ABI of a forge artifact file.</summary>
    public static ContractAbi Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>The function named <paramref name="nameOrSignature"/>; give the full signature to pick one overload.</summary>
    public AbiFunction GetFunction(string nameOrSignature) =>
        Pick(Functions, f => f.Signature, f => f.Name, nameOrSignature, "function");

    public AbiEvent GetEvent(string nameOrSignature) =>
        Pick(Events, e => e.Signature, e => e.Name, nameOrSignature, "event");

    public AbiError GetError(string nameOrSignature) =>
        Pick(Errors, e => e.Signature, e => e.Name, nameOrSignature, "error");

    private static T Pick<T>(IEnumerable<T> members, Func<T, string> signature, Func<T, string> name, string wanted, string kind)
    {
        var matches = members.Where(m => signature(m) == wanted || name(m) == wanted).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new KeyNotFoundException($"the ABI has no {kind} '{wanted}'."),
            _ => matches.FirstOrDefault(m => signature(m) == wanted) is { } exact ? exact
                : throw new InvalidInputException("eth.abi.ambiguous", $"'{wanted}' names several {kind}s ({string.Join(", ", matches.Select(signature))}); use the full signature."),
        };
    }

    /// <summary>The function whose selector starts <paramref name="callData"/>, if any.</summary>
    public AbiFunction? FindFunction(ReadOnlySpan<byte> callData)
    {
        if (callData.Length < 4)
        {
            return null;
        }
        foreach (var f in Functions)
        {
            if (callData[..4].SequenceEqual(f.Selector))
            {
                return f;
            }
        }
        return null;
    }

    /// <summary>The non-anonymous event whose signature hash is <paramref name="topic0"/>, if any.</summary>
    public AbiEvent? FindEvent(Hash32 topic0) => Events.FirstOrDefault(e => !e.Anonymous && e.Topic0 == topic0);

    /// <summary>Decodes a log of any event of this contract; null when no event matches its first topic.</summary>
    public DecodedEvent? TryDecodeLog(IReadOnlyList<Hash32> topics, ReadOnlySpan<byte> data) =>
        topics.Count > 0 && FindEvent(topics[0]) is { } e ? e.DecodeLog(topics, data) : null;

    /// <summary>Turns revert data into an exception naming this contract's custom error when it matches one.</summary>
    public ContractRevertedException DecodeRevert(ReadOnlySpan<byte> revertData) => RevertDecoder.Decode(revertData, Errors);

    /// <summary>ABI-encoded constructor arguments, to append to the creation bytecode.</summary>
    public byte[] EncodeConstructorArguments(params object?[] arguments) =>
        AbiCodec.Encode(AbiParameter.Types(ConstructorInputs), arguments);

    private static ContractAbi FromArray(JsonElement array)
    {
        var functions = new List<AbiFunction>();
        var events = new List<AbiEvent>();
        var errors = new List<AbiError>();
        AbiParameter[]? constructor = null;
        var constructorMutability = "nonpayable";
        bool fallback = false, receive = false;
        foreach (var entry in array.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("every ABI entry must be an object.");
            }
            // Old solc output omitted "type" for functions.
            var kind = entry.TryGetProperty("type", out var t) ? t.GetString() : "function";
            switch (kind)
            {
                case "function":
                    functions.Add(new AbiFunction(
                        RequiredName(entry),
                        Parameters(entry, "inputs"),
                        Parameters(entry, "outputs"),
                        Mutability(entry)));
                    break;
                case "event":
                    events.Add(new AbiEvent(RequiredName(entry), Parameters(entry, "inputs"), entry.TryGetProperty("anonymous", out var a) && a.ValueKind == JsonValueKind.True));
                    break;
                case "error":
                    errors.Add(new AbiError(RequiredName(entry), Parameters(entry, "inputs")));
                    break;
                case "constructor":
                    constructor = [.. Parameters(entry, "inputs")];
                    constructorMutability = Mutability(entry);
                    break;
                case "fallback":
                    fallback = true;
                    break;
                case "receive":
                    receive = true;
                    break;
                default:
                    throw Invalid($"unknown ABI entry type '{kind}'.");
            }
        }
        return new ContractAbi(functions, events, errors, constructor, constructorMutability, fallback, receive);
    }

    private static string Mutability(JsonElement entry)
    {
        if (entry.TryGetProperty("stateMutability", out var m) && m.ValueKind == JsonValueKind.String)
        {
            return m.GetString()!;
        }
        // Pre-0.5 ABIs: "constant" and "payable" flags.
        if (entry.TryGetProperty("constant", out var c) && c.ValueKind == JsonValueKind.True)
        {
            return "view";
        }
        return entry.TryGetProperty("payable", out var p) && p.ValueKind == JsonValueKind.True ? "payable" : "nonpayable";
    }

    private static string RequiredName(JsonElement entry)
    {
        var name = entry.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        if (!SignatureText.IsIdentifier(name))
        {
            throw Invalid($"'{name}' is not a valid function, event or error name.");
        }
        return name;
    }

    private static AbiParameter[] Parameters(JsonElement entry, string property)
    {
        if (!entry.TryGetProperty(property, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"\"{property}\" must be an array.");
        }
        return [.. list.EnumerateArray().Select(p => Parameter(p, 0))];
    }

    private static AbiParameter Parameter(JsonElement p, int depth)
    {
        if (p.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("a parameter must be an object.");
        }
        if (depth > AbiType.MaxNesting)
        {
            throw Invalid($"tuples nest deeper than {AbiType.MaxNesting} levels.");
        }
        var name = p.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        var typeText = p.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : throw Invalid($"parameter '{name}' has no type.");
        var indexed = p.TryGetProperty("indexed", out var i) && i.ValueKind == JsonValueKind.True;
        var internalType = p.TryGetProperty("internalType", out var it) && it.ValueKind == JsonValueKind.String ? it.GetString() : null;
        AbiType type;
        if (typeText.StartsWith("tuple", StringComparison.Ordinal))
        {
            if (!p.TryGetProperty("components", out var comps) || comps.ValueKind != JsonValueKind.Array)
            {
                throw Invalid($"tuple parameter '{name}' has no components.");
            }
            var components = comps.EnumerateArray().Select(c => Parameter(c, depth + 1)).ToList();
            var tuple = new AbiTupleType([.. components.Select(c => c.Type)], [.. components.Select(c => c.Name)]);
            type = ApplyArraySuffix(tuple, typeText["tuple".Length..]);
        }
        else
        {
            type = AbiType.Parse(typeText);
        }
        return new AbiParameter(name, type, indexed, internalType);
    }

    /// <summary>Wraps <paramref name="type"/> in the arrays named by a suffix such as <c>[2][]</c>.</summary>
    private static AbiType ApplyArraySuffix(AbiType type, string suffix)
    {
        var at = 0;
        while (at < suffix.Length)
        {
            var close = suffix.IndexOf(']', at);
            if (suffix[at] != '[' || close < 0)
            {
                throw Invalid($"'tuple{suffix}' is not a valid tuple type.");
            }
            var digits = suffix[(at + 1)..close];
            int? length = null;
            if (digits.Length > 0)
            {
                if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1 || k > 1_000_000)
                {
                    throw Invalid($"'{digits}' is not a valid array length.");
                }
                length = k;
            }
            type = new AbiArrayType(type, length);
            if (!type.IsDynamic && (long)((AbiArrayType)type).Element.HeadSize * length!.Value > AbiType.MaxStaticSize)
            {
                throw Invalid($"'tuple{suffix}' would occupy more than {AbiType.MaxStaticSize} bytes.");
            }
            at = close + 1;
        }
        return type;
    }

    private static InvalidInputException Invalid(string message) => new("eth.abi.invalid-json", message);
}
