using System.Numerics;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Eip712;
using LinqP2P.Market.Messages;

namespace LinqP2P.Market.Protocol;

/// <summary>
/// EIP-712 signatures of market envelopes (SPEC.md §7.2): domain <c>{name: "LinqP2P market", version: "1",
/// chainId, verifyingContract: JobEscrow}</c>, primary type
/// <c>MarketMessage(uint8 version,uint8 kind,bytes32 bodyHash,address sender,uint64 nonce,uint64 issuedAt,uint64 expiresAt)</c>
/// with <c>bodyHash = keccak256(body)</c>. A wallet can show exactly what it signs, and a signature for one
/// chain or escrow deployment is worthless on another.
/// </summary>
public sealed class MarketSigning
{
    public const string DomainName = "LinqP2P market";
    public const string DomainVersion = "1";

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> Types =
        new Dictionary<string, IReadOnlyList<TypedDataField>>
        {
            ["MarketMessage"] =
            [
                new("version", "uint8"), new("kind", "uint8"), new("bodyHash", "bytes32"), new("sender", "address"),
                new("nonce", "uint64"), new("issuedAt", "uint64"), new("expiresAt", "uint64"),
            ],
        };

    private readonly Eip712Domain _domain;

    public MarketSigning(ulong chainId, Address escrow)
    {
        ChainId = chainId;
        _domain = new Eip712Domain { Name = DomainName, Version = DomainVersion, ChainId = chainId, VerifyingContract = escrow };
    }

    public ulong ChainId { get; }

    /// <summary>The EIP-712 digest a sender signs for this header and body.</summary>
    public Hash32 Digest(MessageHeader header, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(header);
        var typed = new TypedData(_domain, Types, "MarketMessage", new Dictionary<string, object?>
        {
            ["version"] = (long)header.Version,
            ["kind"] = (long)header.Kind,
            ["bodyHash"] = Keccak256.Hash(body).ToArray(),
            ["sender"] = Address.FromBytes(header.Sender),
            ["nonce"] = new BigInteger(header.Nonce),
            ["issuedAt"] = new BigInteger(Math.Max(0, header.IssuedAt)),
            ["expiresAt"] = new BigInteger(Math.Max(0, header.ExpiresAt)),
        });
        return typed.SigningHash();
    }

    /// <summary>Builds and signs an envelope from <paramref name="key"/>'s wallet.</summary>
    public MarketEnvelope Seal<T>(PrivateKey key, MarketMessageKind kind, T body, ulong nonce, DateTimeOffset issuedAt, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = MarketCodec.EncodeBody(body);
        var header = new MessageHeader(MarketCodec.Version, kind, ChainId, key.Address.ToArray(), nonce,
            issuedAt.ToUnixTimeSeconds(), (issuedAt + lifetime).ToUnixTimeSeconds());
        var signature = key.Sign(Digest(header, bytes));
        return new MarketEnvelope(header, bytes, signature.ToBytes());
    }

    /// <summary>True when the envelope's signature recovers to the sender its header names.</summary>
    public bool Verify(MarketEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        try
        {
            var signature = Signature.FromBytes(envelope.Signature);
            if (!signature.IsLowS)
            {
                return false; // a high-s twin would be a second valid encoding of the same message
            }
            var signer = signature.RecoverAddress(Digest(envelope.Header, envelope.Body));
            return signer.Span.SequenceEqual(envelope.Header.Sender);
        }
        catch (Exception e) when (e is LinqP2P.Core.LinqException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>keccak256 of an encoded envelope: what bids and awards cite as the offer or bid digest.</summary>
    public static byte[] DigestOf(MarketEnvelope envelope) => Keccak256.Hash(MarketCodec.EncodeEnvelope(envelope)).ToArray();
}

/// <summary>Helpers for the uint256 amounts the messages carry as big-endian bytes.</summary>
public static class Amounts
{
    public static byte[] ToBytes(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "amounts are unsigned");
        }
        return value.IsZero ? [0] : value.ToByteArray(isUnsigned: true, isBigEndian: true);
    }

    public static BigInteger FromBytes(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);
}

/// <summary>The on-chain digest of a result: <c>keccak256(CID bytes)</c> of the shard's output directory (SPEC.md §7.3).</summary>
public static class ResultHash
{
    public static Hash32 Of(LinqP2P.Multiformats.Cid cid)
    {
        ArgumentNullException.ThrowIfNull(cid);
        return Keccak256.Hash(cid.ToV1().ToBytes());
    }
}
