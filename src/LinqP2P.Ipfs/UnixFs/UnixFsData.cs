namespace LinqP2P.Ipfs.UnixFs;

/// <summary>UnixFS node types (https://specs.ipfs.tech/unixfs/), numbered as on the wire.</summary>
public enum UnixFsType
{
    Raw = 0,
    Directory = 1,
    File = 2,
    Metadata = 3,
    Symlink = 4,
    HamtShard = 5,
}

/// <summary>A modification time: seconds since the Unix epoch and optional nanoseconds (0..999,999,999).</summary>
public sealed record UnixFsTime(long Seconds, uint? Nanoseconds);

/// <summary>
/// The UnixFS Data message carried in a dag-pb node's Data field. Fields that are null are not written,
/// so the encoding is exactly what the caller describes (which is how CIDs stay equal to other
/// implementations). SPEC.md §6.
/// </summary>
public sealed record UnixFsData
{
    public const ulong Murmur3X64_64 = 0x22;

    public required UnixFsType Type { get; init; }

    /// <summary>File bytes, symlink target, or HAMT bitfield; null or empty is not written.</summary>
    public ReadOnlyMemory<byte>? Data { get; init; }

    public ulong? FileSize { get; init; }

    public IReadOnlyList<ulong> BlockSizes { get; init; } = [];

    public ulong? HashType { get; init; }

    public ulong? Fanout { get; init; }

    /// <summary>Unix permission bits; null means the default (0644 files, 0755 directories).</summary>
    public uint? Mode { get; init; }

    public UnixFsTime? Mtime { get; init; }

    public bool IsDirectory => Type is UnixFsType.Directory or UnixFsType.HamtShard;

    public byte[] Encode()
    {
        var size = SizeOf();
        var bytes = new byte[size];
        var n = ProtoWire.WriteVarintField(1, (ulong)Type, bytes);
        if (Data is { Length: > 0 } data)
        {
            n += ProtoWire.WriteBytesField(2, data.Span, bytes.AsSpan(n));
        }
        if (FileSize is { } fs)
        {
            n += ProtoWire.WriteVarintField(3, fs, bytes.AsSpan(n));
        }
        foreach (var b in BlockSizes)
        {
            n += ProtoWire.WriteVarintField(4, b, bytes.AsSpan(n));
        }
        if (HashType is { } ht)
        {
            n += ProtoWire.WriteVarintField(5, ht, bytes.AsSpan(n));
        }
        if (Fanout is { } fo)
        {
            n += ProtoWire.WriteVarintField(6, fo, bytes.AsSpan(n));
        }
        if (Mode is { } mode)
        {
            n += ProtoWire.WriteVarintField(7, mode, bytes.AsSpan(n));
        }
        if (Mtime is { } mtime)
        {
            n += ProtoWire.WriteTag(8, ProtoWire.LengthDelimited, bytes.AsSpan(n));
            n += ProtoWire.WriteVarint((ulong)MtimeSize(mtime), bytes.AsSpan(n));
            n += ProtoWire.WriteVarintField(1, unchecked((ulong)mtime.Seconds), bytes.AsSpan(n));
            if (mtime.Nanoseconds is { } ns)
            {
                n += ProtoWire.WriteFixed32Field(2, ns, bytes.AsSpan(n));
            }
        }
        return n == size ? bytes : throw new InvalidOperationException("UnixFS size calculation is wrong");
    }

    private static int MtimeSize(UnixFsTime t) =>
        ProtoWire.SizeOfVarintField(unchecked((ulong)t.Seconds)) + (t.Nanoseconds is null ? 0 : 5);

    private int SizeOf()
    {
        var size = ProtoWire.SizeOfVarintField((ulong)Type);
        if (Data is { Length: > 0 } data)
        {
            size += ProtoWire.SizeOfBytesField(data.Length);
        }
        if (FileSize is { } fs)
        {
            size += ProtoWire.SizeOfVarintField(fs);
        }
        foreach (var b in BlockSizes)
        {
            size += ProtoWire.SizeOfVarintField(b);
        }
        if (HashType is { } ht)
        {
            size += ProtoWire.SizeOfVarintField(ht);
        }
        if (Fanout is { } fo)
        {
            size += ProtoWire.SizeOfVarintField(fo);
        }
        if (Mode is { } mode)
        {
            size += ProtoWire.SizeOfVarintField(mode);
        }
        if (Mtime is { } mtime)
        {
            size += ProtoWire.SizeOfBytesField(MtimeSize(mtime));
        }
        return size;
    }

    /// <summary>Decodes a UnixFS Data message; unknown fields are skipped (the format may grow), malformed ones throw.</summary>
    public static UnixFsData Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > Limits.MaxBlockSize)
        {
            throw new IpfsFormatException("unixfs.too_large", "a UnixFS message is larger than a block may be");
        }
        var reader = new ProtoReader(bytes, "unixfs");
        UnixFsType? type = null;
        ReadOnlyMemory<byte>? data = null;
        ulong? fileSize = null, hashType = null, fanout = null;
        uint? mode = null;
        UnixFsTime? mtime = null;
        var blockSizes = new List<ulong>();
        while (!reader.AtEnd)
        {
            reader.ReadTag(out var field, out var wireType);
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, ProtoWire.Varint, "Type");
                    var t = reader.ReadVarint();
                    if (t > (ulong)UnixFsType.HamtShard)
                    {
                        throw new IpfsFormatException("unixfs.bad_type", $"UnixFS type {t} does not exist");
                    }
                    type = (UnixFsType)t;
                    break;
                case 2:
                    reader.Expect(wireType, ProtoWire.LengthDelimited, "Data");
                    data = reader.ReadBytes().ToArray();
                    break;
                case 3:
                    reader.Expect(wireType, ProtoWire.Varint, "filesize");
                    fileSize = reader.ReadVarint();
                    break;
                case 4:
                    if (wireType == ProtoWire.LengthDelimited)
                    {
                        // Packed repeated field: allowed by protobuf for any repeated scalar.
                        var packed = new ProtoReader(reader.ReadBytes(), "unixfs.blocksizes");
                        while (!packed.AtEnd)
                        {
                            blockSizes.Add(packed.ReadVarint());
                        }
                    }
                    else
                    {
                        reader.Expect(wireType, ProtoWire.Varint, "blocksizes");
                        blockSizes.Add(reader.ReadVarint());
                    }
                    break;
                case 5:
                    reader.Expect(wireType, ProtoWire.Varint, "hashType");
                    hashType = reader.ReadVarint();
                    break;
                case 6:
                    reader.Expect(wireType, ProtoWire.Varint, "fanout");
                    fanout = reader.ReadVarint();
                    break;
                case 7:
                    reader.Expect(wireType, ProtoWire.Varint, "mode");
                    mode = (uint)reader.ReadVarint();
                    break;
                case 8:
                    reader.Expect(wireType, ProtoWire.LengthDelimited, "mtime");
                    mtime = DecodeTime(reader.ReadBytes());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        if (type is null)
        {
            throw new IpfsFormatException("unixfs.no_type", "a UnixFS message has no Type");
        }
        return new UnixFsData
        {
            Type = type.Value,
            Data = data,
            FileSize = fileSize,
            BlockSizes = blockSizes,
            HashType = hashType,
            Fanout = fanout,
            Mode = mode,
            Mtime = mtime,
        };
    }

    private static UnixFsTime DecodeTime(ReadOnlySpan<byte> bytes)
    {
        var reader = new ProtoReader(bytes, "unixfs.mtime");
        long seconds = 0;
        uint? nanos = null;
        while (!reader.AtEnd)
        {
            reader.ReadTag(out var field, out var wireType);
            switch (field)
            {
                case 1:
                    reader.Expect(wireType, ProtoWire.Varint, "Seconds");
                    seconds = unchecked((long)reader.ReadVarint());
                    break;
                case 2:
                    reader.Expect(wireType, ProtoWire.Fixed32, "FractionalNanoseconds");
                    nanos = reader.ReadFixed32();
                    if (nanos > 999_999_999)
                    {
                        throw new IpfsFormatException("unixfs.bad_mtime", "UnixFS mtime nanoseconds exceed 999,999,999");
                    }
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        return new UnixFsTime(seconds, nanos);
    }

    /// <summary>The file size this node describes: its own data plus its children's block sizes.</summary>
    public ulong ContentSize()
    {
        ulong sum = (ulong)(Data?.Length ?? 0);
        foreach (var b in BlockSizes)
        {
            sum += b;
        }
        return sum;
    }
}
