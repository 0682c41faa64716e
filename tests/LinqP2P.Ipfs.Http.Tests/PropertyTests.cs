using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Core;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Http.Rpc;
using LinqP2P.Ipfs.Http.UnixFs;
using LinqP2P.Ipfs.Importing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace LinqP2P.Ipfs.Http.Tests;

public sealed class PropertyTests
{
    // Tiny chunks and fanout make deep trees out of small files, so every seek crosses levels.
    private static readonly ImportProfile Deep = ImportProfile.ImporterDefault with { Name = "deep", ChunkSize = 97, MaxLinksPerNode = 3 };

    [Property(MaxTest = 60)]
    public Property FileStream_SeeksAndReadsMatchTheContent()
    {
        var cases = Gen.Choose(0, 5_000).Zip(Gen.Choose(0, int.MaxValue)).Zip(Gen.Elements(Deep, Deep with { RawLeaves = false, CidVersion = 0 }, ImportProfile.UnixFsV0_2015));
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var ((size, seed), profile) = c;
            var content = Bytes.Random(size, seed);
            var store = new MemoryBlockStore();
            var cid = new UnixFsImporter(store, profile).ImportBytesAsync(content).GetAwaiter().GetResult().Cid;
            using var stream = UnixFsFileStream.OpenAsync(store, cid).GetAwaiter().GetResult();
            var random = new Random(seed);
            for (var i = 0; i < 5; i++)
            {
                var offset = random.Next(0, size + 1);
                var length = random.Next(0, 400);
                stream.Position = offset;
                var buffer = new byte[length];
                var read = 0;
                int n;
                while (read < length && (n = stream.Read(buffer, read, length - read)) > 0)
                {
                    read += n;
                }
                var expected = content.Skip(offset).Take(length).ToArray();
                if (!buffer.AsSpan(0, read).SequenceEqual(expected))
                {
                    return false.Label($"size {size} offset {offset} length {length}");
                }
            }
            return (stream.Length == size).Label("length");
        });
    }

    [Property(MaxTest = 300)]
    public Property PathParse_RandomTextNeverCrashes(string text)
    {
        try
        {
            var (_, segments) = UnixFsPath.Parse(text ?? "");
            return segments.All(s => s is not (".." or ".") && !s.Contains('/', StringComparison.Ordinal)).Label("segments are safe");
        }
        catch (LinqException)
        {
            return true.ToProperty();
        }
    }

    [Property(MaxTest = 300)]
    public Property AddOptions_RandomValuesGiveAProfileOrATypedError(string cidVersion, string rawLeaves, string chunker, string links)
    {
        var query = new QueryCollection(new Dictionary<string, StringValues>
        {
            ["cid-version"] = cidVersion ?? "",
            ["raw-leaves"] = rawLeaves ?? "",
            ["chunker"] = chunker ?? "",
            ["max-file-links"] = links ?? "",
        });
        try
        {
            var profile = new RpcArgs(query).Profile(ImportProfile.Default);
            return (profile.ChunkSize is > 0 and <= 1_048_576 && profile.MaxLinksPerNode >= 2).Label("profile in bounds");
        }
        catch (InvalidInputException)
        {
            return true.ToProperty();
        }
    }
}
