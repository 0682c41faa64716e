using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Rpc;

namespace LinqP2P.Node.Devnet;

/// <summary>Chooses how devnet wallets sign.</summary>
internal static class DevnetSigner
{
    // Sign in process, as a node does on a real chain, rather than relying on anvil's unlocked accounts.
    public static ITransactionSigner For(PrivateKey key) => new LocalKeySigner(key);
}
