using LinqP2P.Multiformats;

namespace LinqP2P.Libp2p.Identity;

/// <summary>
/// A peer's identity: the multihash of its canonical PublicKey protobuf, an identity multihash when the
/// protobuf is 42 bytes or less (Ed25519, secp256k1), sha2-256 otherwise (specs/peer-ids/peer-ids.md).
/// Written as bare base58btc ("12D3KooW...", "Qm...") or as a CIDv1 with the libp2p-key codec ("bafz...").
/// </summary>
public sealed class PeerId : IEquatable<PeerId>, IComparable<PeerId>
{
    /// <summary>Protobufs up to this size are inlined in an identity multihash instead of hashed.</summary>
    public const int MaxInlineKeyLength = 42;

    /// <summary>Longest text form accepted by <see cref="Parse"/>.</summary>
    public const int MaxTextLength = 256;

    private readonly byte[] _bytes;
    private string? _text;

    private PeerId(Multihash multihash, PublicKey? inlineKey)
    {
        Multihash = multihash;
        InlinePublicKey = inlineKey;
        _bytes = multihash.ToBytes();
    }

    public Multihash Multihash { get; }

    /// <summary>The public key when it is inlined in the id (identity multihash), otherwise null.</summary>
    public PublicKey? InlinePublicKey { get; }

    public static PeerId FromPublicKey(PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var protobuf = key.ProtobufSpan;
        return protobuf.Length <= MaxInlineKeyLength
            ? new PeerId(Multihash.Identity(protobuf), key)
            : new PeerId(Multihash.Sha256(protobuf), null);
    }

    /// <summary>Decodes the binary form (a multihash), as carried in multiaddrs and protocol messages.</summary>
    public static PeerId FromBytes(ReadOnlySpan<byte> bytes)
    {
        Multihash mh;
        try
        {
            mh = Multihash.Decode(bytes);
        }
        catch (MultiformatException e)
        {
            throw new Libp2pFormatException("peer_id", "a peer id is not a valid multihash: " + e.Message, e);
        }
        return FromMultihash(mh);
    }

    public static PeerId FromMultihash(Multihash multihash)
    {
        ArgumentNullException.ThrowIfNull(multihash);
        switch (multihash.Code)
        {
            case Multicodec.Sha2_256:
                return new PeerId(multihash, null);
            case Multicodec.Identity:
                if (multihash.Digest.Length > MaxInlineKeyLength)
                {
                    throw new Libp2pFormatException("peer_id", $"an inlined key of {multihash.Digest.Length} bytes exceeds {MaxInlineKeyLength}");
                }
                // An identity peer id is only meaningful if it holds a key; decoding it now means a bad one is refused here.
                return new PeerId(multihash, PublicKey.FromProtobuf(multihash.Digest));
            default:
                throw new Libp2pFormatException("peer_id", $"a peer id uses identity or sha2-256, not {Multicodec.NameOf(multihash.Code)}");
        }
    }

    /// <summary>Parses base58btc ("12D3KooW...", "Qm...") or a CIDv1 libp2p-key in any multibase ("bafz...").</summary>
    public static PeerId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length is 0 or > MaxTextLength)
        {
            throw new Libp2pFormatException("peer_id", $"a peer id is 1 to {MaxTextLength} characters long");
        }
        try
        {
            if (text[0] is '1' or 'Q')
            {
                return FromBytes(Base58Btc.Decode(text));
            }
            var cid = Cid.Parse(text);
            if (cid.Codec != Multicodec.Libp2pKey)
            {
                throw new Libp2pFormatException("peer_id", $"a CID peer id must use the libp2p-key codec, not {Multicodec.NameOf(cid.Codec)}");
            }
            return FromMultihash(cid.Hash);
        }
        catch (MultiformatException e)
        {
            throw new Libp2pFormatException("peer_id", $"'{Truncate(text)}' is not a peer id: {e.Message}", e);
        }
    }

    public static bool TryParse(string? text, out PeerId? peerId)
    {
        peerId = null;
        if (text is null)
        {
            return false;
        }
        try
        {
            peerId = Parse(text);
            return true;
        }
        catch (Libp2pFormatException)
        {
            return false;
        }
    }

    /// <summary>True when this id was derived from <paramref name="key"/>.</summary>
    public bool Matches(PublicKey key) => Equals(FromPublicKey(key));

    public byte[] ToBytes() => (byte[])_bytes.Clone();

    internal ReadOnlySpan<byte> BytesSpan => _bytes;

    /// <summary>The base58btc form, the one libp2p prints and puts in /p2p/ multiaddrs.</summary>
    public override string ToString() => _text ??= Base58Btc.Encode(_bytes);

    public Cid ToCid() => Cid.V1(Multicodec.Libp2pKey, Multihash);

    /// <summary>The CIDv1 form in base32 ("bafz..."), as recommended by the peer id spec.</summary>
    public string ToCidString() => ToCid().ToString();

    public bool Equals(PeerId? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as PeerId);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(_bytes);
        return h.ToHashCode();
    }

    public int CompareTo(PeerId? other) => other is null ? 1 : _bytes.AsSpan().SequenceCompareTo(other._bytes);

    public static bool operator ==(PeerId? a, PeerId? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(PeerId? a, PeerId? b) => !(a == b);

    public static bool operator <(PeerId a, PeerId b) => a.CompareTo(b) < 0;

    public static bool operator >(PeerId a, PeerId b) => a.CompareTo(b) > 0;

    public static bool operator <=(PeerId a, PeerId b) => a.CompareTo(b) <= 0;

    public static bool operator >=(PeerId a, PeerId b) => a.CompareTo(b) >= 0;

    private static string Truncate(string s) => s.Length > 64 ? s[..64] + "..." : s;
}
