using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Kad.Routing;

/// <summary>
/// A point in the 256-bit Kademlia keyspace: sha256 of a peer id's bytes or of a content key (SPEC.md §5,
/// "Kademlia DHT"). The distance between two points is their XOR, compared as a big-endian number.
/// </summary>
public readonly struct KadKey : IEquatable<KadKey>
{
    public const int Length = 32;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    private KadKey(ulong a, ulong b, ulong c, ulong d)
    {
        _a = a;
        _b = b;
        _c = c;
        _d = d;
    }

    /// <summary>The key of arbitrary bytes: sha256(bytes).</summary>
    public static KadKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[Length];
        SHA256.HashData(bytes, hash);
        return FromHash(hash);
    }

    public static KadKey FromPeer(PeerId peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return FromBytes(peer.ToBytes());
    }

    /// <summary>Wraps 32 bytes that are already a point in the keyspace (no hashing).</summary>
    public static KadKey FromHash(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != Length)
        {
            throw new ArgumentException("a Kademlia key is 32 bytes", nameof(hash));
        }
        return new KadKey(
            BinaryPrimitives.ReadUInt64BigEndian(hash),
            BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(hash[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(hash[24..]));
    }

    public KadKey Xor(KadKey other) => new(_a ^ other._a, _b ^ other._b, _c ^ other._c, _d ^ other._d);

    /// <summary>Number of leading bits this key shares with <paramref name="other"/> (256 for equal keys).</summary>
    public int CommonPrefixLength(KadKey other) => Xor(other).LeadingZeros();

    /// <summary>Orders keys by their distance to this one: negative when <paramref name="x"/> is closer than <paramref name="y"/>.</summary>
    public int CompareDistance(KadKey x, KadKey y) => Xor(x).CompareTo(Xor(y));

    /// <summary>A random key whose common prefix with this one is exactly <paramref name="cpl"/> bits (for bucket refresh).</summary>
    public KadKey RandomWithPrefixLength(int cpl)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cpl);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cpl, 255);
        Span<byte> mine = stackalloc byte[Length];
        WriteTo(mine);
        Span<byte> random = stackalloc byte[Length];
        RandomNumberGenerator.Fill(random);
        for (var bit = 0; bit <= cpl; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            var same = (mine[bit / 8] & mask) != 0;
            // The first cpl bits are ours; bit number cpl is flipped.
            if (same ^ (bit == cpl))
            {
                random[bit / 8] |= mask;
            }
            else
            {
                random[bit / 8] &= (byte)~mask;
            }
        }
        return FromHash(random);
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    private int LeadingZeros() =>
        _a != 0 ? BitOperations.LeadingZeroCount(_a)
        : _b != 0 ? 64 + BitOperations.LeadingZeroCount(_b)
        : _c != 0 ? 128 + BitOperations.LeadingZeroCount(_c)
        : _d != 0 ? 192 + BitOperations.LeadingZeroCount(_d)
        : 256;

    private int CompareTo(KadKey other) =>
        _a != other._a ? _a.CompareTo(other._a)
        : _b != other._b ? _b.CompareTo(other._b)
        : _c != other._c ? _c.CompareTo(other._c)
        : _d.CompareTo(other._d);

    public bool Equals(KadKey other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is KadKey k && Equals(k);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    public override string ToString() => Convert.ToHexStringLower(ToArray());

    public static bool operator ==(KadKey left, KadKey right) => left.Equals(right);

    public static bool operator !=(KadKey left, KadKey right) => !left.Equals(right);
}
