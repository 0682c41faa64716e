using LinqP2P.Ipfs.Blocks;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Car;

/// <summary>
/// CARv1 (https://ipld.io/specs/transport/car/carv1/): varint-prefixed dag-cbor header, then sections of
/// varint(length) CID block. Export walks the DAG depth-first from each root, writing every block once;
/// import checks every block against its CID before storing it. SPEC.md §6.
/// </summary>
public static class CarFile
{
    /// <summary>Largest header accepted on import.</summary>
    public const int MaxHeaderLength = 64 * 1024;

    private const int MaxSectionLength = Limits.MaxCidLength + Limits.MaxBlockSize;

    /// <summary>Writes the DAGs under <paramref name="roots"/> as one CAR; every block must be present.</summary>
    public static async Task<int> ExportAsync(IBlockStore store, IReadOnlyList<Cid> roots, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(output);
        var header = CarHeaderCbor.Encode(roots);
        await output.WriteAsync(Varint.Encode((ulong)header.Length), cancellationToken);
        await output.WriteAsync(header, cancellationToken);
        var written = new HashSet<Cid>();
        var count = 0;
        foreach (var root in roots)
        {
            await foreach (var (cid, block) in DagLinks.WalkAsync(store, root, cancellationToken))
            {
                if (!written.Add(cid))
                {
                    continue;
                }
                var cidBytes = cid.ToBytes();
                await output.WriteAsync(Varint.Encode((ulong)(cidBytes.Length + block.Length)), cancellationToken);
                await output.WriteAsync(cidBytes, cancellationToken);
                await output.WriteAsync(block, cancellationToken);
                count++;
            }
        }
        return count;
    }

    /// <summary>Reads a CAR, verifying and storing each block; returns the header's roots and the block count.</summary>
    public static async Task<(IReadOnlyList<Cid> Roots, int Blocks)> ImportAsync(IBlockStore store, Stream input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(input);
        var reader = new CarReader(input);
        var roots = await reader.ReadHeaderAsync(cancellationToken);
        var count = 0;
        while (await reader.ReadBlockAsync(cancellationToken) is { } block)
        {
            await store.PutAsync(block, cancellationToken);
            count++;
        }
        return (roots, count);
    }
}

/// <summary>Reads a CARv1 stream section by section, holding one block at a time.</summary>
public sealed class CarReader
{
    private readonly Stream _input;
    private bool _headerRead;

    public CarReader(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
    }

    public async Task<IReadOnlyList<Cid>> ReadHeaderAsync(CancellationToken cancellationToken = default)
    {
        if (_headerRead)
        {
            throw new InvalidOperationException("the CAR header was already read");
        }
        _headerRead = true;
        var length = await ReadVarintAsync(cancellationToken) ?? throw new IpfsFormatException("car.empty", "the CAR is empty (no header)");
        if (length == 0 || length > CarFile.MaxHeaderLength)
        {
            throw new IpfsFormatException("car.bad_header", $"a CAR header of {length} bytes is outside 1..{CarFile.MaxHeaderLength}");
        }
        var bytes = await ReadExactlyAsync((int)length, cancellationToken);
        var (version, roots) = CarHeaderCbor.Decode(bytes);
        if (version != 1)
        {
            throw new IpfsFormatException("car.unsupported_version", $"CAR version {version} is not supported (only 1); convert it with a CARv2-aware tool first");
        }
        return roots;
    }

    /// <summary>The next verified block, or null at the end of the CAR.</summary>
    public async Task<Block?> ReadBlockAsync(CancellationToken cancellationToken = default)
    {
        if (!_headerRead)
        {
            throw new InvalidOperationException("read the CAR header first");
        }
        var length = await ReadVarintAsync(cancellationToken);
        if (length is null)
        {
            return null;
        }
        if (length == 0 || length > (ulong)(Limits.MaxCidLength + Limits.MaxBlockSize))
        {
            throw new IpfsFormatException("car.bad_section", $"a CAR section of {length} bytes is outside the allowed size (a CID plus at most {Limits.MaxBlockSize} bytes)");
        }
        var section = await ReadExactlyAsync((int)length, cancellationToken);
        Cid cid;
        int consumed;
        try
        {
            cid = Cid.Read(section, out consumed);
        }
        catch (MultiformatException e)
        {
            throw new IpfsFormatException("car.bad_section", "a CAR section does not start with a valid CID: " + e.Message, e);
        }
        return Block.Verified(cid, section.AsMemory(consumed));
    }

    private async Task<ulong?> ReadVarintAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[Varint.MaxLength];
        for (var i = 0; i < buffer.Length; i++)
        {
            var n = await _input.ReadAsync(buffer.AsMemory(i, 1), cancellationToken);
            if (n == 0)
            {
                if (i == 0)
                {
                    return null;
                }
                throw new IpfsFormatException("car.truncated", "the CAR ends inside a length prefix");
            }
            if ((buffer[i] & 0x80) == 0)
            {
                try
                {
                    return Varint.Read(buffer.AsSpan(0, i + 1), out _);
                }
                catch (MultiformatException e)
                {
                    throw new IpfsFormatException("car.bad_varint", "a CAR length prefix is malformed: " + e.Message, e);
                }
            }
        }
        throw new IpfsFormatException("car.bad_varint", "a CAR length prefix is longer than 9 bytes");
    }

    private async Task<byte[]> ReadExactlyAsync(int length, CancellationToken cancellationToken)
    {
        var bytes = new byte[length];
        try
        {
            await _input.ReadExactlyAsync(bytes, cancellationToken);
        }
        catch (EndOfStreamException e)
        {
            throw new IpfsFormatException("car.truncated", $"the CAR ends inside a {length}-byte section", e);
        }
        return bytes;
    }
}
