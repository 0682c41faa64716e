using LinqP2P.Ipfs;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Car;
using LinqP2P.Ipfs.DagPb;
using LinqP2P.Ipfs.Exporting;
using LinqP2P.Ipfs.UnixFs;
using LinqP2P.Multiformats;

namespace LinqP2P.Fuzz;

internal static class IpfsTargets
{
    [FuzzTarget("ipfs-dagpb")]
    private static void DagPb(byte[] input)
    {
        try
        {
            var node = DagPbCodec.Decode(input);
            if (!DagPbCodec.Encode(node).AsSpan().SequenceEqual(input))
            {
                throw new InvalidOperationException("a decoded dag-pb node does not re-encode to the same bytes");
            }
        }
        catch (IpfsFormatException)
        {
        }
    }

    [FuzzTarget("ipfs-unixfs")]
    private static void UnixFs(byte[] input)
    {
        try
        {
            var data = UnixFsData.Decode(input);
            UnixFsData.Decode(data.Encode());
        }
        catch (IpfsFormatException)
        {
        }
    }

    [FuzzTarget("ipfs-car")]
    private static void Car(byte[] input)
    {
        try
        {
            CarFile.ImportAsync(new MemoryBlockStore(), new MemoryStream(input)).GetAwaiter().GetResult();
        }
        catch (IpfsFormatException)
        {
        }
    }

    /// <summary>A fuzzed block as the root of a UnixFS file or directory: cat and ls must fail only with typed errors.</summary>
    [FuzzTarget("ipfs-unixfs-export")]
    private static void Export(byte[] input)
    {
        var store = new MemoryBlockStore();
        try
        {
            var block = Block.Create(input, Multicodec.DagPb, 1);
            store.PutAsync(block).GetAwaiter().GetResult();
            var exporter = new UnixFsExporter(store);
            try
            {
                exporter.CatAsync(block.Cid, Stream.Null).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is BlockNotFoundException or IpfsFormatException)
            {
            }
            var entries = exporter.ListAsync(block.Cid).GetAsyncEnumerator();
            try
            {
                while (entries.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                {
                }
            }
            catch (BlockNotFoundException)
            {
            }
        }
        catch (IpfsFormatException)
        {
        }
    }
}
