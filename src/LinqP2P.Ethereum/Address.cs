using System.Diagnostics.CodeAnalysis;
using System.Text;
using LinqP2P.Core;

namespace LinqP2P.Ethereum;

/// <summary>
/// A 20-byte account address. <see cref="ToString"/> writes the EIP-55 mixed-case checksum form;
/// <see cref="Parse"/> accepts all-lower or all-upper hex and rejects mixed case whose checksum is wrong,
/// because a mistyped mixed-case address is exactly what EIP-55 exists to catch.
/// </summary>
public readonly struct Address : IEquatable<Address>, IComparable<Address>
{
    public const int Length = 20;

    private static readonly byte[] ZeroBytes = new byte[Length];
    private readonly byte[]? _bytes;

    private Address(byte[] bytes) => _bytes = bytes;

    /// <summary>0x0000000000000000000000000000000000000000.</summary>
    public static Address Zero => default;

    public ReadOnlySpan<byte> Span => _bytes ?? ZeroBytes;

    /// <summary>Copies exactly 20 bytes.</summary>
    /// <exception cref="InvalidInputException">with code <c>eth.address.length</c>.</exception>
    public static Address FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new InvalidInputException("eth.address.length", $"an address is 20 bytes, got {bytes.Length}.");
        }
        return new Address(bytes.ToArray());
    }

    /// <summary>The address of an uncompressed 64-byte public key (x ‖ y): the last 20 bytes of its Keccak-256.</summary>
    public static Address FromPublicKey(ReadOnlySpan<byte> uncompressed64)
    {
        if (uncompressed64.Length != 64)
        {
            throw new ArgumentException("expected the 64-byte x ‖ y public key", nameof(uncompressed64));
        }
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(uncompressed64, hash);
        return new Address(hash[12..].ToArray());
    }

    /// <summary>Reads a 0x-prefixed (or bare) 40-digit address, enforcing EIP-55 when the letters are mixed-case.</summary>
    /// <exception cref="InvalidInputException">
    /// <c>eth.address.invalid</c> when it is not 40 hex digits; <c>eth.address.checksum</c> when a mixed-case checksum is wrong.
    /// </exception>
    public static Address Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var error = TryParseCore(text, out var address);
        return error switch
        {
            null => address,
            "eth.address.checksum" => throw new InvalidInputException(error, $"'{Hex.Shorten(text)}' has a wrong EIP-55 checksum: check the address for a typo; its checksummed form would be {address.ToChecksumString(address.Span)}."),
            _ => throw new InvalidInputException(error, $"'{Hex.Shorten(text)}' is not an address: expected 0x and 40 hex digits."),
        };
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out Address address)
    {
        address = default;
        return text is not null && TryParseCore(text, out address) is null;
    }

    /// <summary>True when <paramref name="text"/> is an address written in its exact EIP-55 form.</summary>
    public static bool IsChecksummed(string text) =>
        TryParse(text, out var a) && string.Equals(a.ToString(), text.StartsWith("0x", StringComparison.Ordinal) ? text : "0x" + text, StringComparison.Ordinal);

    private static string? TryParseCore(string text, out Address address)
    {
        address = default;
        var digits = Hex.StripPrefix(text);
        if (digits.Length != 2 * Length || !Hex.TryDecode(text, out var bytes))
        {
            return "eth.address.invalid";
        }
        address = new Address(bytes);
        bool hasLower = false, hasUpper = false;
        foreach (var c in digits)
        {
            hasLower |= c is >= 'a' and <= 'f';
            hasUpper |= c is >= 'A' and <= 'F';
        }
        if (hasLower && hasUpper && !digits.SequenceEqual(address.ToChecksumString(bytes).AsSpan(2)))
        {
            return "eth.address.checksum";
        }
        return null;
    }

    private string ToChecksumString(ReadOnlySpan<byte> bytes)
    {
        // EIP-55: hash the lower-case hex (ASCII, no prefix); a letter is upper-case when the matching hash nibble is >= 8.
        var lower = Convert.ToHexStringLower(bytes);
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(Encoding.ASCII.GetBytes(lower), hash);
        var sb = new StringBuilder("0x", 42);
        for (var i = 0; i < lower.Length; i++)
        {
            var nibble = (i % 2 == 0) ? hash[i / 2] >> 4 : hash[i / 2] & 0x0f;
            sb.Append(nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i]);
        }
        return sb.ToString();
    }

    public byte[] ToArray() => Span.ToArray();

    /// <summary>The EIP-55 checksummed form, e.g. <c>0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed</c>.</summary>
    public override string ToString() => ToChecksumString(Span);

    /// <summary>The all-lower-case form, as JSON-RPC and cast's outputs use in many places.</summary>
    public string ToLowerString() => Hex.Encode(Span);

    public bool Equals(Address other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is Address other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(Span[16..]);

    public int CompareTo(Address other) => Span.SequenceCompareTo(other.Span);

    public static bool operator ==(Address left, Address right) => left.Equals(right);

    public static bool operator !=(Address left, Address right) => !left.Equals(right);

    public static bool operator <(Address left, Address right) => left.CompareTo(right) < 0;

    public static bool operator >(Address left, Address right) => left.CompareTo(right) > 0;

    public static bool operator <=(Address left, Address right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Address left, Address right) => left.CompareTo(right) >= 0;
}
