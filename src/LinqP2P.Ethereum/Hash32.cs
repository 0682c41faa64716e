using System.Diagnostics.CodeAnalysis;
using LinqP2P.Core;

namespace LinqP2P.Ethereum;

/// <summary>
/// A 32-byte value: a Keccak-256 digest, a transaction or block hash, an event topic, a storage slot.
/// Immutable; <c>default(Hash32)</c> is the all-zero hash.
/// </summary>
public readonly struct Hash32 : IEquatable<Hash32>
{
    public const int Length = 32;

    private static readonly byte[] ZeroBytes = new byte[Length];
    private readonly byte[]? _bytes;

    private Hash32(byte[] bytes) => _bytes = bytes;

    /// <summary>The all-zero hash.</summary>
    public static Hash32 Zero => default;

    /// <summary>The 32 bytes, big-endian as written.</summary>
    public ReadOnlySpan<byte> Span => _bytes ?? ZeroBytes;

    /// <summary>Copies exactly 32 bytes.</summary>
    /// <exception cref="InvalidInputException">with code <c>eth.hash.length</c> for any other length.</exception>
    public static Hash32 FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new InvalidInputException("eth.hash.length", $"a 32-byte hash was expected, got {bytes.Length} bytes.");
        }
        return new Hash32(bytes.ToArray());
    }

    /// <summary>Takes ownership of an array the caller will never change again (used by our own hashers).</summary>
    internal static Hash32 FromOwned(byte[] bytes) => new(bytes);

    /// <summary>Reads 0x-prefixed (or bare) hex of exactly 64 digits.</summary>
    public static Hash32 Parse(string hex)
    {
        var bytes = Hex.Decode(hex);
        return FromBytes(bytes);
    }

    public static bool TryParse([NotNullWhen(true)] string? hex, out Hash32 hash)
    {
        hash = default;
        if (!Hex.TryDecode(hex, out var bytes) || bytes.Length != Length)
        {
            return false;
        }
        hash = new Hash32(bytes);
        return true;
    }

    public byte[] ToArray() => Span.ToArray();

    /// <summary>0x-prefixed lower-case hex.</summary>
    public override string ToString() => Hex.Encode(Span);

    public bool Equals(Hash32 other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is Hash32 other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(Span[..4]);

    public static bool operator ==(Hash32 left, Hash32 right) => left.Equals(right);

    public static bool operator !=(Hash32 left, Hash32 right) => !left.Equals(right);
}
