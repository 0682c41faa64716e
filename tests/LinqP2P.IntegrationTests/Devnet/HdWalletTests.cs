using LinqP2P.Node.Devnet;
using LinqP2P.TestKit;

namespace LinqP2P.IntegrationTests.Devnet;

public sealed class HdWalletTests
{
    [Fact]
    public void Derive_GivesAnvilsDevAccountsFromItsMnemonic()
    {
        for (var i = 0; i < AnvilFixture.DevAccounts.Count; i++)
        {
            var key = HdWallet.Derive(HdWallet.AnvilMnemonic, HdWallet.EthereumPath(i));
            Assert.Equal(AnvilFixture.DevAccounts[i], key.Address.ToLowerString());
        }
    }

    [Fact]
    public void Derive_MatchesTheBip32TestVectorOfAnotherMnemonic()
    {
        // cast wallet address --mnemonic "abandon … about" --mnemonic-index 0
        var key = HdWallet.Derive("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", HdWallet.EthereumPath(0));
        Assert.Equal("0x9858effd232b4033e47d90003d41ec34ecaeda94", key.Address.ToLowerString());
    }

    [Fact]
    public void Derive_RejectsAPathThatIsNotBip32()
    {
        Assert.Throws<LinqP2P.Core.InvalidInputException>(() => HdWallet.Derive(HdWallet.AnvilMnemonic, "44'/60'/0'/0/0"));
        Assert.Throws<LinqP2P.Core.InvalidInputException>(() => HdWallet.Derive(HdWallet.AnvilMnemonic, "m/44'/x/0"));
    }
}
