using System.Numerics;
using LinqP2P.Core;

namespace LinqP2P.Ethereum.Abi;

/// <summary>A named, typed parameter of a function, event or error.</summary>
/// <param name="Name">The Solidity name; empty when the source left it unnamed.</param>
/// <param name="Type">The ABI type (tuples carry their component names).</param>
/// <param name="Indexed">For event parameters: whether it is a topic rather than part of the data.</param>
/// <param name="InternalType">The Solidity type forge reports (<c>struct Market.Bid</c>, <c>contract IERC20</c>), when known.</param>
public sealed record AbiParameter(string Name, AbiType Type, bool Indexed = false, string? InternalType = null)
{
    internal static IReadOnlyList<AbiParameter> Unnamed(IEnumerable<AbiType> types) => [.. types.Select(t => new AbiParameter("", t))];

    internal static IReadOnlyList<AbiType> Types(IReadOnlyList<AbiParameter> parameters) => [.. parameters.Select(p => p.Type)];
}

/// <summary>Reads <c>name(types)</c> and <c>name(types)(returns)</c> the way cast writes signatures.</summary>
internal static class SignatureText
{
    public static (string Name, IReadOnlyList<AbiType> Inputs, IReadOnlyList<AbiType> Outputs) Parse(string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var open = signature.IndexOf('(', StringComparison.Ordinal);
        if (open <= 0)
        {
            throw new InvalidInputException("eth.abi.invalid-signature", $"'{Hex.Shorten(signature)}' is not a signature like name(uint256,address).");
        }
        var name = signature[..open].Trim();
        if (!IsIdentifier(name))
        {
            throw new InvalidInputException("eth.abi.invalid-signature", $"'{name}' is not a Solidity identifier.");
        }
        var rest = signature[open..];
        var close = MatchingParen(rest);
        var inputs = AbiType.ParseList(rest[..(close + 1)]);
        var tail = rest[(close + 1)..].Trim();
        if (tail.StartsWith("returns", StringComparison.Ordinal))
        {
            tail = tail["returns".Length..].Trim();
        }
        var outputs = tail.Length == 0 ? [] : AbiType.ParseList(tail);
        return (name, inputs, outputs);
    }

    public static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or '$')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$');

    private static int MatchingParen(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth == 0)
            {
                return i;
            }
        }
        throw new InvalidInputException("eth.abi.invalid-signature", $"'{Hex.Shorten(text)}' has unbalanced parentheses.");
    }
}

/// <summary>A contract function: its selector, call data encoding and return data decoding.</summary>
public sealed class AbiFunction
{
    public AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter>? outputs = null, string stateMutability = "nonpayable")
    {
        Name = name;
        Inputs = inputs;
        Outputs = outputs ?? [];
        StateMutability = stateMutability;
        InputTypes = AbiParameter.Types(inputs);
        OutputTypes = AbiParameter.Types(Outputs);
        Signature = name + AbiType.ListToString(InputTypes);
        Selector = Keccak256.Hash(Signature).Span[..4].ToArray();
    }

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public IReadOnlyList<AbiParameter> Outputs { get; }

    public IReadOnlyList<AbiType> InputTypes { get; }

    public IReadOnlyList<AbiType> OutputTypes { get; }

    /// <summary><c>pure</c>, <c>view</c>, <c>nonpayable</c> or <c>payable</c>.</summary>
    public string StateMutability { get; }

    /// <summary>The canonical signature hashed into the selector, e.g. <c>transfer(address,uint256)</c>.</summary>
    public string Signature { get; }

    /// <summary>The first four bytes of Keccak-256(<see cref="Signature"/>).</summary>
    public byte[] Selector { get; }

    public bool IsReadOnly => StateMutability is "view" or "pure";

    /// <summary>Reads <c>transfer(address,uint256)</c> or, with outputs, <c>balanceOf(address)(uint256)</c>.</summary>
    public static AbiFunction Parse(string signature)
    {
        var (name, inputs, outputs) = SignatureText.Parse(signature);
        return new AbiFunction(name, AbiParameter.Unnamed(inputs), AbiParameter.Unnamed(outputs));
    }

    /// <summary>Selector ‖ ABI-encoded arguments: the <c>data</c> of a call or transaction.</summary>
    public byte[] EncodeCall(params object?[] arguments) => [.. Selector, .. AbiCodec.Encode(InputTypes, arguments)];

    /// <summary>Decodes call data made for this function, checking its selector.</summary>
    public object[] DecodeCall(ReadOnlySpan<byte> callData)
    {
        if (callData.Length < 4 || !callData[..4].SequenceEqual(Selector))
        {
            throw AbiCodec.Fail(DecodeError.Malformed, $"the call data does not start with the selector of {Signature}.");
        }
        return AbiCodec.Decode(InputTypes, callData[4..]);
    }

    /// <summary>Decodes what the function returned.</summary>
    public object[] DecodeOutput(ReadOnlySpan<byte> returnData) => AbiCodec.Decode(OutputTypes, returnData);

    public override string ToString() => Signature;
}

/// <summary>An event: its topic and the decoding of logs it emitted.</summary>
public sealed class AbiEvent
{
    public AbiEvent(string name, IReadOnlyList<AbiParameter> inputs, bool anonymous = false)
    {
        Name = name;
        Inputs = inputs;
        Anonymous = anonymous;
        Signature = name + AbiType.ListToString(inputs.Select(i => i.Type));
        Topic0 = Keccak256.Hash(Signature);
        var maxIndexed = anonymous ? 4 : 3;
        if (inputs.Count(i => i.Indexed) > maxIndexed)
        {
            throw new InvalidInputException("eth.abi.invalid-event", $"{Signature} has more than {maxIndexed} indexed parameters.");
        }
    }

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    /// <summary>An anonymous event has no signature topic, so it cannot be recognised from its topics alone.</summary>
    public bool Anonymous { get; }

    public string Signature { get; }

    /// <summary>Keccak-256 of the signature: the first topic of every (non-anonymous) log of this event.</summary>
    public Hash32 Topic0 { get; }

    /// <summary>Reads <c>Transfer(address indexed from, address indexed to, uint256 value)</c> or the bare <c>Transfer(address,address,uint256)</c>.</summary>
    public static AbiEvent Parse(string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        // Strip parameter names and "indexed" before reading types, remembering which ones were indexed.
        var open = signature.IndexOf('(', StringComparison.Ordinal);
        var close = signature.LastIndexOf(')');
        if (open <= 0 || close < open)
        {
            throw new InvalidInputException("eth.abi.invalid-signature", $"'{Hex.Shorten(signature)}' is not an event signature.");
        }
        var parts = SplitTopLevel(signature[(open + 1)..close]);
        var parameters = new List<AbiParameter>();
        foreach (var part in parts)
        {
            var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }
            var indexed = words.Contains("indexed");
            var name = words.Length > 1 && words[^1] != "indexed" ? words[^1] : "";
            parameters.Add(new AbiParameter(name, AbiType.Parse(words[0]), indexed));
        }
        return new AbiEvent(signature[..open].Trim(), parameters);
    }

    /// <summary>
    /// Decodes a log: indexed parameters from topics 1.. (value types directly; strings, bytes, arrays and tuples
    /// only as the Keccak-256 <see cref="Hash32"/> of their encoding, since that is all a topic holds), the rest from the data.
    /// </summary>
    public DecodedEvent DecodeLog(IReadOnlyList<Hash32> topics, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var topicAt = 0;
        if (!Anonymous)
        {
            if (topics.Count == 0 || topics[0] != Topic0)
            {
                throw AbiCodec.Fail(DecodeError.Malformed, $"the log's first topic is not the topic of {Signature}.");
            }
            topicAt = 1;
        }
        var indexedCount = Inputs.Count(i => i.Indexed);
        if (topics.Count != topicAt + indexedCount)
        {
            throw AbiCodec.Fail(DecodeError.Malformed, $"{Signature} has {indexedCount} indexed parameters but the log has {topics.Count - topicAt} topics for them.");
        }
        var dataValues = AbiCodec.Decode([.. Inputs.Where(i => !i.Indexed).Select(i => i.Type)], data);
        var values = new object[Inputs.Count];
        var dataAt = 0;
        for (var i = 0; i < Inputs.Count; i++)
        {
            var input = Inputs[i];
            if (!input.Indexed)
            {
                values[i] = dataValues[dataAt++];
                continue;
            }
            var topic = topics[topicAt++];
            values[i] = IsValueType(input.Type) ? AbiCodec.Decode([input.Type], topic.Span)[0] : topic;
        }
        return new DecodedEvent(this, values);
    }

    /// <summary>The topic a filter uses to match an indexed parameter equal to <paramref name="value"/>.</summary>
    public static Hash32 EncodeTopic(AbiType type, object? value)
    {
        if (IsValueType(type))
        {
            return Hash32.FromBytes(AbiCodec.EncodeSingle(type, value));
        }
        var buffer = new List<byte>();
        InPlace(type, value, buffer, padded: false);
        return Keccak256.Hash(buffer.ToArray());
    }

    /// <summary>
    /// The "in-place" encoding Solidity hashes into a topic (ABI spec, "Encoding of indexed event parameters"):
    /// bytes and strings raw (padded to 32 inside arrays and structs), arrays without their length, structs as the
    /// concatenation of their members.
    /// </summary>
    private static void InPlace(AbiType type, object? value, List<byte> output, bool padded)
    {
        switch (type)
        {
            case AbiIntegerType or AbiAddressType or AbiBoolType or AbiFixedBytesType:
                output.AddRange(AbiCodec.EncodeSingle(type, value));
                break;
            case AbiStringType or AbiBytesType:
                var bytes = type is AbiStringType
                    ? System.Text.Encoding.UTF8.GetBytes(value as string ?? throw new InvalidInputException("eth.abi.invalid-value", "a string was expected."))
                    : AbiCodec.ToBytes(value, type);
                output.AddRange(bytes);
                if (padded)
                {
                    output.AddRange(new byte[(32 - (bytes.Length % 32)) % 32]);
                }
                break;
            case AbiArrayType array:
                foreach (var item in AbiCodec.ToList(value, type))
                {
                    InPlace(array.Element, item, output, padded: true);
                }
                break;
            case AbiTupleType tuple:
                var members = AbiCodec.ToList(value, type);
                for (var i = 0; i < tuple.Components.Count; i++)
                {
                    InPlace(tuple.Components[i], i < members.Count ? members[i] : null, output, padded: true);
                }
                break;
        }
    }

    private static bool IsValueType(AbiType type) => type is AbiIntegerType or AbiAddressType or AbiBoolType or AbiFixedBytesType;

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }
        parts.Add(text[start..]);
        return parts;
    }

    public override string ToString() => Signature;
}

/// <summary>A decoded log: the event and one value per input, in declaration order.</summary>
public sealed record DecodedEvent(AbiEvent Event, IReadOnlyList<object> Values)
{
    /// <summary>The value of the parameter named <paramref name="name"/>.</summary>
    public object this[string name]
    {
        get
        {
            for (var i = 0; i < Event.Inputs.Count; i++)
            {
                if (Event.Inputs[i].Name == name)
                {
                    return Values[i];
                }
            }
            throw new KeyNotFoundException($"{Event.Signature} has no parameter named '{name}'.");
        }
    }
}

/// <summary>A Solidity custom error (<c>error EscrowNotFunded(uint256 jobId)</c>), or one of the built-in Error/Panic.</summary>
public sealed class AbiError
{
    public AbiError(string name, IReadOnlyList<AbiParameter> inputs)
    {
        Name = name;
        Inputs = inputs;
        InputTypes = AbiParameter.Types(inputs);
        Signature = name + AbiType.ListToString(InputTypes);
        Selector = Keccak256.Hash(Signature).Span[..4].ToArray();
    }

    /// <summary><c>Error(string)</c>: what <c>require(cond, "reason")</c> and <c>revert("reason")</c> produce.</summary>
    public static AbiError ErrorString { get; } = new("Error", [new AbiParameter("message", AbiStringType.Instance)]);

    /// <summary><c>Panic(uint256)</c>: what failed asserts, overflow, division by zero and bad indexes produce.</summary>
    public static AbiError Panic { get; } = new("Panic", [new AbiParameter("code", new AbiIntegerType(false, 256))]);

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public IReadOnlyList<AbiType> InputTypes { get; }

    public string Signature { get; }

    public byte[] Selector { get; }

    public static AbiError Parse(string signature)
    {
        var (name, inputs, _) = SignatureText.Parse(signature);
        return new AbiError(name, AbiParameter.Unnamed(inputs));
    }

    /// <summary>Selector ‖ encoded arguments: the revert data a contract returns.</summary>
    public byte[] Encode(params object?[] arguments) => [.. Selector, .. AbiCodec.Encode(InputTypes, arguments)];

    /// <summary>Decodes revert data of this error (selector included).</summary>
    public object[] Decode(ReadOnlySpan<byte> revertData)
    {
        if (revertData.Length < 4 || !revertData[..4].SequenceEqual(Selector))
        {
            throw AbiCodec.Fail(DecodeError.Malformed, $"the revert data does not start with the selector of {Signature}.");
        }
        return AbiCodec.Decode(InputTypes, revertData[4..]);
    }

    public override string ToString() => Signature;
}

/// <summary>
/// A call or transaction reverted. <see cref="ErrorName"/> and <see cref="Arguments"/> say why when the revert data
/// matched a known error; <see cref="Reason"/> holds the text of <c>Error(string)</c>, <see cref="PanicCode"/> the code of
/// <c>Panic(uint256)</c>. The code is <c>eth.revert</c>; retrying the same call will revert again.
/// </summary>
public sealed class ContractRevertedException : LinqException
{
    public ContractRevertedException(byte[] revertData, string? errorName, IReadOnlyList<object> arguments, AbiError? error, string message)
        : base("eth.revert", message, retryable: false)
    {
        RevertData = revertData;
        ErrorName = errorName;
        Arguments = arguments;
        Error = error;
    }

    /// <summary>The raw revert data (selector ‖ arguments), possibly empty.</summary>
    public byte[] RevertData { get; }

    /// <summary><c>Error</c>, <c>Panic</c>, a custom error's name, or null when the data matched no known error.</summary>
    public string? ErrorName { get; }

    public IReadOnlyList<object> Arguments { get; }

    /// <summary>The matched error definition, if any.</summary>
    public AbiError? Error { get; }

    /// <summary>The reason string of <c>Error(string)</c>.</summary>
    public string? Reason => ErrorName == "Error" && Arguments.Count == 1 ? Arguments[0] as string : null;

    /// <summary>The code of <c>Panic(uint256)</c> (0x11 overflow, 0x12 division by zero, 0x32 index out of bounds, ...).</summary>
    public BigInteger? PanicCode => ErrorName == "Panic" && Arguments.Count == 1 ? Arguments[0] as BigInteger? : null;
}

/// <summary>Turns revert data into a <see cref="ContractRevertedException"/>.</summary>
public static class RevertDecoder
{
    /// <summary>
    /// Matches <paramref name="revertData"/> against <c>Error(string)</c>, <c>Panic(uint256)</c> and
    /// <paramref name="knownErrors"/>. Data that matches none, or that is malformed, still yields the exception, with the raw data.
    /// </summary>
    public static ContractRevertedException Decode(ReadOnlySpan<byte> revertData, IEnumerable<AbiError>? knownErrors = null)
    {
        var data = revertData.ToArray();
        if (data.Length == 0)
        {
            return new ContractRevertedException(data, null, [], null, "the contract reverted without a reason (empty revert data).");
        }
        if (data.Length >= 4)
        {
            foreach (var error in new[] { AbiError.ErrorString, AbiError.Panic }.Concat(knownErrors ?? []))
            {
                if (!data.AsSpan(0, 4).SequenceEqual(error.Selector))
                {
                    continue;
                }
                try
                {
                    var args = error.Decode(data);
                    return new ContractRevertedException(data, error.Name, args, error, Describe(error, args));
                }
                catch (EthereumDecodeException)
                {
                    // A selector collision or corrupt data: try the other candidates, else report the raw bytes.
                }
            }
        }
        return new ContractRevertedException(data, null, [], null, $"the contract reverted with unrecognised data {Hex.Shorten(Hex.Encode(data))}; pass the contract's ABI errors to decode it.");
    }

    private static string Describe(AbiError error, object[] args)
    {
        if (error == AbiError.ErrorString)
        {
            return $"the contract reverted: \"{args[0]}\".";
        }
        if (error == AbiError.Panic)
        {
            var code = (BigInteger)args[0];
            return $"the contract panicked with code 0x{code:x2} ({PanicMeaning(code)}).";
        }
        return $"the contract reverted with {error.Name}({string.Join(", ", args.Select(AbiValues.Format))}).";
    }

    /// <summary>What a Solidity panic code means (Solidity docs, "Panic via assert and Error via require").</summary>
    public static string PanicMeaning(BigInteger code) => (int)(code > 0xff ? 0 : code) switch
    {
        0x00 => "generic compiler panic",
        0x01 => "assert failed",
        0x11 => "arithmetic overflow or underflow",
        0x12 => "division or modulo by zero",
        0x21 => "conversion to an invalid enum value",
        0x22 => "corrupt storage byte array",
        0x31 => "pop() on an empty array",
        0x32 => "array index out of bounds",
        0x41 => "out of memory",
        0x51 => "call to a zero-initialised function",
        _ => "unknown panic code",
    };
}
