using LinqP2P.Synth.Data;

namespace LinqP2P.Synth.Generators;

/// <summary>
/// A dataset cut into fixed blocks of rows. Block b is a pure function of (spec, seed, b): it draws only
/// from the streams <c>Xoshiro256StarStar.ForStream(seed, b, s)</c>. Shards are runs of whole blocks, so
/// the union of any K shards is the same dataset whatever K is (SPEC.md §9.3).
/// </summary>
public interface IBlockGenerator
{
    /// <summary>The generator's name as used on the command line and in manifests.</summary>
    string Kind { get; }

    IReadOnlyList<ColumnSpec> Columns { get; }

    long TotalRows { get; }

    /// <summary>Rows in every block but possibly the last.</summary>
    int BlockRows { get; }

    /// <summary>Generates block <paramref name="block"/> (0-based) of the dataset.</summary>
    Frame GenerateBlock(long block);
}

/// <summary>Which blocks, and so which rows, belong to shard k of K.</summary>
public readonly record struct ShardPlan(int ShardIndex, int ShardCount, long FirstBlock, long BlockCount, long FirstRow, long RowCount)
{
    public static long BlockCountOf(IBlockGenerator g) => (g.TotalRows + g.BlockRows - 1) / g.BlockRows;

    /// <summary>Shard k covers blocks [floor(k B / K), floor((k+1) B / K)).</summary>
    public static ShardPlan For(IBlockGenerator generator, int shardIndex, int shardCount)
    {
        if (shardCount < 1)
        {
            throw new SynthInputException("synth.shards.invalid", $"the shard count is {shardCount}: give at least 1.", field: "shards");
        }
        if (shardIndex < 0 || shardIndex >= shardCount)
        {
            throw new SynthInputException("synth.shards.invalid",
                $"shard index {shardIndex} is outside 0..{shardCount - 1}: pick an index below the shard count.", field: "shard");
        }
        var blocks = BlockCountOf(generator);
        var first = (long)(((Int128)shardIndex * blocks) / shardCount);
        var end = (long)(((Int128)(shardIndex + 1) * blocks) / shardCount);
        var firstRow = Math.Min(first * generator.BlockRows, generator.TotalRows);
        var endRow = Math.Min(end * generator.BlockRows, generator.TotalRows);
        return new ShardPlan(shardIndex, shardCount, first, end - first, firstRow, endRow - firstRow);
    }

    /// <summary>The shard's blocks, in order.</summary>
    public IEnumerable<Frame> Generate(IBlockGenerator generator)
    {
        for (var b = FirstBlock; b < FirstBlock + BlockCount; b++)
        {
            yield return generator.GenerateBlock(b);
        }
    }
}

/// <summary>Rows of block b: BlockRows, or fewer for the last block.</summary>
public static class BlockMath
{
    public static int RowsIn(IBlockGenerator g, long block) =>
        (int)Math.Min(g.BlockRows, g.TotalRows - (block * g.BlockRows));
}
