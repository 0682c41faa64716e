using LinqP2P.Multiformats;

namespace LinqP2P.Ipfs.Blocks;

/// <summary>
/// A block whose bytes are known to hash to its CID: every constructor either computes the hash or checks
/// it, so a blockstore never has to trust its caller. At most <see cref="Limits.MaxBlockSize"/> bytes.
/// </summary>
public sealed class Block
{
    private Block(Cid cid, ReadOnlyMemory<byte> data)
    {
        Cid = cid;
        Data = data;
    }

    public Cid Cid { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Hashes <paramref name="data"/> with sha2-256 and makes a CID of the given version and codec.</summary>
    public static Block Create(ReadOnlyMemory<byte> data, ulong codec, int cidVersion)
    {
        CheckSize(data.Length);
        var hash = Multihash.Sha256(data.Span);
        var cid = cidVersion == 0 ? Cid.V0(hash) : Cid.V1(codec, hash);
        return new Block(cid, data);
    }

    /// <summary>Pairs bytes received from elsewhere with the CID they claim, after checking the hash.</summary>
    public static Block Verified(Cid cid, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(cid);
        CheckSize(data.Length);
        bool matches;
        try
        {
            matches = cid.Hash.Matches(data.Span);
        }
        catch (MultiformatException e)
        {
            throw new IpfsFormatException("block.unsupported_hash", $"block {cid} uses a hash function this store cannot verify", e);
        }
        if (!matches)
        {
            throw new IpfsFormatException("block.hash_mismatch", $"the bytes given for block {cid} do not hash to it: the source is corrupt or lying, fetch it elsewhere");
        }
        return new Block(cid, data);
    }

    private static void CheckSize(int length)
    {
        if (length > Limits.MaxBlockSize)
        {
            throw new IpfsFormatException("block.too_large", $"a block of {length} bytes exceeds the {Limits.MaxBlockSize}-byte limit");
        }
    }
}
