using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Importing;

namespace LinqP2P.Ipfs.Tests;

/// <summary>Random sizes and contents, each imported by us and by ipfs-unixfs-importer in the same run.</summary>
[Collection(ImporterPeerCollection.Name)]
public class ImporterPropertyTests(ImporterPeer js)
{
    private static readonly Gen<int> Sizes = Gen.OneOf(
        Gen.Choose(0, 2_000),
        Gen.Choose(260_000, 270_000),
        Gen.Choose(0, 3_300_000));

    [Property(MaxTest = 40)]
    public Property RandomFiles_GetTheImportersCid()
    {
        var cases = Sizes.Zip(Gen.Choose(0, int.MaxValue)).Zip(Gen.Elements(ImportProfile.All.ToArray()));
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var ((size, seed), profile) = c;
            var content = TestData.Bytes(size, (ulong)seed);
            // FsCheck properties are synchronous; the awaits below only wait on our own tasks.
            var ours = new UnixFsImporter(new MemoryBlockStore(discard: true), profile).ImportBytesAsync(content).GetAwaiter().GetResult();
            var theirs = js.ImportBytesAsync(content, ImporterPeer.ProfileName(profile)).GetAwaiter().GetResult();
            return (theirs.Cid == ours.Cid.ToString() && theirs.Size == ours.DagSize)
                .Label($"{profile.Name} size {size}: importer {theirs.Cid}, ours {ours.Cid}");
        });
    }
}
