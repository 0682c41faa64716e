using System.Numerics;
using LinqP2P.Ethereum.Rpc;
using LinqP2P.TestKit;

namespace LinqP2P.IntegrationTests.Rpc;

public sealed class TransactionSenderTests : IClassFixture<AnvilFixture>
{
    private readonly AnvilFixture _anvil;

    public TransactionSenderTests(AnvilFixture anvil)
    {
        _anvil = anvil;
    }

    [Fact]
    public async Task ConcurrentSends_FromOneWallet_GetDistinctConsecutiveNonces()
    {
        using var rpc = Chain.Rpc(_anvil);
        var sender = Chain.Sender(rpc, devAccount: 1);
        var first = await rpc.GetTransactionCountAsync(sender.Address);

        var hashes = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() =>
            sender.SendAsync(new TransactionRequest { To = AnvilFixture.DevAccounts[9], Value = i + 1, Gas = 21_000 }))));

        var nonces = new List<BigInteger>();
        foreach (var hash in hashes)
        {
            var receipt = await sender.WaitForReceiptAsync(hash);
            Assert.True(receipt.Succeeded);
            nonces.Add(await Chain.NonceOfAsync(rpc, hash));
        }
        Assert.Equal(Enumerable.Range(0, 24).Select(i => first + i), nonces.Order());
        Assert.Equal(first + 24, await rpc.GetTransactionCountAsync(sender.Address));
    }

    [Fact]
    public async Task ConcurrentSignedSends_GetDistinctConsecutiveNoncesAndAreSignedByTheKey()
    {
        using var rpc = Chain.Rpc(_anvil);
        var sender = Chain.Signed(rpc, devAccount: 6);
        var first = await rpc.GetTransactionCountAsync(sender.Address);

        var hashes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            sender.SendAsync(new TransactionRequest { To = AnvilFixture.DevAccounts[9], Value = i + 1, Gas = 21_000 }))));

        var nonces = new List<BigInteger>();
        foreach (var hash in hashes)
        {
            var receipt = await sender.WaitForReceiptAsync(hash);
            Assert.True(receipt.Succeeded);
            Assert.Equal(AnvilFixture.DevAccounts[6], receipt.From);
            nonces.Add(await Chain.NonceOfAsync(rpc, hash));
        }
        Assert.Equal(Enumerable.Range(0, 16).Select(i => first + i), nonces.Order());
    }

    [Fact]
    public async Task LegacySignedSend_IsMinedWithItsGasPrice()
    {
        using var rpc = Chain.Rpc(_anvil);
        var sender = Chain.Signed(rpc, devAccount: 7);
        var gasPrice = await rpc.GasPriceAsync() * 2;
        var receipt = await sender.SendAndWaitAsync(new TransactionRequest
        {
            To = AnvilFixture.DevAccounts[9],
            Value = 5,
            Gas = 21_000,
            Fees = new FeeQuote(null, null, gasPrice),
        });
        Assert.Equal(gasPrice, receipt.EffectiveGasPrice);
    }

    [Fact]
    public async Task Send_ResyncsTheNonceAfterAnotherProcessUsedIt()
    {
        using var rpc = Chain.Rpc(_anvil);
        var sender = Chain.Sender(rpc, devAccount: 2);
        var start = await rpc.GetTransactionCountAsync(sender.Address);
        await sender.SendAndWaitAsync(new TransactionRequest { To = AnvilFixture.DevAccounts[9], Value = 1, Gas = 21_000 });

        // Another wallet instance (a second process, or this one before a restart) spends the next nonce.
        var other = Chain.Sender(rpc, devAccount: 2);
        await other.SendAndWaitAsync(new TransactionRequest { To = AnvilFixture.DevAccounts[9], Value = 2, Gas = 21_000 });

        var receipt = await sender.SendAndWaitAsync(new TransactionRequest { To = AnvilFixture.DevAccounts[9], Value = 3, Gas = 21_000 });
        Assert.True(receipt.Succeeded);
        Assert.Equal(start + 2, await Chain.NonceOfAsync(rpc, receipt.TransactionHash));
    }

    [Fact]
    public async Task Send_DoesNotConsumeANonceWhenTheNodeRefusesTheTransaction()
    {
        using var rpc = Chain.Rpc(_anvil);
        var sender = Chain.Sender(rpc, devAccount: 3);
        var before = await rpc.GetTransactionCountAsync(sender.Address);

        var tooCheap = new FeeQuote(MaxFeePerGas: 1, MaxPriorityFeePerGas: 1, GasPrice: null);
        var ex = await Assert.ThrowsAsync<TransactionUnderpricedException>(() =>
            sender.SendAsync(new TransactionRequest { To = AnvilFixture.DevAccounts[9], Value = 1, Gas = 21_000, Fees = tooCheap }));
        Assert.Equal("eth.tx.underpriced", ex.Code);

        var receipt = await sender.SendAndWaitAsync(new TransactionRequest { To = AnvilFixture.DevAccounts[9], Value = 1, Gas = 21_000 });
        Assert.Equal(before, await Chain.NonceOfAsync(rpc, receipt.TransactionHash));
    }

    [Fact]
    public async Task Replacement_AtTheSameFee_IsRefusedAsUnderpriced()
    {
        // Interval mining far apart keeps the first transaction pending while the replacement arrives.
        await using var slow = await AnvilFixture.StartAsync(blockTimeSeconds: 120);
        using var rpc = Chain.Rpc(slow);
        var signer = new LocalKeySigner(LinqP2P.Node.Devnet.HdWallet.Derive(LinqP2P.Node.Devnet.HdWallet.AnvilMnemonic, "m/44'/60'/0'/0/1"));
        var fees = new FeeQuote(MaxFeePerGas: 10_000_000_000, MaxPriorityFeePerGas: 1_000_000_000, GasPrice: null);
        var first = new PreparedTransaction(AnvilFixture.DefaultChainId, 0, AnvilFixture.DevAccounts[9], [], 1, 21_000, fees);
        await signer.BroadcastAsync(rpc, first, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<TransactionUnderpricedException>(() =>
            signer.BroadcastAsync(rpc, first with { Value = 2 }, CancellationToken.None));
        Assert.Contains("replacement", ex.Message, StringComparison.OrdinalIgnoreCase);

        // Paying more than 10% extra replaces it.
        var bumped = new FeeQuote(MaxFeePerGas: 12_000_000_000, MaxPriorityFeePerGas: 1_200_000_000, GasPrice: null);
        await signer.BroadcastAsync(rpc, first with { Value = 2, Fees = bumped }, CancellationToken.None);
    }

    [Fact]
    public async Task WaitForReceipt_ReturnsOnlyAfterTheRequestedConfirmations()
    {
        using var rpc = Chain.Rpc(_anvil);
        var sender = Chain.Sender(rpc, devAccount: 4);
        var hash = await sender.SendAsync(new TransactionRequest { To = AnvilFixture.DevAccounts[9], Value = 1, Gas = 21_000 });
        var mined = await sender.WaitForReceiptAsync(hash, confirmations: 1);

        var waiting = sender.WaitForReceiptAsync(hash, confirmations: 4);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "returned before any confirmation block was mined");
        await Chain.MineAsync(rpc, 2);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "returned with 3 of 4 confirmations");
        await Chain.MineAsync(rpc, 1);

        var confirmed = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(mined.BlockHash, confirmed.BlockHash);
        Assert.True(await rpc.BlockNumberAsync() >= confirmed.BlockNumber + 3);
    }

    [Fact]
    public async Task WaitForReceipt_TimesOutWithATypedErrorForAnUnknownTransaction()
    {
        using var rpc = Chain.Rpc(_anvil);
        var sender = new TransactionSender(rpc, new NodeAccountSigner(AnvilFixture.DevAccounts[0]),
            options: new TransactionSenderOptions { PollInterval = TimeSpan.FromMilliseconds(50), ReceiptTimeout = TimeSpan.FromMilliseconds(400) });
        var ex = await Assert.ThrowsAsync<ReceiptTimeoutException>(() => sender.WaitForReceiptAsync("0x" + new string('a', 64)));
        Assert.True(ex.Retryable);
    }

    [Fact]
    public async Task Send_RefusesAnvilWhenAnotherChainIsConfigured()
    {
        using var rpc = Chain.Rpc(_anvil, chainId: 1);
        var sender = Chain.Sender(rpc, devAccount: 5);
        var before = await rpc.GetTransactionCountAsync(sender.Address);
        var ex = await Assert.ThrowsAsync<WrongChainException>(() =>
            sender.SendAsync(new TransactionRequest { To = AnvilFixture.DevAccounts[9], Value = 1, Gas = 21_000 }));
        Assert.Equal(AnvilFixture.DefaultChainId, ex.Actual);
        Assert.Equal(before, await rpc.GetTransactionCountAsync(sender.Address));
    }

    [Fact]
    public async Task Call_OfEmptyCode_ReturnsEmptyData()
    {
        using var rpc = Chain.Rpc(_anvil);
        var result = await rpc.CallAsync(new CallRequest { To = "0x00000000000000000000000000000000000000aa", Data = "0x" });
        Assert.Empty(result);
    }
}
