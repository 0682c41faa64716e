using LinqP2P.Core;
using LinqP2P.Ipfs.Blocks;

namespace LinqP2P.Ipfs.Http.Kubo;

/// <summary>Where a node keeps its blocks.</summary>
public enum IpfsBackendKind
{
    /// <summary>The node's own on-disk store (<see cref="IpfsRepo"/>): the default.</summary>
    Embedded,

    /// <summary>A user's existing Kubo, through its RPC API.</summary>
    Kubo,
}

/// <summary>The <c>ipfs.backend</c> setting (SPEC.md §6.7).</summary>
public sealed class IpfsBackendOptions
{
    /// <summary>Default: <see cref="IpfsBackendKind.Embedded"/>.</summary>
    public IpfsBackendKind Backend { get; init; } = IpfsBackendKind.Embedded;

    /// <summary>Used when <see cref="Backend"/> is Kubo.</summary>
    public KuboBackendOptions Kubo { get; init; } = new();

    /// <summary>Parses the setting's text form: "embedded" or "kubo".</summary>
    public static IpfsBackendKind ParseKind(string text) => text.Trim().ToLowerInvariant() switch
    {
        "embedded" => IpfsBackendKind.Embedded,
        "kubo" => IpfsBackendKind.Kubo,
        _ => throw new InvalidInputException("ipfs.backend.unknown", $"unknown IPFS backend '{text}': use embedded or kubo"),
    };
}

/// <summary>Chooses the block store a node uses, from <see cref="IpfsBackendOptions"/>.</summary>
public static class IpfsBackend
{
    /// <summary>The repo's own store for Embedded, a <see cref="KuboBlockStore"/> for Kubo.</summary>
    public static IBlockStore CreateBlockStore(IpfsBackendOptions options, IpfsRepo embedded)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(embedded);
        return options.Backend switch
        {
            IpfsBackendKind.Embedded => embedded.Blocks,
            IpfsBackendKind.Kubo => new KuboBlockStore(options.Kubo),
            _ => throw new InvalidInputException("ipfs.backend.unknown", $"unknown IPFS backend {options.Backend}"),
        };
    }
}
