using System.Globalization;
using LinqP2P.Core;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Multiformats;
using Microsoft.AspNetCore.Http;

namespace LinqP2P.Ipfs.Http.Rpc;

/// <summary>Kubo-style query arguments (<c>?arg=...&amp;recursive=true</c>), every one validated.</summary>
internal sealed class RpcArgs(IQueryCollection query)
{
    /// <summary>Most positional arguments one call accepts.</summary>
    public const int MaxArgs = 256;

    public IReadOnlyList<string> Positional()
    {
        var args = query["arg"];
        if (args.Count > MaxArgs)
        {
            throw new InvalidInputException("ipfs.rpc.too_many_args", $"at most {MaxArgs} arguments per call");
        }
        return args.Select(a => a ?? "").ToList();
    }

    public string Single(string what)
    {
        var args = Positional();
        return args.Count == 1
            ? args[0]
            : throw new InvalidInputException("ipfs.rpc.argument", $"argument \"{what}\" is required (exactly one ?arg=)");
    }

    public IReadOnlyList<string> AtLeastOne(string what)
    {
        var args = Positional();
        return args.Count > 0 ? args : throw new InvalidInputException("ipfs.rpc.argument", $"argument \"{what}\" is required (?arg=)");
    }

    public string? String(string name) => query.TryGetValue(name, out var v) && v.Count > 0 ? v[^1] : null;

    public bool Bool(string name, bool defaultValue)
    {
        var v = String(name);
        return v switch
        {
            null => defaultValue,
            "" or "true" or "1" => true,
            "false" or "0" => false,
            _ => throw new InvalidInputException("ipfs.rpc.option", $"option {name}='{v}' is not a boolean (true or false)"),
        };
    }

    public long? Long(string name, long min, long max)
    {
        var v = String(name);
        if (v is null)
        {
            return null;
        }
        if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw new InvalidInputException("ipfs.rpc.option", $"option {name}='{v}' must be an integer in {min}..{max}");
        }
        return n;
    }

    public static Cid ParseCid(string text)
    {
        try
        {
            return Cid.Parse(text.StartsWith("/ipfs/", StringComparison.Ordinal) && !text[6..].Contains('/', StringComparison.Ordinal) ? text[6..] : text);
        }
        catch (MultiformatException e)
        {
            throw new InvalidInputException("ipfs.rpc.bad_cid", $"invalid CID '{text}': {e.Message}", e);
        }
    }

    /// <summary>
    /// The import profile of an add: <c>profile=NAME</c> picks one of ours; otherwise Kubo's options adjust
    /// the default. cid-version=0 means unixfs-v0-2015, cid-version=1 the default's v1 profile;
    /// raw-leaves and chunker=size-N then override single fields (as Kubo does).
    /// </summary>
    public ImportProfile Profile(ImportProfile defaultProfile)
    {
        if (String("profile") is { } name)
        {
            try
            {
                return ImportProfile.Parse(name);
            }
            catch (ArgumentException e)
            {
                throw new InvalidInputException("ipfs.rpc.profile", e.Message, e);
            }
        }
        var profile = Long("cid-version", 0, 1) switch
        {
            0 => ImportProfile.UnixFsV0_2015,
            1 => defaultProfile.CidVersion == 1 ? defaultProfile : ImportProfile.UnixFsV1_2025,
            _ => defaultProfile,
        };
        if (String("raw-leaves") is not null)
        {
            profile = profile with { RawLeaves = Bool("raw-leaves", profile.RawLeaves) };
        }
        if (String("chunker") is { } chunker)
        {
            const int maxChunk = 1_048_576;
            if (!chunker.StartsWith("size-", StringComparison.Ordinal)
                || !int.TryParse(chunker.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size < 1 || size > maxChunk)
            {
                throw new InvalidInputException("ipfs.rpc.chunker", $"chunker '{chunker}' is not supported: use size-N with N in 1..{maxChunk} (rabin and buzhash are not implemented)");
            }
            profile = profile with { ChunkSize = size };
        }
        if (Long("max-file-links", 2, 65_536) is { } links)
        {
            profile = profile with { MaxLinksPerNode = (int)links };
        }
        if (String("hash") is { } hash && hash != "sha2-256")
        {
            throw new InvalidInputException("ipfs.rpc.hash", $"hash '{hash}' is not supported: only sha2-256");
        }
        foreach (var unsupported in new[] { "trickle", "nocopy", "fscache", "inline" })
        {
            if (Bool(unsupported, false))
            {
                throw new InvalidInputException("ipfs.rpc.option", $"option {unsupported} is not supported by this node");
            }
        }
        var named = ImportProfile.All.FirstOrDefault(p => p == profile with { Name = p.Name });
        return named ?? profile with { Name = "custom" };
    }
}
