using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;

namespace LinqP2P.Synth.Tests;

/// <summary>`dotnet LinqP2P.Synth.Tests.dll shard KIND SEED ROWS INDEX COUNT FORMAT OUT [SPEC]` writes one shard.</summary>
public static class ShardRunner
{
    public static async Task<int> MainAsync(string[] args)
    {
        if (args.Length < 8 || args[0] != "shard")
        {
            await Console.Error.WriteLineAsync("usage: shard KIND SEED ROWS INDEX COUNT FORMAT OUT [SPEC]");
            return 2;
        }
        var generator = TestGenerators.Create(args[1], ulong.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), args.Length > 8 ? args[8] : null);
        var plan = ShardPlan.For(generator, int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture));
        await using var file = File.Create(args[7]);
        await using var writer = DatasetWriters.Create(DatasetWriters.Parse(args[6]), file, generator.Columns);
        foreach (var frame in plan.Generate(generator))
        {
            await writer.WriteAsync(frame);
        }
        await writer.CompleteAsync();
        return 0;
    }
}
