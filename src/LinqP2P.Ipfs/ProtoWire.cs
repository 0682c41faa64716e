using System.Buffers.Binary;

namespace LinqP2P.Ipfs;

/// <summary>
/// The few protobuf wire primitives dag-pb and UnixFS need. Protobuf varints are 64-bit LEB128 of up to
/// 10 bytes, unlike the 63-bit multiformats varint, so they get their own reader.
/// </summary>
internal static class ProtoWire
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    public static int SizeOfVarint(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    public static int WriteVarint(ulong value, Span<byte> destination)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    public static int SizeOfBytesField(int length) => 1 + SizeOfVarint((ulong)length) + length;

    public static int SizeOfVarintField(ulong value) => 1 + SizeOfVarint(value);

    public static int WriteTag(int field, int wireType, Span<byte> destination) => WriteVarint((ulong)((field << 3) | wireType), destination);

    public static int WriteBytesField(int field, ReadOnlySpan<byte> value, Span<byte> destination)
    {
        var n = WriteTag(field, LengthDelimited, destination);
        n += WriteVarint((ulong)value.Length, destination[n..]);
        value.CopyTo(destination[n..]);
        return n + value.Length;
    }

    public static int WriteVarintField(int field, ulong value, Span<byte> destination)
    {
        var n = WriteTag(field, Varint, destination);
        return n + WriteVarint(value, destination[n..]);
    }

    public static int WriteFixed32Field(int field, uint value, Span<byte> destination)
    {
        var n = WriteTag(field, Fixed32, destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[n..], value);
        return n + 4;
    }
}

/// <summary>A forward-only protobuf reader over a span that throws <see cref="IpfsFormatException"/> on anything malformed.</summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _source;
    private readonly string _what;

    public ProtoReader(ReadOnlySpan<byte> source, string what)
    {
        _source = source;
        _what = what;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly bool AtEnd => Position >= _source.Length;

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var i = 0; i < 10; i++)
        {
            if (Position >= _source.Length)
            {
                throw new IpfsFormatException(_what + ".truncated", $"{_what} ends inside a varint");
            }
            var b = _source[Position++];
            if (i == 9 && b > 1)
            {
                throw new IpfsFormatException(_what + ".varint_overflow", $"{_what} has a varint above 64 bits");
            }
            value |= (ulong)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    throw new IpfsFormatException(_what + ".varint_not_minimal", $"{_what} has a varint that is not minimally encoded");
                }
                return value;
            }
        }
        throw new IpfsFormatException(_what + ".varint_overflow", $"{_what} has a varint longer than 10 bytes");
    }

    public void ReadTag(out int field, out int wireType)
    {
        var tag = ReadVarint();
        if (tag > int.MaxValue)
        {
            throw new IpfsFormatException(_what + ".bad_tag", $"{_what} has a field tag out of range");
        }
        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        if (field == 0)
        {
            throw new IpfsFormatException(_what + ".bad_tag", $"{_what} has a field numbered 0");
        }
    }

    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = ReadVarint();
        if (length > (ulong)(_source.Length - Position))
        {
            throw new IpfsFormatException(_what + ".truncated", $"{_what} announces {length} bytes but only {_source.Length - Position} follow");
        }
        var slice = _source.Slice(Position, (int)length);
        Position += (int)length;
        return slice;
    }

    public uint ReadFixed32()
    {
        if (_source.Length - Position < 4)
        {
            throw new IpfsFormatException(_what + ".truncated", $"{_what} ends inside a fixed32");
        }
        var v = BinaryPrimitives.ReadUInt32LittleEndian(_source[Position..]);
        Position += 4;
        return v;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case ProtoWire.Varint:
                ReadVarint();
                break;
            case ProtoWire.LengthDelimited:
                ReadBytes();
                break;
            case ProtoWire.Fixed32:
                ReadFixed32();
                break;
            case ProtoWire.Fixed64:
                ReadFixed32();
                ReadFixed32();
                break;
            default:
                throw new IpfsFormatException(_what + ".bad_wire_type", $"{_what} uses protobuf wire type {wireType}, which is not allowed");
        }
    }

    public readonly void Expect(int wireType, int expected, string field)
    {
        if (wireType != expected)
        {
            throw new IpfsFormatException(_what + ".bad_wire_type", $"{_what} field {field} has wire type {wireType}, expected {expected}");
        }
    }
}
