using LinqP2P.Ipfs.Blocks;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Http.Gateway;

/// <summary>
/// Writes a CARv1 stream section by section (https://ipld.io/specs/transport/car/carv1/), each block
/// once, so a gateway can send path proofs followed by a DAG in one response without buffering it.
/// </summary>
internal sealed class CarStreamWriter(Stream output)
{
    private readonly HashSet<Cid> _written = [];

    public int Blocks => _written.Count;

    /// <summary>The header: dag-cbor <c>{"roots": [CID...], "version": 1}</c> with canonical key order.</summary>
    public async Task WriteHeaderAsync(IReadOnlyList<Cid> roots, CancellationToken cancellationToken)
    {
        if (roots.Count is 0 or > 23)
        {
            throw new ArgumentOutOfRangeException(nameof(roots), "a gateway CAR has 1..23 roots");
        }
        var header = new MemoryStream();
        header.WriteByte(0xa2);
        WriteText(header, "roots");
        header.WriteByte((byte)(0x80 + roots.Count));
        foreach (var root in roots)
        {
            var bytes = root.ToBytes();
            header.WriteByte(0xd8);
            header.WriteByte(42);
            WriteHead(header, 2, (ulong)bytes.Length + 1);
            header.WriteByte(0);
            header.Write(bytes);
        }
        WriteText(header, "version");
        header.WriteByte(0x01);
        await output.WriteAsync(Varint.Encode((ulong)header.Length), cancellationToken);
        await output.WriteAsync(header.ToArray(), cancellationToken);
    }

    /// <summary>Writes one block unless it was already written; false when skipped.</summary>
    public async Task<bool> WriteBlockAsync(Cid cid, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        if (!_written.Add(cid))
        {
            return false;
        }
        var cidBytes = cid.ToBytes();
        await output.WriteAsync(Varint.Encode((ulong)(cidBytes.Length + block.Length)), cancellationToken);
        await output.WriteAsync(cidBytes, cancellationToken);
        await output.WriteAsync(block, cancellationToken);
        return true;
    }

    /// <summary>Writes the DAG under <paramref name="root"/> depth-first in link order.</summary>
    public async Task WriteDagAsync(IBlockStore store, Cid root, CancellationToken cancellationToken)
    {
        await foreach (var (cid, block) in DagLinks.WalkAsync(store, root, cancellationToken))
        {
            await WriteBlockAsync(cid, block, cancellationToken);
        }
    }

    private static void WriteText(Stream s, string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        WriteHead(s, 3, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteHead(Stream s, int major, ulong value)
    {
        var m = (byte)(major << 5);
        if (value < 24)
        {
            s.WriteByte((byte)(m | value));
        }
        else if (value <= byte.MaxValue)
        {
            s.WriteByte((byte)(m | 24));
            s.WriteByte((byte)value);
        }
        else
        {
            s.WriteByte((byte)(m | 25));
            s.WriteByte((byte)(value >> 8));
            s.WriteByte((byte)value);
        }
    }
}
