using System.Security.Cryptography;

namespace LinqP2P.Multiformats;

/// <summary>
/// A self-describing hash (https://github.com/multiformats/multihash): varint function code,
/// varint digest length, digest.
/// </summary>
public sealed class Multihash : IEquatable<Multihash>
{
    /// <summary>Largest digest accepted when decoding; identity multihashes hold small keys, never blobs.</summary>
    public const int MaxDigestLength = 128;

    private readonly byte[] _digest;

    public Multihash(ulong code, ReadOnlySpan<byte> digest)
    {
        if (digest.Length > MaxDigestLength)
        {
            throw new MultiformatException("multihash.too_long", $"a digest of {digest.Length} bytes exceeds {MaxDigestLength}");
        }
        if (code == Multicodec.Sha2_256 && digest.Length != 32)
        {
            throw new MultiformatException("multihash.bad_length", $"a sha2-256 digest has 32 bytes, not {digest.Length}");
        }
        Code = code;
        _digest = digest.ToArray();
    }

    public ulong Code { get; }

    public ReadOnlySpan<byte> Digest => _digest;

    public static Multihash Sha256(ReadOnlySpan<byte> data) => new(Multicodec.Sha2_256, SHA256.HashData(data));

    public static Multihash Identity(ReadOnlySpan<byte> data) => new(Multicodec.Identity, data);

    /// <summary>True when <paramref name="data"/> hashes to this multihash.</summary>
    public bool Matches(ReadOnlySpan<byte> data) => Code switch
    {
        Multicodec.Sha2_256 => SHA256.HashData(data).AsSpan().SequenceEqual(_digest),
        Multicodec.Identity => data.SequenceEqual(_digest),
        _ => throw new MultiformatException("multihash.unsupported", $"hash function {Multicodec.NameOf(Code)} is not supported"),
    };

    public int EncodedLength => Varint.SizeOf(Code) + Varint.SizeOf((ulong)_digest.Length) + _digest.Length;

    public int WriteTo(Span<byte> destination)
    {
        var n = Varint.Write(Code, destination);
        n += Varint.Write((ulong)_digest.Length, destination[n..]);
        _digest.CopyTo(destination[n..]);
        return n + _digest.Length;
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[EncodedLength];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Reads one multihash from the start of <paramref name="source"/>.</summary>
    public static Multihash Read(ReadOnlySpan<byte> source, out int consumed)
    {
        var code = Varint.Read(source, out var n1);
        var length = Varint.ReadLength(source[n1..], MaxDigestLength, out var n2);
        var start = n1 + n2;
        if (source.Length - start < length)
        {
            throw new MultiformatException("multihash.truncated", $"a multihash announces {length} digest bytes but only {source.Length - start} follow");
        }
        consumed = start + length;
        return new Multihash(code, source.Slice(start, length));
    }

    /// <summary>Decodes bytes that must be exactly one multihash.</summary>
    public static Multihash Decode(ReadOnlySpan<byte> source)
    {
        var mh = Read(source, out var consumed);
        if (consumed != source.Length)
        {
            throw new MultiformatException("multihash.trailing", "bytes follow the multihash");
        }
        return mh;
    }

    public bool Equals(Multihash? other) => other is not null && Code == other.Code && _digest.AsSpan().SequenceEqual(other._digest);

    public override bool Equals(object? obj) => Equals(obj as Multihash);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Code);
        h.AddBytes(_digest);
        return h.ToHashCode();
    }

    public override string ToString() => $"{Multicodec.NameOf(Code)}:{Convert.ToHexStringLower(_digest)}";
}
