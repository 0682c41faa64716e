namespace LinqP2P.Multiformats;

/// <summary>
/// A content identifier (https://github.com/multiformats/cid). Version 0 is a bare sha2-256 multihash of a
/// dag-pb node written in base58btc ("Qm..."); version 1 is varint(1) varint(codec) multihash, written in
/// base32 ("b...") by default.
/// </summary>
public sealed class Cid : IEquatable<Cid>
{
    /// <summary>Longest text form accepted by <see cref="Parse"/>.</summary>
    public const int MaxTextLength = 512;

    private Cid(int version, ulong codec, Multihash hash)
    {
        Version = version;
        Codec = codec;
        Hash = hash;
    }

    public int Version { get; }

    public ulong Codec { get; }

    public Multihash Hash { get; }

    public static Cid V0(Multihash hash)
    {
        if (hash.Code != Multicodec.Sha2_256)
        {
            throw new MultiformatException("cid.v0_hash", "a CIDv0 must carry a sha2-256 multihash");
        }
        return new Cid(0, Multicodec.DagPb, hash);
    }

    public static Cid V1(ulong codec, Multihash hash) => new(1, codec, hash);

    /// <summary>The binary form: the bare multihash for v0; version, codec and multihash for v1.</summary>
    public byte[] ToBytes()
    {
        if (Version == 0)
        {
            return Hash.ToBytes();
        }
        var bytes = new byte[Varint.SizeOf(1) + Varint.SizeOf(Codec) + Hash.EncodedLength];
        var n = Varint.Write(1, bytes);
        n += Varint.Write(Codec, bytes.AsSpan(n));
        Hash.WriteTo(bytes.AsSpan(n));
        return bytes;
    }

    public Cid ToV1() => Version == 1 ? this : V1(Codec, Hash);

    public override string ToString() => ToString(Version == 0 ? Multibase.Encoding.Base58Btc : Multibase.Encoding.Base32);

    public string ToString(Multibase.Encoding encoding)
    {
        if (Version == 0)
        {
            if (encoding != Multibase.Encoding.Base58Btc)
            {
                throw new MultiformatException("cid.v0_base", "a CIDv0 is written only in base58btc; convert it with ToV1() first");
            }
            return Base58Btc.Encode(Hash.ToBytes());
        }
        return Multibase.Encode(encoding, ToBytes());
    }

    /// <summary>Reads one CID from the start of <paramref name="source"/>, as it appears inside dag-pb links and CAR sections.</summary>
    public static Cid Read(ReadOnlySpan<byte> source, out int consumed)
    {
        if (source.Length >= 2 && source[0] == 0x12 && source[1] == 0x20)
        {
            var hash = Multihash.Read(source, out consumed);
            return V0(hash);
        }
        var version = Varint.Read(source, out var n1);
        if (version != 1)
        {
            throw new MultiformatException("cid.version", $"CID version {version} is not supported (only 0 and 1 exist)");
        }
        var codec = Varint.Read(source[n1..], out var n2);
        var mh = Multihash.Read(source[(n1 + n2)..], out var n3);
        consumed = n1 + n2 + n3;
        return V1(codec, mh);
    }

    /// <summary>Decodes bytes that must be exactly one CID.</summary>
    public static Cid Decode(ReadOnlySpan<byte> source)
    {
        var cid = Read(source, out var consumed);
        if (consumed != source.Length)
        {
            throw new MultiformatException("cid.trailing", "bytes follow the CID");
        }
        return cid;
    }

    /// <summary>Parses the text form: "Qm..." (v0) or any supported multibase (v1).</summary>
    public static Cid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxTextLength)
        {
            throw new MultiformatException("cid.too_long", $"a CID string is longer than {MaxTextLength} characters");
        }
        if (text.Length == 46 && text.StartsWith("Qm", StringComparison.Ordinal))
        {
            return Decode(Base58Btc.Decode(text));
        }
        var bytes = Multibase.Decode(text, out _);
        var cid = Decode(bytes);
        if (cid.Version == 0)
        {
            throw new MultiformatException("cid.v0_multibase", "a CIDv0 may not carry a multibase prefix");
        }
        return cid;
    }

    public static bool TryParse(string? text, out Cid? cid)
    {
        cid = null;
        if (text is null)
        {
            return false;
        }
        try
        {
            cid = Parse(text);
            return true;
        }
        catch (MultiformatException)
        {
            return false;
        }
    }

    public bool Equals(Cid? other) => other is not null && Version == other.Version && Codec == other.Codec && Hash.Equals(other.Hash);

    public override bool Equals(object? obj) => Equals(obj as Cid);

    public override int GetHashCode() => HashCode.Combine(Version, Codec, Hash);
}
