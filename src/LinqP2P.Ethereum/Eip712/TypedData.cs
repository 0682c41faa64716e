using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using LinqP2P.Core;
using LinqP2P.Ethereum.Abi;

namespace LinqP2P.Ethereum.Eip712;

/// <summary>One member of an EIP-712 struct type: <c>{ "name": "from", "type": "Person" }</c>.</summary>
public sealed record TypedDataField(string Name, string Type);

/// <summary>
/// The EIP-712 domain. Only the members that are set take part in the <c>EIP712Domain</c> type, in the order the EIP lists them.
/// </summary>
public sealed record Eip712Domain
{
    public string? Name { get; init; }

    public string? Version { get; init; }

    public BigInteger? ChainId { get; init; }

    public Address? VerifyingContract { get; init; }

    public Hash32? Salt { get; init; }

    /// <summary>The <c>EIP712Domain</c> fields for the members that are set.</summary>
    public IReadOnlyList<TypedDataField> Fields()
    {
        var fields = new List<TypedDataField>();
        if (Name is not null) { fields.Add(new("name", "string")); }
        if (Version is not null) { fields.Add(new("version", "string")); }
        if (ChainId is not null) { fields.Add(new("chainId", "uint256")); }
        if (VerifyingContract is not null) { fields.Add(new("verifyingContract", "address")); }
        if (Salt is not null) { fields.Add(new("salt", "bytes32")); }
        return fields;
    }

    /// <summary>The domain as a struct value for <see cref="TypedData"/>.</summary>
    public IReadOnlyDictionary<string, object?> ToValue()
    {
        var value = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (Name is not null) { value["name"] = Name; }
        if (Version is not null) { value["version"] = Version; }
        if (ChainId is not null) { value["chainId"] = ChainId.Value; }
        if (VerifyingContract is not null) { value["verifyingContract"] = VerifyingContract.Value; }
        if (Salt is not null) { value["salt"] = Salt.Value; }
        return value;
    }
}

/// <summary>
/// An EIP-712 typed-data document (SPEC.md §3.5): struct types, the primary type, the domain and the message.
/// Read the JSON that <c>eth_signTypedData_v4</c> and <c>cast wallet sign --data</c> take with <see cref="Parse"/>, or
/// describe it in C# with the constructor. Struct values are <c>IReadOnlyDictionary&lt;string, object?&gt;</c>; arrays
/// any enumerable; integers <see cref="BigInteger"/>/<see cref="long"/>/decimal or 0x strings; bytes <c>byte[]</c> or 0x strings.
/// </summary>
public sealed class TypedData
{
    private const string DomainTypeName = "EIP712Domain";

    /// <summary>Largest typed-data JSON <see cref="Parse"/> accepts: 1 MiB.</summary>
    public const int MaxJsonLength = 1024 * 1024;

    private readonly Dictionary<string, IReadOnlyList<TypedDataField>> _types;

    public TypedData(
        IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types,
        string primaryType,
        IReadOnlyDictionary<string, object?> domain,
        IReadOnlyDictionary<string, object?> message)
    {
        ArgumentNullException.ThrowIfNull(types);
        _types = new Dictionary<string, IReadOnlyList<TypedDataField>>(types, StringComparer.Ordinal);
        PrimaryType = primaryType ?? throw new ArgumentNullException(nameof(primaryType));
        Domain = domain ?? throw new ArgumentNullException(nameof(domain));
        Message = message ?? throw new ArgumentNullException(nameof(message));
        if (!_types.ContainsKey(DomainTypeName))
        {
            // The domain type may be left out of the document; it is then implied by which domain members are present.
            _types[DomainTypeName] = InferDomainFields(domain);
        }
        foreach (var (name, fields) in _types)
        {
            foreach (var field in fields)
            {
                ValidateFieldType(name, field);
            }
        }
        if (!_types.ContainsKey(PrimaryType))
        {
            throw Invalid($"the primary type '{PrimaryType}' is not among the types.");
        }
    }

    /// <summary>Builds typed data from a domain record and a message.</summary>
    public TypedData(Eip712Domain domain, IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types, string primaryType, IReadOnlyDictionary<string, object?> message)
        : this(WithDomain(types, domain), primaryType, domain.ToValue(), message)
    {
    }

    public IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> Types => _types;

    public string PrimaryType { get; }

    public IReadOnlyDictionary<string, object?> Domain { get; }

    public IReadOnlyDictionary<string, object?> Message { get; }

    /// <summary>Reads the standard JSON document: <c>{ types, primaryType, domain, message }</c>.</summary>
    /// <exception cref="InvalidInputException">with code <c>eth.eip712.invalid</c>.</exception>
    public static TypedData Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxJsonLength)
        {
            throw Invalid($"the document is larger than {MaxJsonLength} characters.");
        }
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("the document must be a JSON object.");
            }
            var types = new Dictionary<string, IReadOnlyList<TypedDataField>>(StringComparer.Ordinal);
            foreach (var t in Property(root, "types", JsonValueKind.Object).EnumerateObject())
            {
                if (t.Value.ValueKind != JsonValueKind.Array)
                {
                    throw Invalid($"type '{t.Name}' must be an array of fields.");
                }
                types[t.Name] = [.. t.Value.EnumerateArray().Select(f => new TypedDataField(
                    Property(f, "name", JsonValueKind.String).GetString()!,
                    Property(f, "type", JsonValueKind.String).GetString()!))];
            }
            var primary = Property(root, "primaryType", JsonValueKind.String).GetString()!;
            var domain = (IReadOnlyDictionary<string, object?>)FromJson(Property(root, "domain", JsonValueKind.Object))!;
            var message = (IReadOnlyDictionary<string, object?>)FromJson(Property(root, "message", JsonValueKind.Object))!;
            return new TypedData(types, primary, domain, message);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("eth.eip712.invalid", "the typed data is not valid JSON: " + e.Message, e);
        }
    }

    /// <summary><c>encodeType</c>: the primary struct's definition followed by those it references, sorted by name.</summary>
    public string EncodeType(string typeName)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        CollectReferences(typeName, found);
        found.Remove(typeName);
        var sb = new StringBuilder();
        foreach (var name in new[] { typeName }.Concat(found))
        {
            sb.Append(name).Append('(').Append(string.Join(",", _types[name].Select(f => f.Type + " " + f.Name))).Append(')');
        }
        return sb.ToString();
    }

    /// <summary><c>typeHash</c> = Keccak-256(encodeType).</summary>
    public Hash32 TypeHash(string typeName) => Keccak256.Hash(EncodeType(typeName));

    /// <summary><c>hashStruct(s)</c> = Keccak-256(typeHash ‖ encodeData(s)).</summary>
    public Hash32 HashStruct(string typeName, IReadOnlyDictionary<string, object?> value)
    {
        var encoded = new List<byte>();
        encoded.AddRange(TypeHash(typeName).Span.ToArray());
        foreach (var field in _types[typeName])
        {
            if (!value.TryGetValue(field.Name, out var member))
            {
                throw Invalid($"{typeName}.{field.Name} is missing from the value.");
            }
            encoded.AddRange(EncodeField(field.Type, member, 0));
        }
        return Keccak256.Hash(encoded.ToArray());
    }

    /// <summary>The domain separator: hashStruct(EIP712Domain, domain).</summary>
    public Hash32 DomainSeparator() => HashStruct(DomainTypeName, Domain);

    /// <summary>The digest that is signed: Keccak-256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)).</summary>
    public Hash32 SigningHash()
    {
        var buffer = new byte[66];
        buffer[0] = 0x19;
        buffer[1] = 0x01;
        DomainSeparator().Span.CopyTo(buffer.AsSpan(2));
        // EIP-712: when the primary type is the domain itself, only the separator is hashed.
        if (PrimaryType != DomainTypeName)
        {
            HashStruct(PrimaryType, Message).Span.CopyTo(buffer.AsSpan(34));
            return Keccak256.Hash(buffer);
        }
        return Keccak256.Hash(buffer.AsSpan(0, 34));
    }

    public Signature Sign(PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Sign(SigningHash());
    }

    public Address RecoverSigner(Signature signature) => signature.RecoverAddress(SigningHash());

    // ------------------------------------------------------------------ encoding

    private const int MaxValueDepth = 64;

    private byte[] EncodeField(string type, object? value, int depth)
    {
        if (depth > MaxValueDepth)
        {
            throw Invalid($"values nest deeper than {MaxValueDepth} levels.");
        }
        if (type.EndsWith(']'))
        {
            var open = type.LastIndexOf('[');
            var element = type[..open];
            var lengthText = type[(open + 1)..^1];
            var items = value is System.Collections.IEnumerable e and not string and not byte[]? e.Cast<object?>().ToList()
                : throw Invalid($"an array was expected for {type}.");
            if (lengthText.Length > 0 && items.Count != int.Parse(lengthText, CultureInfo.InvariantCulture))
            {
                throw Invalid($"{type} takes exactly {lengthText} elements, got {items.Count}.");
            }
            var concatenated = new List<byte>();
            foreach (var item in items)
            {
                concatenated.AddRange(EncodeField(element, item, depth + 1));
            }
            return Keccak256.Hash(concatenated.ToArray()).ToArray();
        }
        if (_types.ContainsKey(type))
        {
            var map = value as IReadOnlyDictionary<string, object?> ?? throw Invalid($"an object was expected for struct {type}.");
            return HashStruct(type, map).ToArray();
        }
        switch (type)
        {
            case "string":
                return Keccak256.Hash(value as string ?? throw Invalid("a string was expected.")).ToArray();
            case "bytes":
                return Keccak256.Hash(Bytes(value, type)).ToArray();
        }
        var abiType = AbiType.Parse(type);
        try
        {
            object? normalised = abiType switch
            {
                AbiIntegerType => Integer(value, type),
                AbiBoolType => value is bool b ? b : value is string s && bool.TryParse(s, out var parsed) ? parsed : throw Invalid("a bool was expected."),
                AbiAddressType => value is Address a ? a : Address.Parse(value as string ?? throw Invalid("an address string was expected.")),
                AbiFixedBytesType => Bytes(value, type),
                _ => throw Invalid($"'{type}' is not an EIP-712 type."),
            };
            return AbiCodec.EncodeSingle(abiType, normalised);
        }
        catch (InvalidInputException e) when (e.Code.StartsWith("eth.abi", StringComparison.Ordinal) || e.Code.StartsWith("eth.address", StringComparison.Ordinal))
        {
            throw new InvalidInputException("eth.eip712.invalid", $"a value of {type} is invalid: {e.Message}", e);
        }
    }

    private static BigInteger Integer(object? value, string type) => value switch
    {
        BigInteger b => b,
        int i => i,
        long l => l,
        ulong u => u,
        uint u => u,
        decimal d when decimal.Truncate(d) == d => new BigInteger(d),
        string s when s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) => Hex.DecodeQuantity(s),
        string s when s.StartsWith("-0x", StringComparison.OrdinalIgnoreCase) => -Hex.DecodeQuantity(s[1..]),
        string s when s.Length <= 80 && BigInteger.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw Invalid($"an integer was expected for {type}."),
    };

    private static byte[] Bytes(object? value, string type) => value switch
    {
        byte[] b => b,
        Hash32 h => h.ToArray(),
        string s when s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && Hex.TryDecode(s, out var decoded) => decoded,
        _ => throw Invalid($"0x-prefixed hex bytes were expected for {type}."),
    };

    private void CollectReferences(string typeName, SortedSet<string> found)
    {
        if (!found.Add(typeName))
        {
            return;
        }
        foreach (var field in _types[typeName])
        {
            var baseType = BaseType(field.Type);
            if (_types.ContainsKey(baseType))
            {
                CollectReferences(baseType, found);
            }
        }
    }

    private static string BaseType(string type)
    {
        var bracket = type.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? type : type[..bracket];
    }

    private void ValidateFieldType(string owner, TypedDataField field)
    {
        var baseType = BaseType(field.Type);
        var suffix = field.Type[baseType.Length..];
        var valid = _types.ContainsKey(baseType) || baseType is "string" or "bytes" || AbiType.Elementary(baseType) is { } t && t is not AbiStringType and not AbiBytesType;
        if (!valid)
        {
            throw Invalid($"{owner}.{field.Name} has unknown type '{field.Type}'.");
        }
        while (suffix.Length > 0)
        {
            var close = suffix.IndexOf(']', StringComparison.Ordinal);
            if (suffix[0] != '[' || close < 0 || (close > 1 && !int.TryParse(suffix[1..close], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                throw Invalid($"{owner}.{field.Name} has a malformed array type '{field.Type}'.");
            }
            suffix = suffix[(close + 1)..];
        }
    }

    private static List<TypedDataField> InferDomainFields(IReadOnlyDictionary<string, object?> domain)
    {
        var order = new (string Name, string Type)[] { ("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address"), ("salt", "bytes32") };
        var unknown = domain.Keys.Except(order.Select(o => o.Name)).ToList();
        if (unknown.Count > 0)
        {
            throw Invalid($"the domain has members ({string.Join(", ", unknown)}) but the document declares no EIP712Domain type for them.");
        }
        return [.. order.Where(o => domain.ContainsKey(o.Name)).Select(o => new TypedDataField(o.Name, o.Type))];
    }

    private static Dictionary<string, IReadOnlyList<TypedDataField>> WithDomain(IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types, Eip712Domain domain) =>
        new(types, StringComparer.Ordinal) { [DomainTypeName] = domain.Fields() };

    private static JsonElement Property(JsonElement element, string name, JsonValueKind kind) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == kind
            ? value
            : throw Invalid($"\"{name}\" is missing or is not a JSON {kind.ToString().ToLowerInvariant()}.");

    /// <summary>JSON to the value model: objects become dictionaries, arrays lists, numbers their exact decimal text.</summary>
    private static object? FromJson(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value), StringComparer.Ordinal),
        JsonValueKind.Array => e.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static InvalidInputException Invalid(string message) => new("eth.eip712.invalid", message);
}
