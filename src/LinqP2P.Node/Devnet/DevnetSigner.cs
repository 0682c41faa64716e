using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Rpc;

namespace LinqP2P.Node.Devnet;

/// <summary>Chooses how devnet wallets sign.</summary>
internal static class DevnetSigner
{
    // anvil holds the dev mnemonic's accounts unlocked; until in-process transaction signing is wired in,
    // the devnet lets anvil sign for the derived address (the same key).
    public static ITransactionSigner For(PrivateKey key) => new NodeAccountSigner(key.Address.ToLowerString());
}
