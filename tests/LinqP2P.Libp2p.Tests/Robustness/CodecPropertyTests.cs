using FsCheck;
using FsCheck.Xunit;
using LinqP2P.Libp2p.Multistream;
using LinqP2P.Libp2p.Noise;
using LinqP2P.Libp2p.Protocols;
using LinqP2P.Libp2p.Streams;
using LinqP2P.Libp2p.Yamux;

namespace LinqP2P.Libp2p.Tests.Robustness;

/// <summary>Round trips and random-bytes properties for every wire decoder: a value or a typed error, never a crash.</summary>
public class CodecPropertyTests
{
    [Property(MaxTest = 300)]
    public void Multistream_Message_RoundTrips(NonNull<string> text)
    {
        var s = text.Get;
        if (System.Text.Encoding.UTF8.GetByteCount(s) + 1 > MultistreamSelect.MaxMessageLength || s.Any(char.IsSurrogate))
        {
            return;
        }
        var encoded = MultistreamSelect.Encode(s);
        var length = Multiformats.Varint.Read(encoded, out var n);
        Assert.Equal((ulong)(encoded.Length - n), length);
        Assert.Equal(s, MultistreamSelect.DecodeBody(encoded.AsSpan(n)));
    }

    [Property(MaxTest = 500)]
    public void Multistream_DecodersOnRandomBytes_ReturnOrThrowProtocolError(byte[] bytes)
    {
        try
        {
            MultistreamSelect.DecodeBody(bytes);
        }
        catch (Libp2pProtocolException)
        {
        }
        try
        {
            MultistreamSelect.DecodeLs(bytes);
        }
        catch (Libp2pProtocolException)
        {
        }
    }

    [Fact]
    public void Multistream_Ls_RoundTripsAList()
    {
        var protocols = new[] { "/ipfs/id/1.0.0", "/ipfs/ping/1.0.0" };
        var body = protocols.SelectMany(MultistreamSelect.Encode).Append((byte)'\n').ToArray();
        Assert.Equal(protocols, MultistreamSelect.DecodeLs(body));
    }

    [Property(MaxTest = 500)]
    public void YamuxHeader_RoundTripsValidHeaders(byte type, byte flags, uint id, uint length)
    {
        var t = (YamuxFrameType)(type % 4);
        var streamId = t is YamuxFrameType.Ping or YamuxFrameType.GoAway ? 0u : Math.Max(id, 1u);
        var header = new YamuxHeader(t, (YamuxFlags)(flags % 16), streamId, length);
        var bytes = new byte[YamuxHeader.Size];
        header.Write(bytes);
        Assert.Equal(header, YamuxHeader.Read(bytes));
    }

    [Property(MaxTest = 1000)]
    public void YamuxHeader_OnRandomBytes_ReturnsOrThrowsProtocolError(byte[] bytes)
    {
        try
        {
            YamuxHeader.Read(bytes);
        }
        catch (Libp2pProtocolException)
        {
        }
    }

    [Property(MaxTest = 500)]
    public void NoisePayload_OnRandomBytes_ThrowsProtocolError(byte[] bytes)
    {
        // Random bytes can never carry a valid signature over this key.
        Assert.Throws<Libp2pProtocolException>(() => NoiseHandshake.VerifyPayload(bytes, new byte[32], null));
    }

    [Fact]
    public void NoisePayload_FromOurIdentity_Verifies_AndBindsTheStaticKey()
    {
        using var pair = LinqP2P.Libp2p.Identity.KeyPair.Generate();
        var staticKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var payload = NoiseHandshake.CreatePayload(pair, staticKey);
        Assert.Equal(pair.PeerId, NoiseHandshake.VerifyPayload(payload, staticKey, pair.PeerId).Peer);
        staticKey[0] ^= 1;
        var e = Assert.Throws<Libp2pProtocolException>(() => NoiseHandshake.VerifyPayload(payload, staticKey, null));
        Assert.Equal("p2p.protocol.noise.signature", e.Code);
    }

    [Fact]
    public void NoisePayload_LargerThanTheLimit_IsRejected()
    {
        var e = Assert.Throws<Libp2pProtocolException>(() => NoiseHandshake.VerifyPayload(new byte[NoiseHandshake.MaxPayloadLength + 1], new byte[32], null));
        Assert.Equal("p2p.protocol.noise.payload", e.Code);
    }

    [Property(MaxTest = 300)]
    public void NoiseCipher_RoundTrips_AndRejectsAnyChangedByte(byte[] plaintext, PositiveInt position)
    {
        var key = new byte[32];
        key[0] = 7;
        using var sender = new CipherState();
        using var receiver = new CipherState();
        sender.InitializeKey(key);
        receiver.InitializeKey(key);
        var ciphertext = new byte[plaintext.Length + CipherState.TagLength];
        sender.Encrypt([], plaintext, ciphertext);
        var copy = (byte[])ciphertext.Clone();
        var decrypted = new byte[plaintext.Length];
        receiver.Decrypt([], ciphertext, decrypted);
        Assert.Equal(plaintext, decrypted);

        // Same key, next nonce: a flipped bit anywhere fails authentication with a typed error.
        sender.Encrypt([], plaintext, copy);
        copy[position.Get % copy.Length] ^= 0x01;
        Assert.Throws<Libp2pProtocolException>(() => receiver.Decrypt([], copy, decrypted));
    }

    [Property(MaxTest = 300)]
    public void NoiseCipher_OnRandomCiphertext_ThrowsProtocolError(byte[] ciphertext)
    {
        using var receiver = new CipherState();
        receiver.InitializeKey(new byte[32]);
        Assert.Throws<Libp2pProtocolException>(() => receiver.Decrypt([], ciphertext, new byte[Math.Max(0, ciphertext.Length)]));
    }

    [Property(MaxTest = 500)]
    public void Identify_OnRandomBytes_ReturnsOrThrowsProtocolError(byte[] bytes)
    {
        try
        {
            IdentifyService.Decode(bytes);
        }
        catch (Libp2pProtocolException)
        {
        }
    }

    [Property(MaxTest = 300)]
    public async Task LengthPrefixed_RoundTrips_AndRejectsOversizedMessages(byte[] message)
    {
        using var ms = new MemoryStream();
        await LengthPrefixed.WriteAsync(ms, message, CancellationToken.None);
        ms.Position = 0;
        Assert.Equal(message, await LengthPrefixed.ReadAsync(ms, message.Length, CancellationToken.None));
        if (message.Length > 0)
        {
            ms.Position = 0;
            await Assert.ThrowsAsync<Libp2pProtocolException>(() => LengthPrefixed.ReadAsync(ms, message.Length - 1, CancellationToken.None));
        }
    }
}
