using System.Numerics;
using LinqP2P.Contracts.Abi;
using LinqP2P.Core;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Rpc;

namespace LinqP2P.Contracts;

/// <summary>
/// The base of every generated binding (SPEC.md §3, "JSON-RPC"): one deployed contract at
/// <see cref="Address"/>, read through <see cref="Rpc"/> (eth_call) and written through <see cref="Sender"/>
/// (signed transactions with managed nonces, waiting for <see cref="Confirmations"/> blocks).
/// </summary>
public abstract class ContractBinding
{
    protected ContractBinding(Address address, EthRpc rpc, TransactionSender? sender)
    {
        Address = address;
        Rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
        Sender = sender;
    }

    public Address Address { get; }

    public EthRpc Rpc { get; }

    /// <summary>The account that sends this binding's transactions; null for a read-only binding.</summary>
    public TransactionSender? Sender { get; }

    /// <summary>Confirmations each send waits for. Default 1 (mined).</summary>
    public int Confirmations { get; init; } = 1;

    protected async Task<object?[]> CallRawAsync(string function, byte[] calldata, AbiType outputs, BlockTag? block, CancellationToken cancellationToken)
    {
        var result = await Rpc.CallAsync(new CallRequest
        {
            From = Sender?.Address,
            To = Address.ToLowerString(),
            Data = Hex.Encode(calldata),
        }, block, cancellationToken).ConfigureAwait(false);
        try
        {
            return AbiCodec.Decode(outputs, result);
        }
        catch (FormatException ex)
        {
            throw new InvalidInputException("eth.abi.bad_result",
                $"{GetType().Name}.{function} at {Address} returned data that does not decode ({ex.Message}); is the address right?", ex);
        }
    }

    protected Task<TransactionReceipt> SendRawAsync(byte[] calldata, BigInteger value, CancellationToken cancellationToken) =>
        RequireSender().SendAndWaitAsync(new TransactionRequest { To = Address.ToLowerString(), Data = calldata, Value = value },
            Confirmations, cancellationToken);

    /// <summary>Deploys init code + encoded constructor arguments and returns the new contract's address.</summary>
    protected static async Task<Address> DeployRawAsync(TransactionSender sender, string bytecodeHex, byte[] constructorArguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var receipt = await sender.SendAndWaitAsync(new TransactionRequest { Data = [.. Hex.Decode(bytecodeHex), .. constructorArguments] },
            1, cancellationToken).ConfigureAwait(false);
        return Address.Parse(receipt.ContractAddress
            ?? throw new InvalidInputException("eth.deploy.no_address", $"the deployment {receipt.TransactionHash} has no contract address"));
    }

    /// <summary>Decodes an event log if it carries <paramref name="topic"/>: indexed values from topics, the rest from data.</summary>
    protected static object?[]? DecodeLog(EventLog log, Hash32 topic, AbiType[] types, bool[] indexed)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (log.Topics.Count == 0 || !Hash32.Parse(log.Topics[0]).Equals(topic) || log.Topics.Count != 1 + indexed.Count(i => i))
        {
            return null;
        }
        var dataTypes = types.Where((_, i) => !indexed[i]).ToArray();
        object?[] data;
        try
        {
            data = AbiCodec.Decode(AbiTypeOf(dataTypes), log.Data);
        }
        catch (FormatException)
        {
            return null;
        }
        var values = new object?[types.Length];
        int topicIndex = 1, dataIndex = 0;
        for (var i = 0; i < types.Length; i++)
        {
            values[i] = indexed[i] ? AbiCodec.DecodeTopic(types[i], Hash32.Parse(log.Topics[topicIndex++])) : data[dataIndex++];
        }
        return values;
    }

    private static AbiType AbiTypeOf(AbiType[] components) =>
        AbiType.Parse("(" + string.Join(',', components.Select(Canonical)) + ")");

    private static string Canonical(AbiType type) => type.Kind switch
    {
        AbiKind.Uint => $"uint{type.Size}",
        AbiKind.Int => $"int{type.Size}",
        AbiKind.Address => "address",
        AbiKind.Bool => "bool",
        AbiKind.FixedBytes => $"bytes{type.Size}",
        AbiKind.Bytes => "bytes",
        AbiKind.String => "string",
        AbiKind.Array => Canonical(type.Element!) + (type.Length is { } n ? $"[{n}]" : "[]"),
        AbiKind.Tuple => "(" + string.Join(',', type.Components.Select(Canonical)) + ")",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private TransactionSender RequireSender() => Sender ?? throw new InvalidOperationException(
        $"this {GetType().Name} binding is read-only: create it with a TransactionSender to send transactions");
}
