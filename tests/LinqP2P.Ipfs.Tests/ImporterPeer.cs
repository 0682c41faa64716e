using LinqP2P.TestKit;

namespace LinqP2P.Ipfs.Tests;

/// <summary>
/// One long-lived Node process running ipfs-unixfs-importer 17 (tests/js/ipfs-importer.mjs), shared by
/// the interop tests so that hundreds of comparisons do not each pay for a Node start.
/// </summary>
public sealed class ImporterPeer : IAsyncLifetime
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private JsPeer? _peer;
    private int _nextId;

    public async Task InitializeAsync() => _peer = await JsPeer.StartAsync("ipfs-importer.mjs");

    public async Task DisposeAsync()
    {
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
        _lock.Dispose();
    }

    /// <summary>The CID and DAG size the importer gives; <paramref name="profile"/> null means its default.</summary>
    public async Task<(string Cid, ulong Size)> ImportAsync(Dictionary<string, object?> command, string? profile, TimeSpan? timeout = null)
    {
        await _lock.WaitAsync();
        try
        {
            var id = ++_nextId;
            command["id"] = id;
            command["profile"] = profile;
            await _peer!.SendAsync(command);
            var reply = await _peer.NextAsync(timeout ?? TimeSpan.FromMinutes(2));
            Assert.Equal(id, reply.GetProperty("id").GetInt32());
            if (reply.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException("the importer failed: " + error.GetString());
            }
            return (reply.GetProperty("cid").GetString()!, (ulong)reply.GetProperty("size").GetInt64());
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task<(string Cid, ulong Size)> ImportBytesAsync(byte[] content, string? profile) =>
        ImportAsync(new() { ["op"] = "bytes", ["b64"] = Convert.ToBase64String(content) }, profile);

    public Task<(string Cid, ulong Size)> ImportFileAsync(string path, string? profile) =>
        ImportAsync(new() { ["op"] = "file", ["path"] = path }, profile, TimeSpan.FromMinutes(10));

    public Task<(string Cid, ulong Size)> ImportDirectoryAsync(string root, IEnumerable<object> entries, string? profile) =>
        ImportAsync(new() { ["op"] = "dir", ["root"] = root, ["entries"] = entries.ToList() }, profile, TimeSpan.FromMinutes(5));

    public static string? ProfileName(LinqP2P.Ipfs.Importing.ImportProfile profile) =>
        profile == LinqP2P.Ipfs.Importing.ImportProfile.ImporterDefault ? null : profile.Name;
}

[CollectionDefinition(Name)]
public sealed class ImporterPeerCollection : ICollectionFixture<ImporterPeer>
{
    public const string Name = "ipfs-unixfs-importer";
}
