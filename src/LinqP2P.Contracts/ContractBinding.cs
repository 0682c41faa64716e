using System.Numerics;
using LinqP2P.Core;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Abi;
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

    protected async Task<object?[]> CallRawAsync(string function, byte[] calldata, IReadOnlyList<AbiType> outputs, BlockTag? block, CancellationToken cancellationToken)
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
        catch (EthereumDecodeException ex)
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

    /// <summary>Decodes an event log if it is an <paramref name="abiEvent"/> log: indexed values from topics, the rest from data.</summary>
    protected static object?[]? DecodeLog(EventLog log, AbiEvent abiEvent)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(abiEvent);
        if (log.Topics.Count == 0 || !Hash32.Parse(log.Topics[0]).Equals(abiEvent.Topic0))
        {
            return null;
        }
        try
        {
            return [.. abiEvent.DecodeLog(log.Topics.Select(Hash32.Parse).ToArray(), log.Data).Values];
        }
        catch (EthereumDecodeException)
        {
            // Same topic, different shape (another contract's event with this signature but other indexing).
            return null;
        }
    }

    private TransactionSender RequireSender() => Sender ?? throw new InvalidOperationException(
        $"this {GetType().Name} binding is read-only: create it with a TransactionSender to send transactions");
}
