using LinqP2P.Ethereum.Rpc;
using LiteDB;

namespace LinqP2P.Node.Chain;

/// <summary>
/// Log cursors in a LiteDB file, so a node resumes its event subscriptions where it stopped.
/// Each cursor is one document (its JSON form under the subscription name); LiteDB writes a document
/// atomically through its journal, so a crash leaves the old or the new cursor, never half of one.
/// </summary>
public sealed class LiteDbLogCursorStore : ILogCursorStore, IDisposable
{
    private const string Collection = "log_cursors";
    private readonly LiteDatabase _db;

    public LiteDbLogCursorStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        // Shared mode lets a second store instance (a restarted poller in the same process) open the file.
        _db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Shared });
    }

    public LogCursor? Load(string subscription)
    {
        var doc = _db.GetCollection(Collection).FindById(subscription);
        return doc is null ? null : LogCursorJson.Deserialize(doc["cursor"].AsString);
    }

    public void Save(string subscription, LogCursor cursor)
    {
        var doc = new BsonDocument { ["_id"] = subscription, ["cursor"] = LogCursorJson.Serialize(cursor) };
        _db.GetCollection(Collection).Upsert(doc);
    }

    public void Dispose() => _db.Dispose();
}
