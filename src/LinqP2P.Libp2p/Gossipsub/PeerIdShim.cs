namespace LinqP2P.Libp2p.Gossipsub;

// TEMPORARY: stands in for the identity layer's PeerId until branch `libp2p` lands it; deleted then.
// Only equality, FromBytes and ToBytes are used, so the swap is mechanical.
public sealed class PeerId : IEquatable<PeerId>
{
    private readonly byte[] _bytes;

    private PeerId(byte[] bytes) => _bytes = bytes;

    public static PeerId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length is 0 or > 128)
        {
            throw new GossipsubException("peer_id.invalid", "a peer id must be 1..128 bytes");
        }
        return new PeerId(bytes.ToArray());
    }

    public byte[] ToBytes() => (byte[])_bytes.Clone();

    public bool Equals(PeerId? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as PeerId);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(_bytes);
        return h.ToHashCode();
    }

    public override string ToString() => Convert.ToHexString(_bytes);
}
