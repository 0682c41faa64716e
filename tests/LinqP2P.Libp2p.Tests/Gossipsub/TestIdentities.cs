using System.Security.Cryptography;
using System.Text;
using LinqP2P.Libp2p.Gossipsub;

namespace LinqP2P.Libp2p.Tests.Gossipsub;

/// <summary>Fixed test identities for routers: peer id, signer and a verifier that checks the signature.</summary>
public static class TestIdentities
{
    public static TestIdentity Create(int index) => new(PeerId.FromBytes(Encoding.ASCII.GetBytes($"peer-{index:D4}")));

    public static IPubsubSignatureVerifier Verifier { get; } = new TestVerifier();

    public sealed class TestIdentity(PeerId peerId) : IPubsubSigner
    {
        public PeerId PeerId { get; } = peerId;

        public byte[]? KeyField => null;

        public byte[] Sign(ReadOnlySpan<byte> data) => TestVerifier.Mac(PeerId, data);
    }

    // A keyed hash standing in for Ed25519 in routing tests: it binds the signature to author and bytes,
    // which is what the router's checks depend on.
    private sealed class TestVerifier : IPubsubSignatureVerifier
    {
        public static byte[] Mac(PeerId author, ReadOnlySpan<byte> data) => HMACSHA256.HashData(author.ToBytes(), data);

        public bool Verify(PeerId author, byte[]? keyField, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
            Mac(author, data).AsSpan().SequenceEqual(signature);
    }
}
