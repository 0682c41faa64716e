using System.Buffers.Binary;
using Google.Protobuf;
using LinqP2P.Libp2p.Identity;
using LinqP2P.Libp2p.Noise.Pb;
using NSec.Cryptography;
using PublicKey = LinqP2P.Libp2p.Identity.PublicKey;

namespace LinqP2P.Libp2p.Noise;

/// <summary>
/// The libp2p Noise handshake (specs/noise/README.md, SPEC.md §5): XX pattern with X25519, ChaCha20-Poly1305
/// and SHA-256. The responder's second message and the initiator's third carry a protobuf payload with the
/// libp2p identity key and its signature over "noise-libp2p-static-key:" + the Noise static key, which binds
/// the encrypted channel to the peer id. Every handshake message is a 2-byte big-endian length and a body.
/// </summary>
public static class NoiseHandshake
{
    public const string ProtocolId = "/noise";

    /// <summary>Largest Noise message (handshake or transport), set by the 2-byte length prefix.</summary>
    public const int MaxMessageLength = 65535;

    /// <summary>Largest handshake payload protobuf we accept (keys and signatures are far smaller).</summary>
    public const int MaxPayloadLength = 8 * 1024;

    private const string SignaturePrefix = "noise-libp2p-static-key:";
    private static readonly KeyAgreementAlgorithm X25519 = KeyAgreementAlgorithm.X25519;

    /// <summary>The result: an encrypted stream and the authenticated remote identity.</summary>
    public sealed record Result(NoiseStream Stream, PeerId RemotePeer, PublicKey RemoteKey);

    /// <summary>
    /// Runs the handshake as initiator. When <paramref name="expectedPeer"/> is set, a remote with another
    /// identity is refused (code <c>p2p.protocol.noise.peer_mismatch</c>).
    /// </summary>
    public static async Task<Result> InitiateAsync(Stream stream, KeyPair identity, PeerId? expectedPeer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(identity);
        using var state = new SymmetricState();
        using var s = CreateX25519();
        using var e = CreateX25519();
        var sPub = s.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var ePub = e.PublicKey.Export(KeyBlobFormat.RawPublicKey);

        // -> e
        state.MixHash(ePub);
        var payload1 = state.EncryptAndHash([]);
        await WriteMessageAsync(stream, Concat(ePub, payload1), cancellationToken);

        // <- e, ee, s, es
        var msg2 = await ReadMessageAsync(stream, cancellationToken);
        if (msg2.Length < 32 + 48 + CipherState.TagLength)
        {
            throw new Libp2pProtocolException("noise.short", $"the responder's handshake message has {msg2.Length} bytes, too few for e and s");
        }
        var re = msg2.AsSpan(0, 32).ToArray();
        state.MixHash(re);
        state.MixKey(Agree(e, re));
        var rs = state.DecryptAndHash(msg2.AsSpan(32, 48));
        state.MixKey(Agree(e, rs));
        var payload2 = state.DecryptAndHash(msg2.AsSpan(80));
        var (remotePeer, remoteKey) = VerifyPayload(payload2, rs, expectedPeer);

        // -> s, se
        var encS = state.EncryptAndHash(sPub);
        state.MixKey(Agree(s, re));
        var encPayload = state.EncryptAndHash(CreatePayload(identity, sPub));
        await WriteMessageAsync(stream, Concat(encS, encPayload), cancellationToken);

        var (k1, k2) = state.Split();
        return new Result(new NoiseStream(stream, sendKey: k1, receiveKey: k2), remotePeer, remoteKey);
    }

    /// <summary>Runs the handshake as responder.</summary>
    public static async Task<Result> RespondAsync(Stream stream, KeyPair identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(identity);
        using var state = new SymmetricState();
        using var s = CreateX25519();
        using var e = CreateX25519();
        var sPub = s.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var ePub = e.PublicKey.Export(KeyBlobFormat.RawPublicKey);

        // -> e
        var msg1 = await ReadMessageAsync(stream, cancellationToken);
        if (msg1.Length < 32)
        {
            throw new Libp2pProtocolException("noise.short", $"the initiator's first handshake message has {msg1.Length} bytes, fewer than 32");
        }
        var re = msg1.AsSpan(0, 32).ToArray();
        state.MixHash(re);
        state.DecryptAndHash(msg1.AsSpan(32));

        // <- e, ee, s, es
        state.MixHash(ePub);
        state.MixKey(Agree(e, re));
        var encS = state.EncryptAndHash(sPub);
        state.MixKey(Agree(s, re));
        var encPayload = state.EncryptAndHash(CreatePayload(identity, sPub));
        await WriteMessageAsync(stream, Concat(ePub, Concat(encS, encPayload)), cancellationToken);

        // -> s, se
        var msg3 = await ReadMessageAsync(stream, cancellationToken);
        if (msg3.Length < 48 + CipherState.TagLength)
        {
            throw new Libp2pProtocolException("noise.short", $"the initiator's last handshake message has {msg3.Length} bytes, too few for s");
        }
        var rs = state.DecryptAndHash(msg3.AsSpan(0, 48));
        state.MixKey(Agree(e, rs));
        var payload3 = state.DecryptAndHash(msg3.AsSpan(48));
        var (remotePeer, remoteKey) = VerifyPayload(payload3, rs, null);

        var (k1, k2) = state.Split();
        return new Result(new NoiseStream(stream, sendKey: k2, receiveKey: k1), remotePeer, remoteKey);
    }

    /// <summary>Builds our payload: identity key and its signature over the Noise static key.</summary>
    internal static byte[] CreatePayload(KeyPair identity, ReadOnlySpan<byte> staticPublicKey) =>
        new NoiseHandshakePayload
        {
            IdentityKey = ByteString.CopyFrom(identity.PublicKey.ToProtobuf()),
            IdentitySig = ByteString.CopyFrom(identity.Sign(SignedBytes(staticPublicKey))),
        }.ToByteArray();

    /// <summary>
    /// Decodes a remote payload and checks that its identity key signed <paramref name="remoteStatic"/>.
    /// Throws <see cref="Libp2pProtocolException"/> for malformed payloads, bad keys, bad signatures and
    /// (when <paramref name="expectedPeer"/> is set) a different peer.
    /// </summary>
    internal static (PeerId Peer, PublicKey Key) VerifyPayload(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> remoteStatic, PeerId? expectedPeer)
    {
        if (payload.Length > MaxPayloadLength)
        {
            throw new Libp2pProtocolException("noise.payload", $"a handshake payload of {payload.Length} bytes exceeds {MaxPayloadLength}");
        }
        NoiseHandshakePayload decoded;
        try
        {
            decoded = NoiseHandshakePayload.Parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new Libp2pProtocolException("noise.payload", "the handshake payload is not a valid protobuf", e);
        }
        PublicKey key;
        try
        {
            key = PublicKey.FromProtobuf(decoded.IdentityKey.Span);
        }
        catch (Libp2pFormatException e)
        {
            throw new Libp2pProtocolException("noise.identity_key", "the handshake payload carries an invalid identity key: " + e.Message, e);
        }
        if (!key.Verify(SignedBytes(remoteStatic), decoded.IdentitySig.Span))
        {
            throw new Libp2pProtocolException("noise.signature", "the identity key did not sign the Noise static key");
        }
        var peer = key.ToPeerId();
        if (expectedPeer is not null && peer != expectedPeer)
        {
            throw new Libp2pProtocolException("noise.peer_mismatch", $"dialed {expectedPeer} but the remote is {peer}");
        }
        return (peer, key);
    }

    private static byte[] SignedBytes(ReadOnlySpan<byte> staticKey)
    {
        var prefix = System.Text.Encoding.ASCII.GetBytes(SignaturePrefix);
        return Concat(prefix, staticKey);
    }

    private static Key CreateX25519() =>
        Key.Create(X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    private static byte[] Agree(Key local, ReadOnlySpan<byte> remotePublic)
    {
        if (!NSec.Cryptography.PublicKey.TryImport(X25519, remotePublic, KeyBlobFormat.RawPublicKey, out var remote) || remote is null)
        {
            throw new Libp2pProtocolException("noise.key", "the remote sent an invalid X25519 key");
        }
        using var secret = X25519.Agree(local, remote, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })
            ?? throw new Libp2pProtocolException("noise.key", "the remote sent a low-order X25519 key");
        return secret.Export(SharedSecretBlobFormat.RawSharedSecret);
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var r = new byte[a.Length + b.Length];
        a.CopyTo(r);
        b.CopyTo(r.AsSpan(a.Length));
        return r;
    }

    private static async Task WriteMessageAsync(Stream stream, byte[] message, CancellationToken cancellationToken)
    {
        var frame = new byte[2 + message.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, checked((ushort)message.Length));
        message.CopyTo(frame, 2);
        await stream.WriteAsync(frame, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private static async Task<byte[]> ReadMessageAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[2];
        await ReadExactAsync(stream, header, cancellationToken);
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
        await ReadExactAsync(stream, message, cancellationToken);
        return message;
    }

    internal static async Task ReadExactAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..], cancellationToken);
            if (n == 0)
            {
                throw new Libp2pConnectionException("closed", $"the connection closed inside a Noise message ({read} of {buffer.Length} bytes)");
            }
            read += n;
        }
    }
}
