using System.Numerics;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Eip712;
using LinqP2P.Ethereum.Rpc;

namespace LinqP2P.Contracts;

/// <summary>An EIP-2612 permit signature, split the way <c>permit</c>/<c>lockWithPermit</c> take it.</summary>
public sealed record PermitSignature(byte V, Hash32 R, Hash32 S, BigInteger Deadline);

public sealed partial class LnqToken
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> PermitTypes =
        new Dictionary<string, IReadOnlyList<TypedDataField>>
        {
            ["Permit"] =
            [
                new("owner", "address"), new("spender", "address"), new("value", "uint256"),
                new("nonce", "uint256"), new("deadline", "uint256"),
            ],
        };

    /// <summary>
    /// Signs an EIP-2612 permit letting <paramref name="spender"/> move <paramref name="value"/> of
    /// <paramref name="owner"/>'s LNQ, so an approval costs no transaction. The domain is read from the
    /// token itself (ERC-5267 <c>eip712Domain()</c>) and the nonce from <c>nonces(owner)</c>.
    /// </summary>
    public async Task<PermitSignature> SignPermitAsync(PrivateKey owner, Address spender, BigInteger value, BigInteger deadline,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var domain = await Eip712DomainAsync(BlockTag.Latest, cancellationToken).ConfigureAwait(false);
        var nonce = await NoncesAsync(owner.Address, BlockTag.Pending, cancellationToken).ConfigureAwait(false);
        var typed = new TypedData(
            new Eip712Domain { Name = domain.Name, Version = domain.Version, ChainId = domain.ChainId, VerifyingContract = domain.VerifyingContract },
            PermitTypes,
            "Permit",
            new Dictionary<string, object?>
            {
                ["owner"] = owner.Address,
                ["spender"] = spender,
                ["value"] = value,
                ["nonce"] = nonce,
                ["deadline"] = deadline,
            });
        var signature = typed.Sign(owner);
        return new PermitSignature(signature.V, Word(signature.R), Word(signature.S), deadline);
    }

    private static Hash32 Word(BigInteger value)
    {
        var bytes = new byte[32];
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        raw.CopyTo(bytes, 32 - raw.Length);
        return Hash32.FromBytes(bytes);
    }
}
