using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Ipfs.Pinning;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Tests;

public class FileBlockStoreTests
{
    private static Block RawBlock(params byte[] data) => Block.Create(data, Multicodec.Raw, 1);

    [Fact]
    public async Task Put_StoresUnderAShardedBase32MultihashKey()
    {
        using var dir = new TempDir();
        var store = new FileBlockStore(dir.Path);
        var block = RawBlock(1, 2, 3);
        await store.PutAsync(block);
        var key = FileBlockStore.KeyOf(block.Cid.Hash);
        Assert.StartsWith("CIQ", key);
        Assert.True(File.Exists(Path.Combine(dir.Path, "blocks", key[^3..^1], key + ".data")));
        Assert.Equal([1, 2, 3], await store.GetAsync(block.Cid));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "tmp")));
    }

    [Fact]
    public async Task Get_ServesEveryCidWithTheSameMultihash()
    {
        using var dir = new TempDir();
        var store = new FileBlockStore(dir.Path);
        var block = Block.Create(new byte[] { 0x0a, 0x00 }, Multicodec.DagPb, 0);
        await store.PutAsync(block);
        Assert.NotNull(await store.TryGetAsync(block.Cid.ToV1()));
    }

    [Fact]
    public async Task Get_RemovesAndReportsACorruptedBlock()
    {
        using var dir = new TempDir();
        var store = new FileBlockStore(dir.Path);
        var block = RawBlock(4, 5, 6);
        await store.PutAsync(block);
        var key = FileBlockStore.KeyOf(block.Cid.Hash);
        var path = Path.Combine(dir.Path, "blocks", key[^3..^1], key + ".data");
        await File.WriteAllBytesAsync(path, [4, 5, 7]);
        await Assert.ThrowsAsync<BlockCorruptedException>(() => store.TryGetAsync(block.Cid));
        Assert.False(File.Exists(path));
        Assert.Null(await store.TryGetAsync(block.Cid));
    }

    [Fact]
    public async Task Put_RefusesToPassTheQuota()
    {
        using var dir = new TempDir();
        var store = new FileBlockStore(dir.Path, new FileBlockStoreOptions { QuotaBytes = 10 });
        await store.PutAsync(RawBlock(new byte[8]));
        var e = await Assert.ThrowsAsync<BlockstoreQuotaExceededException>(() => store.PutAsync(RawBlock(new byte[3])));
        Assert.Equal("ipfs.quota_exceeded", e.Code);
        await store.PutAsync(RawBlock(new byte[2]));
        Assert.Equal(10, store.UsedBytes);
    }

    [Fact]
    public async Task ParallelPuts_NeverPassTheQuotaTogether()
    {
        using var dir = new TempDir();
        var store = new FileBlockStore(dir.Path, new FileBlockStoreOptions { QuotaBytes = 100 });
        var puts = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.PutAsync(RawBlock([.. new byte[9], (byte)i]));
                return true;
            }
            catch (BlockstoreQuotaExceededException)
            {
                return false;
            }
        }));
        var stored = (await Task.WhenAll(puts)).Count(ok => ok);
        Assert.Equal(10, stored);
        Assert.Equal(100, store.UsedBytes);
        Assert.Equal(100, new FileBlockStore(dir.Path).UsedBytes);
    }

    [Fact]
    public async Task ParallelPutsOfOneBlock_CountItOnce()
    {
        using var dir = new TempDir();
        var store = new FileBlockStore(dir.Path);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => store.PutAsync(RawBlock(new byte[1000])))));
        Assert.Equal(1000, store.UsedBytes);
    }

    [Fact]
    public async Task Open_CountsExistingBlocksAndDropsInterruptedWrites()
    {
        using var dir = new TempDir();
        var store = new FileBlockStore(dir.Path);
        await store.PutAsync(RawBlock(new byte[100]));
        await File.WriteAllBytesAsync(Path.Combine(dir.Path, "tmp", "half-written"), new byte[50]);
        var reopened = new FileBlockStore(dir.Path);
        Assert.Equal(100, reopened.UsedBytes);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "tmp")));
        var listed = new List<Cid>();
        await foreach (var c in reopened.ListAsync())
        {
            listed.Add(c);
        }
        Assert.Equal(RawBlock(new byte[100]).Cid.Hash, Assert.Single(listed).Hash);
    }

    [Fact]
    public void Verified_RejectsBytesThatDoNotMatch()
    {
        var cid = RawBlock(1).Cid;
        Assert.Equal("ipfs.block.hash_mismatch", Assert.Throws<IpfsFormatException>(() => Block.Verified(cid, new byte[] { 2 })).Code);
    }

    [Fact]
    public void Create_RefusesBlocksOver2MiB()
    {
        Assert.Equal("ipfs.block.too_large", Assert.Throws<IpfsFormatException>(() => Block.Create(new byte[Limits.MaxBlockSize + 1], Multicodec.Raw, 1)).Code);
    }
}

public class PinAndGcTests
{
    [Fact]
    public async Task Gc_KeepsRecursivelyAndDirectlyPinnedBlocksAndRemovesTheRest()
    {
        using var dir = new TempDir();
        var repo = IpfsRepo.Open(new IpfsRepoOptions { Path = dir.Path });
        var kept = await repo.Importer(ImportProfile.UnixFsV0_2015).ImportBytesAsync(TestData.Bytes(700_000, 1));
        var dropped = await repo.Importer().ImportBytesAsync(TestData.Bytes(2_500_000, 2));
        var direct = await repo.Importer().ImportBytesAsync(new byte[] { 42 });
        await repo.PinAsync(kept.Cid, PinKind.Recursive);
        await repo.PinAsync(direct.Cid, PinKind.Direct);

        var result = await repo.CollectGarbageAsync();

        Assert.Equal(4, result.BlocksRemoved); // three 1 MiB raw leaves and their parent
        Assert.Equal(5, result.BlocksKept); // root + three 256 KiB leaves, and the direct pin
        using var output = new MemoryStream();
        await repo.Exporter.CatAsync(kept.Cid, output);
        Assert.Equal(TestData.Bytes(700_000, 1), output.ToArray());
        Assert.False(await repo.Blocks.HasAsync(dropped.Cid));
    }

    [Fact]
    public async Task Gc_WaitsForAnAddInFlightAndThenKeepsWhatItPinned()
    {
        using var dir = new TempDir();
        var repo = IpfsRepo.Open(new IpfsRepoOptions { Path = dir.Path });
        var add = await repo.Gate.EnterAddAsync();
        var imported = await repo.Importer().ImportBytesAsync(TestData.Bytes(2_200_000, 3));

        var gc = repo.CollectGarbageAsync();
        await Task.Delay(200);
        Assert.False(gc.IsCompleted);

        repo.Pins.Add(imported.Cid, PinKind.Recursive);
        await add.DisposeAsync();
        var result = await gc.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, result.BlocksRemoved);
        Assert.Equal(4, result.BlocksKept);
    }

    [Fact]
    public async Task Adds_WaitWhileGcRuns()
    {
        var gate = new AddGcGate();
        var gc = await gate.EnterGcAsync();
        var add = gate.EnterAddAsync();
        await Task.Delay(100);
        Assert.False(add.IsCompleted);
        await gc.DisposeAsync();
        await (await add.WaitAsync(TimeSpan.FromSeconds(5))).DisposeAsync();
    }

    [Fact]
    public async Task Pins_SurviveReopeningTheRepo()
    {
        using var dir = new TempDir();
        var repo = IpfsRepo.Open(new IpfsRepoOptions { Path = dir.Path });
        var file = Path.Combine(dir.Path, "f.txt");
        await File.WriteAllTextAsync(file, "hello");
        var added = await repo.AddAsync(file);
        var reopened = IpfsRepo.Open(new IpfsRepoOptions { Path = dir.Path });
        Assert.Equal(PinKind.Recursive, reopened.Pins.Get(added.Cid));
        Assert.True(reopened.Pins.Remove(added.Cid));
        Assert.Empty(IpfsRepo.Open(new IpfsRepoOptions { Path = dir.Path }).Pins.List());
        Assert.Equal(1, (await reopened.CollectGarbageAsync()).BlocksRemoved);
    }

    [Fact]
    public async Task RecursivePin_RequiresTheWholeDag()
    {
        using var dir = new TempDir();
        var repo = IpfsRepo.Open(new IpfsRepoOptions { Path = dir.Path });
        var root = await repo.Importer().ImportBytesAsync(TestData.Bytes(3_000_000, 5));
        await foreach (var cid in repo.Blocks.ListAsync())
        {
            if (!cid.Hash.Equals(root.Cid.Hash))
            {
                await repo.Blocks.DeleteAsync(cid);
                break;
            }
        }
        await Assert.ThrowsAsync<BlockNotFoundException>(() => repo.PinAsync(root.Cid, PinKind.Recursive));
        Assert.Null(repo.Pins.Get(root.Cid));
    }
}
