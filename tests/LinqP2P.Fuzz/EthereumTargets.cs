using System.Text;
using LinqP2P.Core;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Abi;
using LinqP2P.Ethereum.Eip712;
using LinqP2P.Ethereum.Keystore;
using LinqP2P.Ethereum.Rlp;
using LinqP2P.Ethereum.Transactions;

namespace LinqP2P.Fuzz;

/// <summary>
/// Fuzz targets for the Ethereum decoders. Each turns any byte string into a value or a <see cref="LinqException"/>;
/// any other exception is a bug the fuzzer reports.
/// </summary>
internal static class EthereumTargets
{
    // Type lists chosen to reach every decoder path: dynamic bytes and strings, nested dynamic arrays, tuples, dirty-bit checks.
    private static readonly IReadOnlyList<AbiType>[] AbiShapes =
    [
        AbiType.ParseList("(bytes,string)"),
        AbiType.ParseList("(uint256[][],(address,bytes)[])"),
        AbiType.ParseList("(uint8,int16,bool,bytes3,address)"),
        AbiType.ParseList("((string[2],uint256)[],bytes32[3])"),
    ];

    [FuzzTarget("eth-rlp")]
    public static void Rlp(byte[] input)
    {
        try
        {
            var item = RlpDecoder.Decode(input);
            // A value that decodes must re-encode to exactly the same bytes: the decoder only accepts canonical RLP.
            if (!item.Encode().AsSpan().SequenceEqual(input))
            {
                throw new InvalidOperationException("RLP decode/encode is not the identity on accepted input");
            }
        }
        catch (LinqException)
        {
        }
    }

    [FuzzTarget("eth-abi")]
    public static void AbiDecode(byte[] input)
    {
        if (input.Length == 0)
        {
            return;
        }
        // The first byte picks the shape so one corpus explores all of them.
        var types = AbiShapes[input[0] % AbiShapes.Length];
        try
        {
            var values = AbiCodec.Decode(types, input.AsSpan(1));
            var again = AbiCodec.Decode(types, AbiCodec.Encode(types, values));
            if (!AbiValues.AreEqual(values, again))
            {
                throw new InvalidOperationException("ABI decode/encode/decode changed the values");
            }
        }
        catch (LinqException)
        {
        }
    }

    [FuzzTarget("eth-abi-json")]
    public static void AbiJson(byte[] input)
    {
        try
        {
            var abi = ContractAbi.Parse(Encoding.UTF8.GetString(input));
            foreach (var f in abi.Functions)
            {
                _ = f.Selector;
            }
        }
        catch (LinqException)
        {
        }
    }

    [FuzzTarget("eth-tx")]
    public static void RawTransaction(byte[] input)
    {
        try
        {
            var tx = SignedTransaction.Decode(input);
            _ = tx.RecoverSender();
            // Rebuild from the decoded fields rather than trusting the cached input bytes.
            if (!new SignedTransaction(tx.Transaction, tx.Signature).Encode().AsSpan().SequenceEqual(input))
            {
                throw new InvalidOperationException("a decoded transaction does not re-encode to its input");
            }
        }
        catch (LinqException)
        {
        }
    }

    [FuzzTarget("eth-keystore")]
    public static void KeystoreJson(byte[] input)
    {
        try
        {
            KeystoreV3.Decrypt(Encoding.UTF8.GetString(input), "fuzz");
        }
        catch (LinqException)
        {
        }
    }

    [FuzzTarget("eth-eip712")]
    public static void TypedDataJson(byte[] input)
    {
        try
        {
            TypedData.Parse(Encoding.UTF8.GetString(input)).SigningHash();
        }
        catch (LinqException)
        {
        }
    }
}
