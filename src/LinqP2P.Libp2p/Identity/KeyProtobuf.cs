using LinqP2P.Multiformats;

namespace LinqP2P.Libp2p.Identity;

/// <summary>
/// The two-field PublicKey / PrivateKey protobuf (<c>required KeyType Type = 1; required bytes Data = 2;</c>).
/// Written by hand because the peer id is a hash of these exact bytes: the spec demands the canonical
/// encoding (fields in order, no extras), and a decoder that accepted two encodings of one key would let a
/// peer present one key under two ids.
/// </summary>
internal static class KeyProtobuf
{
    /// <summary>Largest key data accepted (an 8192-bit RSA key in DER is about 1.1 KB).</summary>
    public const int MaxDataLength = 2048;

    public static byte[] Encode(KeyType type, ReadOnlySpan<byte> data)
    {
        var length = 1 + Varint.SizeOf((ulong)type) + 1 + Varint.SizeOf((ulong)data.Length) + data.Length;
        var bytes = new byte[length];
        var n = 0;
        bytes[n++] = 0x08;
        n += Varint.Write((ulong)type, bytes.AsSpan(n));
        bytes[n++] = 0x12;
        n += Varint.Write((ulong)data.Length, bytes.AsSpan(n));
        data.CopyTo(bytes.AsSpan(n));
        return bytes;
    }

    /// <summary>Decodes exactly one canonical key message: field 1 then field 2, nothing else.</summary>
    public static (KeyType Type, byte[] Data) Decode(ReadOnlySpan<byte> source)
    {
        try
        {
            if (source.Length < 4 || source[0] != 0x08)
            {
                throw new Libp2pFormatException("key.protobuf", "a key protobuf must start with its Type field (0x08)");
            }
            var type = Varint.Read(source[1..], out var n1);
            if (type > (ulong)KeyType.Ecdsa)
            {
                throw new Libp2pFormatException("key.type", $"key type {type} is unknown (0-3 are defined)");
            }
            var rest = source[(1 + n1)..];
            if (rest.Length < 2 || rest[0] != 0x12)
            {
                throw new Libp2pFormatException("key.protobuf", "a key protobuf must have its Data field (0x12) right after Type");
            }
            var length = Varint.ReadLength(rest[1..], MaxDataLength, out var n2);
            var data = rest[(1 + n2)..];
            if (data.Length != length)
            {
                throw new Libp2pFormatException("key.protobuf", data.Length < length
                    ? $"a key protobuf announces {length} data bytes but has {data.Length}"
                    : "bytes follow the key protobuf's Data field");
            }
            return ((KeyType)type, data.ToArray());
        }
        catch (MultiformatException e)
        {
            throw new Libp2pFormatException("key.protobuf", "a key protobuf has a bad varint: " + e.Message, e);
        }
    }
}
