using LinqP2P.Libp2p.Identity;

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

/// <summary>Signs with the node's libp2p <see cref="KeyPair"/>.</summary>
public sealed class KeyPairPubsubSigner(KeyPair keyPair) : IPubsubSigner
{
    public PeerId PeerId => keyPair.PeerId;

    // Ed25519 keys are inlined in the peer id, so the key field stays empty (as go and js do).
    public byte[]? KeyField => keyPair.PeerId.InlinePublicKey is null ? keyPair.PublicKey.ToProtobuf() : null;

    public byte[] Sign(ReadOnlySpan<byte> data) => keyPair.Sign(data);
}

/// <summary>Verifies with the author's public key: the key field if present (it must hash to the author), else the inlined key.</summary>
public sealed class PubsubSignatureVerifier : IPubsubSignatureVerifier
{
    public static PubsubSignatureVerifier Instance { get; } = new();

    public bool Verify(PeerId author, byte[]? keyField, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        PublicKey? key;
        if (keyField is not null)
        {
            try
            {
                key = PublicKey.FromProtobuf(keyField);
            }
            catch (Core.LinqException)
            {
                return false;
            }
            if (!author.Matches(key))
            {
                return false;
            }
        }
        else
        {
            key = author.InlinePublicKey;
        }
        return key is not null && key.Verify(data, signature);
    }
}
