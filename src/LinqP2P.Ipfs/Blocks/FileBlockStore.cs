using System.Runtime.CompilerServices;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Blocks;

/// <summary>Options of <see cref="FileBlockStore"/>.</summary>
public sealed class FileBlockStoreOptions
{
    /// <summary>The largest total size of stored blocks in bytes; null (the default) means no quota.</summary>
    public long? QuotaBytes { get; init; }
}

/// <summary>
/// Blocks on disk, one file each, laid out like Kubo's flatfs "next-to-last/2": the key is the
/// multihash in unpadded upper-case base32 and the folder is the two characters before its last one
/// (blocks/<c>XY</c>/<c>KEY.data</c>). Writes go to a temporary file first and are renamed into place, so a
/// crash never leaves a half-written block under a real key; reads re-hash and remove blocks that rotted.
/// SPEC.md §6.
/// </summary>
public sealed class FileBlockStore : IBlockStore
{
    private const string Extension = ".data";
    private readonly string _blocksDir;
    private readonly string _tempDir;
    private readonly FileBlockStoreOptions _options;
    private long _usedBytes;

    public FileBlockStore(string root, FileBlockStoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _options = options ?? new FileBlockStoreOptions();
        _blocksDir = Path.Combine(root, "blocks");
        _tempDir = Path.Combine(root, "tmp");
        Directory.CreateDirectory(_blocksDir);
        Directory.CreateDirectory(_tempDir);
        foreach (var stale in Directory.EnumerateFiles(_tempDir))
        {
            // Leftovers of writes interrupted by a crash: never renamed, so never part of the store.
            File.Delete(stale);
        }
        _usedBytes = Directory.EnumerateFiles(_blocksDir, "*" + Extension, SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
    }

    /// <summary>Bytes taken by stored blocks.</summary>
    public long UsedBytes => Interlocked.Read(ref _usedBytes);

    public static string KeyOf(Multihash hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return Base32.Encode(hash.ToBytes(), upper: true);
    }

    private string PathOf(Multihash hash)
    {
        var key = KeyOf(hash);
        return Path.Combine(_blocksDir, key.Substring(key.Length - 3, 2), key + Extension);
    }

    public async Task PutAsync(Block block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        var path = PathOf(block.Cid.Hash);
        if (File.Exists(path))
        {
            return;
        }
        var size = block.Data.Length;
        // Reserve the space before writing, so parallel writers cannot pass the quota together.
        var used = Interlocked.Add(ref _usedBytes, size);
        if (_options.QuotaBytes is { } quota && used > quota)
        {
            Interlocked.Add(ref _usedBytes, -size);
            throw new BlockstoreQuotaExceededException(quota, used - size, size);
        }
        var stored = false;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = Path.Combine(_tempDir, Guid.NewGuid().ToString("N"));
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(block.Data, cancellationToken);
            }
            try
            {
                File.Move(temp, path, overwrite: false);
                stored = true;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another writer stored the same block first (identical bytes): count it once.
                File.Delete(temp);
            }
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        finally
        {
            if (!stored)
            {
                Interlocked.Add(ref _usedBytes, -size);
            }
        }
    }

    public async Task<byte[]?> TryGetAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        var path = PathOf(cid.Hash);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        if (bytes.Length > Limits.MaxBlockSize || !cid.Hash.Matches(bytes))
        {
            if (Remove(path))
            {
                Interlocked.Add(ref _usedBytes, -bytes.Length);
            }
            throw new BlockCorruptedException(cid.ToString(), path);
        }
        return bytes;
    }

    public Task<bool> HasAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        return Task.FromResult(File.Exists(PathOf(cid.Hash)));
    }

    public Task<bool> DeleteAsync(Cid cid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cid);
        var path = PathOf(cid.Hash);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return Task.FromResult(false);
        }
        var length = info.Length;
        if (Remove(path))
        {
            Interlocked.Add(ref _usedBytes, -length);
            return Task.FromResult(true);
        }
        return Task.FromResult(false);
    }

    private static bool Remove(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public async IAsyncEnumerable<Cid> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var file in Directory.EnumerateFiles(_blocksDir, "*" + Extension, SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Path.GetFileNameWithoutExtension(file);
            Multihash hash;
            try
            {
                hash = Multihash.Decode(Base32.Decode(key.ToLowerInvariant()));
            }
            catch (MultiformatException)
            {
                // Not a block file of ours; leave it alone.
                continue;
            }
            yield return Cid.V1(Multicodec.Raw, hash);
        }
        await Task.CompletedTask;
    }
}
