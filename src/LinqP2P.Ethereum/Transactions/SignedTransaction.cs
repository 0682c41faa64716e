using System.Numerics;
using LinqP2P.Ethereum.Rlp;

namespace LinqP2P.Ethereum.Transactions;

/// <summary>
/// A signed transaction: what <c>eth_sendRawTransaction</c> takes (<see cref="Encode"/>) and what blocks hold.
/// <see cref="Decode"/> reads raw bytes from anyone, so it checks every field and the signature (SPEC.md §3.4).
/// </summary>
public sealed class SignedTransaction
{
    /// <summary>Largest raw transaction <see cref="Decode"/> accepts: 128 KiB, geth's default pool limit.</summary>
    public const int MaxEncodedLength = 128 * 1024;

    private static readonly RlpLimits Limits = new() { MaxInputLength = MaxEncodedLength, MaxDepth = 4 };

    private byte[]? _encoded;

    public SignedTransaction(Transaction transaction, Signature signature)
    {
        Transaction = transaction ?? throw new ArgumentNullException(nameof(transaction));
        Signature = signature;
    }

    public Transaction Transaction { get; }

    public Signature Signature { get; }

    /// <summary>The transaction hash: Keccak-256 of <see cref="Encode"/>.</summary>
    public Hash32 Hash => Keccak256.Hash(Encode());

    /// <summary>The v value as legacy encoding writes it: 27/28, or 35 + 2·chainId + parity under EIP-155.</summary>
    public BigInteger LegacyV => Transaction is LegacyTransaction { ChainId: { } id }
        ? (new BigInteger(id) * 2) + 35 + Signature.RecoveryId
        : 27 + Signature.RecoveryId;

    /// <summary>
    /// The raw bytes: RLP([fields..., v, r, s]) for legacy; <c>0x02 ‖ RLP([fields..., yParity, r, s])</c> for EIP-1559.
    /// </summary>
    public byte[] Encode()
    {
        if (_encoded is null)
        {
            var fields = Transaction.UnsignedFields().ToList();
            var v = Transaction is LegacyTransaction ? LegacyV : Signature.RecoveryId;
            fields.AddRange([RlpItem.Integer(v), RlpItem.Integer(Signature.R), RlpItem.Integer(Signature.S)]);
            var rlp = RlpItem.List(fields).Encode();
            _encoded = Transaction.Type == 0 ? rlp : [Transaction.Type, .. rlp];
        }
        return (byte[])_encoded.Clone();
    }

    /// <summary>The address that signed the transaction.</summary>
    public Address RecoverSender() => Signature.RecoverAddress(Transaction.SigningHash());

    /// <summary>
    /// Reads a raw signed legacy or EIP-1559 transaction. Integers must be canonical, the signature must have low s
    /// (EIP-2) and must recover; other types are refused.
    /// </summary>
    /// <exception cref="EthereumDecodeException">with format <c>tx</c> (or <c>rlp</c> for a broken envelope).</exception>
    public static SignedTransaction Decode(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
        {
            throw Fail(DecodeError.Truncated, "the transaction is empty.");
        }
        if (raw.Length > MaxEncodedLength)
        {
            throw Fail(DecodeError.Oversized, $"the transaction is {raw.Length} bytes, above the {MaxEncodedLength}-byte limit.");
        }
        // EIP-2718: a first byte of 0xc0 or more starts a legacy RLP list; below 0x80 it is a type byte.
        SignedTransaction result;
        try
        {
            if (raw[0] >= 0xc0)
            {
                result = DecodeLegacy(RlpDecoder.Decode(raw, Limits).AsList(9));
            }
            else if (raw[0] == 0x02)
            {
                result = Decode1559(RlpDecoder.Decode(raw[1..], Limits).AsList(12));
            }
            else
            {
                throw Fail(DecodeError.Malformed, $"transaction type 0x{raw[0]:x2} is not supported (only legacy and EIP-1559).");
            }
        }
        catch (EthereumDecodeException e) when (e.Format == "rlp")
        {
            throw Fail(e.Error, "the transaction's RLP is invalid: " + e.Message, e);
        }
        catch (LinqP2P.Core.InvalidInputException e)
        {
            throw Fail(DecodeError.Malformed, "the transaction's signature is invalid: " + e.Message, e);
        }
        result._encoded = raw.ToArray();
        return result;
    }

    private static SignedTransaction DecodeLegacy(IReadOnlyList<RlpItem> f)
    {
        var v = f[6].AsInteger();
        ulong? chainId;
        byte parity;
        if (v == 27 || v == 28)
        {
            chainId = null;
            parity = (byte)(v - 27);
        }
        else if (v >= 35)
        {
            var id = (v - 35) / 2;
            if (id > ulong.MaxValue)
            {
                throw Fail(DecodeError.Oversized, "the EIP-155 chain id exceeds 64 bits.");
            }
            chainId = (ulong)id;
            parity = (byte)((v - 35) % 2);
        }
        else
        {
            throw Fail(DecodeError.Malformed, $"v = {v} is neither 27/28 nor an EIP-155 value.");
        }
        var tx = new LegacyTransaction
        {
            Nonce = f[0].AsUInt64(),
            GasPrice = f[1].AsInteger(),
            GasLimit = f[2].AsUInt64(),
            To = ReadTo(f[3]),
            Value = f[4].AsInteger(),
            Data = ReadData(f[5]),
            ChainId = chainId,
        };
        return new SignedTransaction(tx, ReadSignature(f[7], f[8], parity));
    }

    private static SignedTransaction Decode1559(IReadOnlyList<RlpItem> f)
    {
        var parity = f[9].AsInteger(1);
        if (parity > 1)
        {
            throw Fail(DecodeError.Malformed, $"yParity = {parity} is not 0 or 1.");
        }
        var accessList = f[8].AsList().Select(entry =>
        {
            var pair = entry.AsList(2);
            return new AccessListEntry(pair[0].AsAddress(), [.. pair[1].AsList().Select(k => k.AsHash())]);
        }).ToList();
        var tx = new Eip1559Transaction
        {
            ChainId = f[0].AsUInt64(),
            Nonce = f[1].AsUInt64(),
            MaxPriorityFeePerGas = f[2].AsInteger(),
            MaxFeePerGas = f[3].AsInteger(),
            GasLimit = f[4].AsUInt64(),
            To = ReadTo(f[5]),
            Value = f[6].AsInteger(),
            Data = ReadData(f[7]),
            AccessList = accessList,
        };
        return new SignedTransaction(tx, ReadSignature(f[10], f[11], (byte)parity));
    }

    private static Address? ReadTo(RlpItem item) => !item.IsList && item.Bytes.IsEmpty ? null : item.AsAddress();

    private static byte[] ReadData(RlpItem item) =>
        item.IsList ? throw Fail(DecodeError.Malformed, "the data field is a list.") : item.Bytes.ToArray();

    private static Signature ReadSignature(RlpItem r, RlpItem s, byte parity)
    {
        var signature = new Signature(r.AsInteger(), s.AsInteger(), parity);
        if (!signature.IsLowS)
        {
            throw Fail(DecodeError.NonCanonical, "the signature's s is in the upper half of the curve order (EIP-2 forbids it).");
        }
        return signature;
    }

    private static EthereumDecodeException Fail(DecodeError error, string message, Exception? inner = null) => new("tx", error, message, inner);
}
