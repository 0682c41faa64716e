using System.Numerics;
using LinqP2P.Ethereum.Rlp;

namespace LinqP2P.Ethereum.Transactions;

/// <summary>One entry of an EIP-2930 access list: an account and the storage slots a transaction declares it touches.</summary>
public sealed record AccessListEntry(Address Address, IReadOnlyList<Hash32> StorageKeys);

/// <summary>
/// An unsigned transaction (SPEC.md §3.4). Build one of the two kinds, <see cref="LegacyTransaction"/> (with EIP-155
/// replay protection when it has a chain id) or <see cref="Eip1559Transaction"/> (type 2), then <see cref="Sign"/> it.
/// </summary>
public abstract record Transaction
{
    private protected Transaction() { }

    /// <summary>The EIP-2718 type byte: 0 for legacy, 2 for EIP-1559.</summary>
    public abstract byte Type { get; }

    public ulong Nonce { get; init; }

    public ulong GasLimit { get; init; }

    /// <summary>The recipient, or null to create a contract from <see cref="Data"/>.</summary>
    public Address? To { get; init; }

    /// <summary>Wei sent with the transaction.</summary>
    public BigInteger Value { get; init; }

    /// <summary>Call data, or the init code when <see cref="To"/> is null.</summary>
    public byte[] Data { get; init; } = [];

    /// <summary>The digest the sender signs.</summary>
    public abstract Hash32 SigningHash();

    /// <summary>Signs with <paramref name="key"/> (RFC 6979, low s).</summary>
    public SignedTransaction Sign(PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new SignedTransaction(this, key.Sign(SigningHash()));
    }

    /// <summary>The fields every type shares, in the order they take in the RLP list after the fee fields.</summary>
    private protected IEnumerable<RlpItem> ToValueData() =>
        [RlpItem.Integer(GasLimit), To is { } to ? RlpItem.Address(to) : RlpItem.Empty, RlpItem.Integer(Value), RlpItem.String(Data)];

    internal abstract IReadOnlyList<RlpItem> UnsignedFields();

    internal static void CheckUInt256(BigInteger value, string name)
    {
        if (value.Sign < 0 || value.GetByteCount(isUnsigned: true) > 32)
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be a uint256.");
        }
    }
}

/// <summary>A type-0 transaction with a single gas price; signed with EIP-155 replay protection when <see cref="ChainId"/> is set.</summary>
public sealed record LegacyTransaction : Transaction
{
    public override byte Type => 0;

    public BigInteger GasPrice { get; init; }

    /// <summary>Set for EIP-155 signing (v = 35 + 2·chainId + parity); null for the original scheme (v = 27 + parity).</summary>
    public ulong? ChainId { get; init; }

    public override Hash32 SigningHash()
    {
        CheckUInt256(GasPrice, nameof(GasPrice));
        CheckUInt256(Value, nameof(Value));
        var fields = UnsignedFields().ToList();
        if (ChainId is { } chainId)
        {
            // EIP-155: append (chainId, 0, 0) so the signature only holds on this chain.
            fields.AddRange([RlpItem.Integer(chainId), RlpItem.Empty, RlpItem.Empty]);
        }
        return Keccak256.Hash(RlpItem.List(fields).Encode());
    }

    internal override IReadOnlyList<RlpItem> UnsignedFields() =>
        [RlpItem.Integer(Nonce), RlpItem.Integer(GasPrice), .. ToValueData()];
}

/// <summary>An EIP-1559 (type 2) transaction: a priority fee and a fee cap instead of a gas price.</summary>
public sealed record Eip1559Transaction : Transaction
{
    public override byte Type => 2;

    public ulong ChainId { get; init; }

    public BigInteger MaxPriorityFeePerGas { get; init; }

    public BigInteger MaxFeePerGas { get; init; }

    public IReadOnlyList<AccessListEntry> AccessList { get; init; } = [];

    public override Hash32 SigningHash()
    {
        CheckUInt256(MaxPriorityFeePerGas, nameof(MaxPriorityFeePerGas));
        CheckUInt256(MaxFeePerGas, nameof(MaxFeePerGas));
        CheckUInt256(Value, nameof(Value));
        return Keccak256.Hash([Type, .. RlpItem.List(UnsignedFields()).Encode()]);
    }

    internal override IReadOnlyList<RlpItem> UnsignedFields() =>
    [
        RlpItem.Integer(ChainId), RlpItem.Integer(Nonce), RlpItem.Integer(MaxPriorityFeePerGas), RlpItem.Integer(MaxFeePerGas),
        .. ToValueData(),
        RlpItem.List(AccessList.Select(e => RlpItem.List(RlpItem.Address(e.Address), RlpItem.List(e.StorageKeys.Select(RlpItem.Hash))))),
    ];
}
