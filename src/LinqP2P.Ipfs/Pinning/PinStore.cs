using System.Text.Json;
using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Pinning;

public enum PinKind
{
    /// <summary>The block alone is kept.</summary>
    Direct,

    /// <summary>The block and everything it links to are kept.</summary>
    Recursive,
}

public sealed record Pin(Cid Cid, PinKind Kind);

/// <summary>
/// Pins persisted as a small JSON file (pins.json), rewritten atomically (temp file + rename) on every
/// change. Pins are few (one per job artifact), so a file beats a database here. SPEC.md §6.
/// </summary>
public sealed class PinStore
{
    private readonly string _path;
    private readonly Lock _lock = new();
    private readonly Dictionary<Cid, PinKind> _pins = [];

    public PinStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
        if (File.Exists(path))
        {
            try
            {
                var saved = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? [];
                foreach (var (cid, kind) in saved)
                {
                    _pins[Cid.Parse(cid)] = Enum.Parse<PinKind>(kind, ignoreCase: true);
                }
            }
            catch (Exception e) when (e is JsonException or MultiformatException or ArgumentException)
            {
                throw new IpfsFormatException("pins.corrupt", $"the pin file {path} is unreadable ({e.Message}): restore it from a backup or delete it and pin again", e);
            }
        }
    }

    public IReadOnlyList<Pin> List()
    {
        lock (_lock)
        {
            return _pins.Select(p => new Pin(p.Key, p.Value)).OrderBy(p => p.Cid.ToString(), StringComparer.Ordinal).ToList();
        }
    }

    public PinKind? Get(Cid cid)
    {
        lock (_lock)
        {
            return _pins.TryGetValue(cid, out var k) ? k : null;
        }
    }

    /// <summary>Adds or upgrades a pin (a recursive pin is never downgraded to direct).</summary>
    public void Add(Cid cid, PinKind kind)
    {
        ArgumentNullException.ThrowIfNull(cid);
        lock (_lock)
        {
            if (_pins.TryGetValue(cid, out var existing) && existing == PinKind.Recursive)
            {
                return;
            }
            _pins[cid] = kind;
            Save();
        }
    }

    public bool Remove(Cid cid)
    {
        lock (_lock)
        {
            if (!_pins.Remove(cid))
            {
                return false;
            }
            Save();
            return true;
        }
    }

    private void Save()
    {
        var json = JsonSerializer.Serialize(_pins.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString().ToLowerInvariant()));
        var temp = _path + ".tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, _path, overwrite: true);
    }
}
