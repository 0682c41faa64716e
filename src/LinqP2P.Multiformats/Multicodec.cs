namespace LinqP2P.Multiformats;

/// <summary>Codes from the multicodec table (https://github.com/multiformats/multicodec) that LinqP2P uses.</summary>
public static class Multicodec
{
    public const ulong Identity = 0x00;
    public const ulong Sha2_256 = 0x12;
    public const ulong Raw = 0x55;
    public const ulong DagPb = 0x70;
    public const ulong DagCbor = 0x71;
    public const ulong Libp2pKey = 0x72;
    public const ulong DagJson = 0x0129;

    public static string NameOf(ulong code) => code switch
    {
        Identity => "identity",
        Sha2_256 => "sha2-256",
        Raw => "raw",
        DagPb => "dag-pb",
        DagCbor => "dag-cbor",
        Libp2pKey => "libp2p-key",
        DagJson => "dag-json",
        _ => $"0x{code:x}",
    };
}
