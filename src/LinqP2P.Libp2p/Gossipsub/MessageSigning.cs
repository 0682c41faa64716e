namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>The local identity the router signs published messages with (StrictSign).</summary>
public interface IPubsubSigner
{
    PeerId PeerId { get; }

    /// <summary>The protobuf-encoded public key for the message's key field, or null when the peer id inlines it (Ed25519).</summary>
    byte[]? KeyField { get; }

    byte[] Sign(ReadOnlySpan<byte> data);
}

/// <summary>Checks a message signature against its author (the key inlined in the peer id, or the key field).</summary>
public interface IPubsubSignatureVerifier
{
    /// <summary>True when <paramref name="signature"/> over <paramref name="data"/> is the author's and the key (if given) belongs to the author.</summary>
    bool Verify(PeerId author, byte[]? keyField, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
}

/// <summary>StrictSign: signs and verifies "libp2p-pubsub:" ‖ protobuf(message without signature and key).</summary>
public static class MessageSigning
{
    /// <summary>The prefix the v1.1 spec puts before the signed protobuf bytes.</summary>
    public static ReadOnlySpan<byte> Prefix => "libp2p-pubsub:"u8;

    /// <summary>The exact bytes a signature covers.</summary>
    public static byte[] SignedPayload(PubsubMessage message)
    {
        var body = RpcCodec.EncodeMessage(message, includeSignature: false);
        var payload = new byte[Prefix.Length + body.Length];
        Prefix.CopyTo(payload);
        body.CopyTo(payload, Prefix.Length);
        return payload;
    }

    /// <summary>Sets from, signature and key on <paramref name="message"/> (whose seqno, topic and data are set).</summary>
    public static void Sign(PubsubMessage message, IPubsubSigner signer)
    {
        message.From = signer.PeerId.ToBytes();
        message.Signature = null;
        message.Key = null;
        message.Signature = signer.Sign(SignedPayload(message));
        message.Key = signer.KeyField;
    }
}
