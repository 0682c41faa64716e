namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>
/// The id of a published message: by default the author's peer id bytes followed by its seqno
/// (the go and js default), or whatever <see cref="GossipsubOptions.MessageIdFunction"/> returns.
/// Compared by value so it can key the seen cache and message cache.
/// </summary>
public readonly struct MessageId : IEquatable<MessageId>
{
    private readonly byte[] _bytes;
    private readonly int _hash;

    public MessageId(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        _bytes = bytes;
        var h = new HashCode();
        h.AddBytes(bytes);
        _hash = h.ToHashCode();
    }

    public ReadOnlySpan<byte> Span => _bytes;

    public byte[] ToArray() => (byte[])_bytes.Clone();

    public int Length => _bytes?.Length ?? 0;

    /// <summary>The default id: from ‖ seqno.</summary>
    public static MessageId FromAuthorAndSeqno(PubsubMessage message)
    {
        var from = message.From ?? [];
        var seqno = message.Seqno ?? [];
        var bytes = new byte[from.Length + seqno.Length];
        from.CopyTo(bytes, 0);
        seqno.CopyTo(bytes, from.Length);
        return new MessageId(bytes);
    }

    /// <summary>
    /// The js-libp2p gossipsub 17 default: the author's public key protobuf ‖ seqno. Use it in networks
    /// with js peers so that IHAVE/IWANT ids match theirs. Falls back to from ‖ seqno when no key is known.
    /// </summary>
    public static MessageId FromPublicKeyAndSeqno(PubsubMessage message)
    {
        byte[]? key = message.Key;
        if (key is null && message.From is { } from)
        {
            try
            {
                key = Identity.PeerId.FromBytes(from).InlinePublicKey?.ToProtobuf();
            }
            catch (Core.LinqException)
            {
            }
        }
        if (key is null)
        {
            return FromAuthorAndSeqno(message);
        }
        var seqno = message.Seqno ?? [];
        var bytes = new byte[key.Length + seqno.Length];
        key.CopyTo(bytes, 0);
        seqno.CopyTo(bytes, key.Length);
        return new MessageId(bytes);
    }

    public bool Equals(MessageId other) => _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is MessageId other && Equals(other);

    public override int GetHashCode() => _hash;

    public override string ToString() => Convert.ToHexString(_bytes ?? []);

    public static bool operator ==(MessageId left, MessageId right) => left.Equals(right);

    public static bool operator !=(MessageId left, MessageId right) => !left.Equals(right);
}
