using System.Numerics;
using LinqP2P.Contracts;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Rpc;
using LinqP2P.IntegrationTests.Rpc;
using LinqP2P.Node.Devnet;
using LinqP2P.TestKit;

namespace LinqP2P.IntegrationTests.Contracts;

/// <summary>The settlement contracts deployed by the devnet deployer through the generated bindings, on a real anvil.</summary>
public sealed class SettlementTests : IAsyncLifetime
{
    private static readonly BigInteger Lnq = SettlementParameters.Lnq;
    private AnvilFixture _anvil = null!;
    private EthRpc _rpc = null!;
    private SettlementContracts _deployed = null!;

    public async Task InitializeAsync()
    {
        _anvil = await AnvilFixture.StartAsync();
        _rpc = Chain.Rpc(_anvil);
        _deployed = await SettlementDeployer.DeployAsync(Chain.Signed(_rpc, 0), new SettlementParameters());
    }

    public async Task DisposeAsync()
    {
        _rpc.Dispose();
        await _anvil.DisposeAsync();
    }

    private SettlementContracts As(int devAccount) => SettlementDeployer.Attach(_rpc, Addresses(), Chain.Signed(_rpc, devAccount));

    private DevnetContracts Addresses() => new(_deployed.Token.Address.ToString(), _deployed.Timelock.Address.ToString(),
        _deployed.Governor.Address.ToString(), _deployed.Registry.Address.ToString(), _deployed.RewardPool.Address.ToString(),
        _deployed.Escrow.Address.ToString(), _deployed.Court.Address.ToString());

    private static Address Dev(int i) => Address.Parse(AnvilFixture.DevAccounts[i]);

    private static PrivateKey DevKey(int i) => HdWallet.Derive(HdWallet.AnvilMnemonic, HdWallet.EthereumPath(i));

    [Fact]
    public async Task Deployment_IsWiredAndHandedToGovernanceAsTheSpecSays()
    {
        var d = _deployed;
        foreach (var contract in new ContractBinding[] { d.Token, d.Timelock, d.Governor, d.Registry, d.RewardPool, d.Escrow, d.Court })
        {
            Assert.NotEmpty(await _rpc.GetCodeAsync(contract.Address.ToLowerString()));
        }
        Assert.True(await d.Registry.HasRoleAsync(await d.Registry.EscrowRoleAsync(), d.Escrow.Address));
        Assert.True(await d.Registry.HasRoleAsync(await d.Registry.CourtRoleAsync(), d.Court.Address));
        Assert.True(await d.Escrow.HasRoleAsync(await d.Escrow.CourtRoleAsync(), d.Court.Address));
        Assert.True(await d.RewardPool.HasRoleAsync(await d.RewardPool.EscrowRoleAsync(), d.Escrow.Address));
        Assert.True(await d.Timelock.HasRoleAsync(await d.Timelock.ProposerRoleAsync(), d.Governor.Address));
        Assert.True(await d.Token.HasRoleAsync(Hash32.Zero, d.Timelock.Address));
        Assert.False(await d.Token.HasRoleAsync(Hash32.Zero, Dev(0)));
        Assert.False(await d.Escrow.HasRoleAsync(Hash32.Zero, Dev(0)));
        var p = new SettlementParameters();
        Assert.Equal(p.RewardFunding, await d.Token.BalanceOfAsync(d.RewardPool.Address));
        Assert.Equal(p.InitialSupply - p.RewardFunding, await d.Token.BalanceOfAsync(Dev(0)));
        Assert.Equal(p.FeeBps, await d.Escrow.FeeBpsAsync());
    }

    [Fact]
    public async Task JobLifecycle_RegisterLockWithPermitCompleteAccept_BalancesReconcileExactly()
    {
        var deployer = As(0);
        var provider = As(1);
        var requester = As(2);
        await deployer.Token.TransferAsync(Dev(1), 10_000 * Lnq);
        await deployer.Token.TransferAsync(Dev(2), 1_000 * Lnq);

        // The provider stakes and registers.
        var stake = 5_000 * Lnq;
        await provider.Token.ApproveAsync(provider.Registry.Address, stake);
        var registered = await provider.Registry.RegisterAsync(stake, new ProviderRegistry.Capabilities(
            16, 65_536, "RTX 4090", 24_576, 2_000, "eu-west", 0, "12D3KooWtest"u8.ToArray()));
        var providerId = Assert.Single(provider.Registry.ProviderRegisteredEvents(registered)).ProviderId;
        Assert.Equal(stake, (await provider.Registry.ProviderAsync(providerId)).Stake);

        var holders = new[] { Dev(1), Dev(2), _deployed.Timelock.Address, _deployed.Escrow.Address, _deployed.RewardPool.Address, _deployed.Registry.Address };
        var before = await BalancesAsync(holders);

        // The requester locks two shards of 10 LNQ for that provider.
        var price = 10 * Lnq;
        var head = await _rpc.GetBlockByNumberAsync(BlockTag.Latest);
        // No approve transaction: the escrow pulls the payment with an EIP-2612 permit signed off chain.
        var permit = await requester.Token.SignPermitAsync(DevKey(2), requester.Escrow.Address, 2 * price, head!.Timestamp + 3_600);
        var locked = await requester.Escrow.LockWithPermitAsync(Keccak256.Hash("spec"), head.Timestamp + 86_400, 86_400, [providerId, providerId],
            [price, price], permit.Deadline, permit.V, permit.R, permit.S);
        Assert.Equal(0, await requester.Token.AllowanceAsync(Dev(2), requester.Escrow.Address));
        var jobId = Assert.Single(requester.Escrow.JobLockedEvents(locked)).JobId;

        // The provider completes both; the requester accepts both.
        await provider.Escrow.CompleteAsync(jobId, 0, Keccak256.Hash("result 0"));
        await provider.Escrow.CompleteAsync(jobId, 1, Keccak256.Hash("result 1"));
        var rewards = BigInteger.Zero;
        foreach (var shard in new[] { 0, 1 })
        {
            var accepted = await requester.Escrow.AcceptAsync(jobId, shard);
            var released = Assert.Single(requester.Escrow.ShardReleasedEvents(accepted));
            Assert.Equal(price / 100, released.Fee);
            rewards += requester.RewardPool.RewardPaidEvents(accepted).Aggregate(BigInteger.Zero, (sum, r) => sum + r.Amount);
        }
        Assert.True(rewards > 0, "the reward pool paid nothing");

        var after = await BalancesAsync(holders);
        var fee = 2 * price / 100;
        Assert.Equal(before[0] + (2 * price) - fee + rewards, after[0]); // provider: net price + rewards
        Assert.Equal(before[1] - (2 * price), after[1]);                  // requester: paid the full price
        Assert.Equal(before[2] + fee, after[2]);                          // treasury (timelock): the fee
        Assert.Equal(before[3], after[3]);                                // escrow: holds nothing for this job
        Assert.Equal(before[4] - rewards, after[4]);                      // reward pool: paid the rewards
        Assert.Equal(before[5], after[5]);                                // registry: the stake is untouched
        Assert.Equal(before.Aggregate(BigInteger.Add), after.Aggregate(BigInteger.Add));
        Assert.Equal(2, (await requester.Registry.ProviderAsync(providerId)).Completed);
    }

    [Fact]
    public async Task Send_OfAForbiddenCall_RaisesTheDecodedCustomErrorBeforeSending()
    {
        var stranger = As(3);
        var before = await _rpc.GetTransactionCountAsync(AnvilFixture.DevAccounts[3]);
        var ex = await Assert.ThrowsAsync<RevertedException>(() => stranger.Escrow.AcceptAsync(7, 0));
        var error = Assert.IsType<JobEscrow.EscrowUnknownJobError>(ex.Error);
        Assert.Equal(7, error.JobId);
        Assert.Equal("EscrowUnknownJob", ex.Reason!.Name);
        Assert.Equal(before, await _rpc.GetTransactionCountAsync(AnvilFixture.DevAccounts[3]));
    }

    [Fact]
    public async Task MinedRevert_IsReplayedAndRaisedWithItsDecodedCustomError()
    {
        var sender = Chain.Sender(_rpc, 4);
        // A fixed gas limit skips estimation, so the transaction is mined and reverts on chain.
        var ex = await Assert.ThrowsAsync<RevertedException>(() => sender.SendAndWaitAsync(new TransactionRequest
        {
            To = _deployed.Escrow.Address.ToLowerString(),
            Data = JobEscrow.EncodeAccept(42, 3),
            Gas = 200_000,
        }));
        Assert.NotNull(ex.TransactionHash);
        var receipt = await _rpc.GetTransactionReceiptAsync(ex.TransactionHash!);
        Assert.False(receipt!.Succeeded);
        Assert.Equal(42, Assert.IsType<JobEscrow.EscrowUnknownJobError>(ex.Error).JobId);
    }

    [Fact]
    public async Task LockWithPermit_SignedForTooLittle_RaisesEscrowNotFunded()
    {
        var deployer = As(0);
        await deployer.Token.TransferAsync(Dev(8), 100 * Lnq);
        var requester = As(8);
        var head = await _rpc.GetBlockByNumberAsync(BlockTag.Latest);
        var permit = await requester.Token.SignPermitAsync(DevKey(8), requester.Escrow.Address, 5 * Lnq, head!.Timestamp + 3_600);
        var ex = await Assert.ThrowsAsync<RevertedException>(() => requester.Escrow.LockWithPermitAsync(Keccak256.Hash("spec"),
            head.Timestamp + 86_400, 86_400, [1], [10 * Lnq], permit.Deadline, permit.V, permit.R, permit.S));
        var error = Assert.IsType<JobEscrow.EscrowNotFundedError>(ex.Error);
        Assert.Equal(0, error.Allowance);
        Assert.Equal(10 * Lnq, error.Total);
    }

    [Fact]
    public async Task Call_RevertingWithAnOpenZeppelinError_IsDecoded()
    {
        var poor = As(5);
        var ex = await Assert.ThrowsAsync<RevertedException>(() => poor.Token.TransferAsync(Dev(6), 1));
        Assert.Equal("ERC20InsufficientBalance", ex.Reason!.Name);
    }

    private async Task<BigInteger[]> BalancesAsync(Address[] holders)
    {
        var balances = new BigInteger[holders.Length];
        for (var i = 0; i < holders.Length; i++)
        {
            balances[i] = await _deployed.Token.BalanceOfAsync(holders[i]);
        }
        return balances;
    }
}
