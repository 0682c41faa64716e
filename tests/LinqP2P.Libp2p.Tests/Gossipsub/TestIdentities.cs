using System.Security.Cryptography;
using System.Text;
using LinqP2P.Libp2p.Gossipsub;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Tests.Gossipsub;

/// <summary>Fixed Ed25519 test identities (seed = SHA-256 of "gossipsub-test-N"), cached because routers are rebuilt often.</summary>
public static class TestIdentities
{
    private static readonly Dictionary<int, KeyPairPubsubSigner> Cache = [];

    public static KeyPairPubsubSigner Create(int index)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(index, out var signer))
            {
                var seed = SHA256.HashData(Encoding.ASCII.GetBytes($"gossipsub-test-{index}"));
                Cache[index] = signer = new KeyPairPubsubSigner(KeyPair.FromSeed(seed));
            }
            return signer;
        }
    }

    public static IPubsubSignatureVerifier Verifier => PubsubSignatureVerifier.Instance;
}
