using LinqP2P.Core;

namespace LinqP2P.Ipfs;

/// <summary>
/// A block, dag-pb node, UnixFS message or CAR file was malformed, oversized or not what it claimed to be.
/// Retrying the same bytes cannot help; fetch them again from another source.
/// </summary>
public sealed class IpfsFormatException : LinqException
{
    public IpfsFormatException(string code, string message, Exception? inner = null)
        : base("ipfs." + code, message, retryable: false, inner) { }
}

/// <summary>A block the operation needs is not in the local blockstore (fetch it, or import its CAR, first).</summary>
public sealed class BlockNotFoundException : LinqException
{
    public BlockNotFoundException(string cid)
        : base("ipfs.block_not_found", $"block {cid} is not in the local blockstore: import it (ipfs add / car import) or fetch it from a peer first", retryable: true)
    {
        Cid = cid;
    }

    public string Cid { get; }
}

/// <summary>Writing would take the blockstore past its size quota.</summary>
public sealed class BlockstoreQuotaExceededException : LinqException
{
    public BlockstoreQuotaExceededException(long quota, long used, long needed)
        : base("ipfs.quota_exceeded", $"the blockstore quota of {quota} bytes would be exceeded ({used} used, {needed} more needed): unpin content and run gc, or raise the quota", retryable: true)
    {
    }
}

/// <summary>A path inside a UnixFS directory would escape the export target or is not a valid file name.</summary>
public sealed class UnsafePathException : LinqException
{
    public UnsafePathException(string message)
        : base("ipfs.unsafe_path", message, retryable: false) { }
}

/// <summary>
/// A stored block no longer hashes to its CID (disk corruption or tampering). The store has already
/// removed it; fetch or re-import the content.
/// </summary>
public sealed class BlockCorruptedException : LinqException
{
    public BlockCorruptedException(string cid, string path)
        : base("ipfs.block_corrupted", $"stored block {cid} at {path} did not match its hash and was removed: re-import or fetch it again", retryable: true)
    {
        Cid = cid;
    }

    public string Cid { get; }
}
