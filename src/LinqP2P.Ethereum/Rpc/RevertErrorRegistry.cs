using System.Collections.Concurrent;
using System.Numerics;
using System.Text;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>
/// Decoders for revert data by 4-byte selector. Generated contract bindings register their custom errors
/// here when their assembly loads, so any revert seen by the client is raised with its typed error.
/// The two errors the compiler emits itself, <c>Error(string)</c> and <c>Panic(uint256)</c>, are built in.
/// </summary>
public static class RevertErrorRegistry
{
    // Well-known, compiler-defined selectors: keccak256("Error(string)")[..4] and keccak256("Panic(uint256)")[..4].
    private const uint ErrorStringSelector = 0x08c379a0;
    private const uint PanicSelector = 0x4e487b71;

    private static readonly ConcurrentDictionary<uint, (string Name, Func<byte[], object?> Decode)> Decoders = new();

    /// <summary>Registers the decoder of one custom error. The decoder receives the arguments without the selector.</summary>
    public static void Register(ReadOnlySpan<byte> selector, string name, Func<byte[], object?> decode)
    {
        if (selector.Length != 4)
        {
            throw new ArgumentException("a selector is 4 bytes", nameof(selector));
        }
        Decoders[ToKey(selector)] = (name, decode);
    }

    /// <summary>Decodes revert data, or returns null when the selector is unknown or the arguments do not decode.</summary>
    public static RevertReason? TryDecode(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length < 4)
        {
            return null;
        }
        var key = ToKey(data.AsSpan(0, 4));
        var args = data[4..];
        try
        {
            return key switch
            {
                ErrorStringSelector => new RevertReason("Error", DecodeString(args)),
                PanicSelector when args.Length == 32 => new RevertReason("Panic", new BigInteger(args, isUnsigned: true, isBigEndian: true)),
                _ when Decoders.TryGetValue(key, out var d) => new RevertReason(d.Name, d.Decode(args)),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IndexOutOfRangeException or OverflowException or InvalidOperationException)
        {
            return null;
        }
    }

    private static uint ToKey(ReadOnlySpan<byte> selector) =>
        ((uint)selector[0] << 24) | ((uint)selector[1] << 16) | ((uint)selector[2] << 8) | selector[3];

    // Error(string): offset word, length word, UTF-8 bytes padded to 32.
    private static string DecodeString(byte[] args)
    {
        if (args.Length < 64)
        {
            throw new FormatException("Error(string) arguments are shorter than two words");
        }
        var offset = (int)new BigInteger(args.AsSpan(0, 32), isUnsigned: true, isBigEndian: true);
        var length = (int)new BigInteger(args.AsSpan(offset, 32), isUnsigned: true, isBigEndian: true);
        return Encoding.UTF8.GetString(args, offset + 32, length);
    }
}
