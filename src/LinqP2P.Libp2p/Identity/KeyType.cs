namespace LinqP2P.Libp2p.Identity;

/// <summary>The key types of the libp2p key protobuf (specs/peer-ids/peer-ids.md, SPEC.md §5).</summary>
public enum KeyType
{
    Rsa = 0,
    Ed25519 = 1,
    Secp256k1 = 2,
    Ecdsa = 3,
}
