using System.Collections.Concurrent;
using LinqP2P.Core;
using LinqP2P.Ethereum.Abi;

namespace LinqP2P.Ethereum.Rpc;

/// <summary>
/// Decoders for revert data by 4-byte selector. Generated contract bindings register their custom errors
/// here when their assembly loads, so any revert seen by the client is raised with its typed error record.
/// Anything else (<c>Error(string)</c>, <c>Panic(uint256)</c>) goes to the ABI layer's <see cref="RevertDecoder"/>.
/// </summary>
public static class RevertErrorRegistry
{
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
        if (Decoders.TryGetValue(ToKey(data.AsSpan(0, 4)), out var custom))
        {
            try
            {
                return new RevertReason(custom.Name, custom.Decode(data[4..]));
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or LinqException)
            {
                return null;
            }
        }
        var builtin = RevertDecoder.Decode(data);
        return builtin.ErrorName is null
            ? null
            : new RevertReason(builtin.ErrorName, builtin.Arguments.Count == 1 ? builtin.Arguments[0] : builtin.Arguments);
    }

    private static uint ToKey(ReadOnlySpan<byte> selector) =>
        ((uint)selector[0] << 24) | ((uint)selector[1] << 16) | ((uint)selector[2] << 8) | selector[3];
}
