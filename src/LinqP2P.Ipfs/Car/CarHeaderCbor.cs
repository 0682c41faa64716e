using System.Buffers.Binary;
using System.Text;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Car;

/// <summary>
/// The CARv1 header, {"roots": [CID...], "version": 1}, in dag-cbor. Only the CBOR this header needs is
/// handled, by hand and with limits: definite-length maps, arrays, text and byte strings, unsigned ints,
/// and tag 42 (a CID as bytes behind a 0x00 prefix). Keys are written in dag-cbor order (shorter first).
/// </summary>
internal static class CarHeaderCbor
{
    public const int MaxRoots = 1024;

    public static byte[] Encode(IReadOnlyList<Cid> roots)
    {
        using var ms = new MemoryStream();
        WriteHead(ms, 5, 2);
        WriteText(ms, "roots");
        WriteHead(ms, 4, (ulong)roots.Count);
        foreach (var root in roots)
        {
            WriteHead(ms, 6, 42);
            var cid = root.ToBytes();
            WriteHead(ms, 2, (ulong)cid.Length + 1);
            ms.WriteByte(0);
            ms.Write(cid);
        }
        WriteText(ms, "version");
        WriteHead(ms, 0, 1);
        return ms.ToArray();
    }

    private static void WriteText(MemoryStream ms, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        WriteHead(ms, 3, (ulong)bytes.Length);
        ms.Write(bytes);
    }

    private static void WriteHead(MemoryStream ms, int major, ulong value)
    {
        var m = (byte)(major << 5);
        Span<byte> b = stackalloc byte[9];
        if (value < 24)
        {
            ms.WriteByte((byte)(m | (byte)value));
        }
        else if (value <= byte.MaxValue)
        {
            ms.WriteByte((byte)(m | 24));
            ms.WriteByte((byte)value);
        }
        else if (value <= ushort.MaxValue)
        {
            b[0] = (byte)(m | 25);
            BinaryPrimitives.WriteUInt16BigEndian(b[1..], (ushort)value);
            ms.Write(b[..3]);
        }
        else if (value <= uint.MaxValue)
        {
            b[0] = (byte)(m | 26);
            BinaryPrimitives.WriteUInt32BigEndian(b[1..], (uint)value);
            ms.Write(b[..5]);
        }
        else
        {
            b[0] = (byte)(m | 27);
            BinaryPrimitives.WriteUInt64BigEndian(b[1..], value);
            ms.Write(b[..9]);
        }
    }

    public static (ulong Version, IReadOnlyList<Cid> Roots) Decode(ReadOnlySpan<byte> bytes)
    {
        var pos = 0;
        var (major, count) = ReadHead(bytes, ref pos);
        if (major != 5 || count > 16)
        {
            throw Bad("the header is not a small CBOR map");
        }
        ulong? version = null;
        List<Cid>? roots = null;
        for (ulong i = 0; i < count; i++)
        {
            var key = ReadText(bytes, ref pos);
            switch (key)
            {
                case "version":
                    var (vm, v) = ReadHead(bytes, ref pos);
                    if (vm != 0 || version is not null)
                    {
                        throw Bad("'version' must be one unsigned integer");
                    }
                    version = v;
                    break;
                case "roots":
                    if (roots is not null)
                    {
                        throw Bad("'roots' appears twice");
                    }
                    var (am, n) = ReadHead(bytes, ref pos);
                    if (am != 4 || n > MaxRoots)
                    {
                        throw Bad($"'roots' must be an array of at most {MaxRoots} CIDs");
                    }
                    roots = [];
                    for (ulong r = 0; r < n; r++)
                    {
                        roots.Add(ReadCid(bytes, ref pos));
                    }
                    break;
                default:
                    throw Bad($"unexpected header key '{key}'");
            }
        }
        if (pos != bytes.Length)
        {
            throw Bad("bytes follow the header map");
        }
        if (version is null)
        {
            throw Bad("the header has no 'version'");
        }
        return (version.Value, roots ?? []);
    }

    private static Cid ReadCid(ReadOnlySpan<byte> bytes, ref int pos)
    {
        var (tm, tag) = ReadHead(bytes, ref pos);
        if (tm != 6 || tag != 42)
        {
            throw Bad("a root is not a CID (tag 42)");
        }
        var (bm, length) = ReadHead(bytes, ref pos);
        if (bm != 2 || length < 2 || length > Limits.MaxCidLength || length > (ulong)(bytes.Length - pos))
        {
            throw Bad("a root CID has a bad length");
        }
        var body = bytes.Slice(pos, (int)length);
        pos += (int)length;
        if (body[0] != 0)
        {
            throw Bad("a root CID lacks the 0x00 multibase prefix dag-cbor requires");
        }
        try
        {
            return Cid.Decode(body[1..]);
        }
        catch (MultiformatException e)
        {
            throw new IpfsFormatException("car.bad_header", "a CAR root is not a valid CID: " + e.Message, e);
        }
    }

    private static string ReadText(ReadOnlySpan<byte> bytes, ref int pos)
    {
        var (major, length) = ReadHead(bytes, ref pos);
        if (major != 3 || length > 64 || length > (ulong)(bytes.Length - pos))
        {
            throw Bad("a header key is not a short text string");
        }
        var s = Encoding.UTF8.GetString(bytes.Slice(pos, (int)length));
        pos += (int)length;
        return s;
    }

    private static (int Major, ulong Value) ReadHead(ReadOnlySpan<byte> bytes, ref int pos)
    {
        if (pos >= bytes.Length)
        {
            throw Bad("the header ends early");
        }
        var b = bytes[pos++];
        var major = b >> 5;
        var info = b & 0x1f;
        int extra = info switch
        {
            < 24 => 0,
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            _ => throw Bad("indefinite lengths and reserved CBOR values are not allowed"),
        };
        if (bytes.Length - pos < extra)
        {
            throw Bad("the header ends early");
        }
        ulong value = extra switch
        {
            0 => (ulong)info,
            1 => bytes[pos],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes[pos..]),
            4 => BinaryPrimitives.ReadUInt32BigEndian(bytes[pos..]),
            _ => BinaryPrimitives.ReadUInt64BigEndian(bytes[pos..]),
        };
        pos += extra;
        return (major, value);
    }

    private static IpfsFormatException Bad(string what) => new("car.bad_header", "malformed CAR header: " + what);
}
