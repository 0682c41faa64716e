using System.Numerics;
using System.Text;
using LinqP2P.Ipfs.DagPb;
using LinqP2P.Ipfs.UnixFs;

namespace LinqP2P.Ipfs.Importing;

/// <summary>
/// Builds UnixFS directories from imported children: a flat directory, or a HAMT shard once the
/// profile's size estimate passes its threshold. The estimate counts only children that already have a
/// CID when the importer measures it (files, symlinks, empty folders); sub-folders count zero, exactly as
/// in ipfs-unixfs-importer, which measures before it builds them.
/// </summary>
internal sealed class DirectoryBuilder
{
    private readonly UnixFsImporter _importer;
    private readonly ImportProfile _profile;

    public DirectoryBuilder(UnixFsImporter importer, ImportProfile profile)
    {
        _importer = importer;
        _profile = profile;
    }

    internal sealed class Dir
    {
        public Dictionary<string, object> Children { get; } = new(StringComparer.Ordinal);

        public void Put(string[] parts, UnixFsImporter.Child child, bool isDirectoryEntry)
        {
            var dir = this;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (!dir.Children.TryGetValue(parts[i], out var next) || next is not Dir sub)
                {
                    sub = new Dir();
                    dir.Children[parts[i]] = sub;
                }
                dir = sub;
            }
            var name = parts[^1];
            if (isDirectoryEntry && dir.Children.TryGetValue(name, out var existing) && existing is Dir)
            {
                return;
            }
            dir.Children[name] = child;
        }
    }

    public async Task<UnixFsImporter.Child> FlushAsync(Dir dir, CancellationToken cancellationToken)
    {
        if (ShouldShard(dir))
        {
            var bucket = new Bucket();
            foreach (var (name, value) in dir.Children)
            {
                bucket.Put(name, Encoding.UTF8.GetBytes(name), value, 0);
            }
            return await FlushBucketAsync(bucket, cancellationToken);
        }
        var links = new List<(byte[] Name, PbLink Link)>();
        foreach (var (name, value) in dir.Children)
        {
            var child = value is Dir sub ? await FlushAsync(sub, cancellationToken) : (UnixFsImporter.Child)value;
            links.Add((Encoding.UTF8.GetBytes(name), new PbLink(child.Cid, name, child.DagSize)));
        }
        links.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        var data = new UnixFsData { Type = UnixFsType.Directory }.Encode();
        return await _importer.WriteNodeAsync(new PbNode(links.Select(l => l.Link).ToList(), data), cancellationToken);
    }

    private bool ShouldShard(Dir dir)
    {
        long estimate = _profile.ShardSplitStrategy == ShardSplitStrategy.BlockBytes ? DirectoryDataFieldSize : 0;
        foreach (var (name, value) in dir.Children)
        {
            if (value is not UnixFsImporter.Child child)
            {
                continue;
            }
            var nameBytes = Encoding.UTF8.GetByteCount(name);
            var cidBytes = child.Cid.ToBytes().Length;
            estimate += _profile.ShardSplitStrategy == ShardSplitStrategy.LinksBytes
                ? nameBytes + cidBytes
                : LinkSerializedSize(nameBytes, cidBytes, child.DagSize);
        }
        return estimate > _profile.ShardSplitThresholdBytes;
    }

    /// <summary>The dag-pb Data field of a plain directory: tag, length, then UnixFS {Type: Directory}.</summary>
    private const int DirectoryDataFieldSize = 4;

    private static long LinkSerializedSize(int nameBytes, int cidBytes, ulong tsize)
    {
        var link = ProtoWire.SizeOfBytesField(cidBytes) + ProtoWire.SizeOfBytesField(nameBytes) + ProtoWire.SizeOfVarintField(tsize);
        return ProtoWire.SizeOfBytesField(link);
    }

    /// <summary>One HAMT level: up to 256 slots, each a leaf (name and value) or a deeper bucket.</summary>
    private sealed class Bucket
    {
        public SortedDictionary<int, object> Slots { get; } = [];

        public void Put(string name, byte[] key, object value, int level)
        {
            var index = IndexAt(key, level);
            if (!Slots.TryGetValue(index, out var existing))
            {
                Slots[index] = new Leaf(name, key, value);
                return;
            }
            if (existing is Bucket sub)
            {
                sub.Put(name, key, value, level + 1);
                return;
            }
            var leaf = (Leaf)existing;
            if (leaf.Name == name)
            {
                Slots[index] = new Leaf(name, key, value);
                return;
            }
            var bucket = new Bucket();
            bucket.Put(leaf.Name, leaf.Key, leaf.Value, level + 1);
            bucket.Put(name, key, value, level + 1);
            Slots[index] = bucket;
        }
    }

    private sealed record Leaf(string Name, byte[] Key, object Value);

    /// <summary>
    /// The slot of <paramref name="key"/> at HAMT depth <paramref name="level"/>: successive bytes of the
    /// big-endian murmur3-x64-64 hash; past 8 levels the key is re-hashed with the round number appended.
    /// </summary>
    internal static int IndexAt(byte[] key, int level)
    {
        var round = level / 8;
        ulong hash;
        if (round == 0)
        {
            hash = Murmur3.X64_64(key);
        }
        else
        {
            var extended = new byte[key.Length + 1];
            key.CopyTo(extended, 0);
            extended[^1] = (byte)round;
            hash = Murmur3.X64_64(extended);
        }
        return (int)((hash >> (56 - 8 * (level % 8))) & 0xff);
    }

    private async Task<UnixFsImporter.Child> FlushBucketAsync(Bucket bucket, CancellationToken cancellationToken)
    {
        var links = new List<(byte[] Name, PbLink Link)>();
        var bitfield = BigInteger.Zero;
        foreach (var (index, slot) in bucket.Slots)
        {
            bitfield |= BigInteger.One << index;
            var label = index.ToString("X2", System.Globalization.CultureInfo.InvariantCulture);
            UnixFsImporter.Child child;
            string name;
            if (slot is Bucket sub)
            {
                child = await FlushBucketAsync(sub, cancellationToken);
                name = label;
            }
            else
            {
                var leaf = (Leaf)slot;
                child = leaf.Value is Dir dir ? await FlushAsync(dir, cancellationToken) : (UnixFsImporter.Child)leaf.Value;
                name = label + leaf.Name;
            }
            links.Add((Encoding.UTF8.GetBytes(name), new PbLink(child.Cid, name, child.DagSize)));
        }
        links.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        var data = new UnixFsData
        {
            Type = UnixFsType.HamtShard,
            // Big-endian with leading zero bytes dropped, as go-unixfs and the js importer write it.
            Data = bitfield.ToByteArray(isUnsigned: true, isBigEndian: true),
            HashType = UnixFsData.Murmur3X64_64,
            Fanout = ImportProfile.HamtFanout,
        };
        return await _importer.WriteNodeAsync(new PbNode(links.Select(l => l.Link).ToList(), data.Encode()), cancellationToken);
    }
}
