using LinqP2P.Contracts;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Rpc;

namespace LinqP2P.Node.Devnet;

/// <summary>The deployed settlement contracts, wired as SPEC.md §2.1 describes.</summary>
public sealed record SettlementContracts(
    LnqToken Token,
    LinqTimelock Timelock,
    LinqGovernor Governor,
    ProviderRegistry Registry,
    RewardPool RewardPool,
    JobEscrow Escrow,
    DisputeCourt Court);

/// <summary>
/// Deploys and wires the settlement contracts through the generated bindings, call for call as the
/// contracts' fixture (<c>Fixture._deploy</c>) and SPEC.md §2.1 list them.
/// </summary>
public static class SettlementDeployer
{
    public static async Task<SettlementContracts> DeployAsync(TransactionSender deployer, SettlementParameters p, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deployer);
        ArgumentNullException.ThrowIfNull(p);
        var me = Address.Parse(deployer.Address);
        var ct = cancellationToken;

        progress?.Report("deploying LnqToken");
        var token = await LnqToken.DeployAsync(deployer, me, me, p.InitialSupply, p.Cap, ct);
        progress?.Report("deploying LinqTimelock");
        var timelock = await LinqTimelock.DeployAsync(deployer, p.TimelockDelay, [], [Address.Zero], me, ct);
        progress?.Report("deploying LinqGovernor");
        var governor = await LinqGovernor.DeployAsync(deployer, token.Address, timelock.Address, p.VotingDelay, p.VotingPeriod,
            p.ProposalThreshold, p.QuorumPercent, ct);
        progress?.Report("deploying ProviderRegistry");
        var registry = await ProviderRegistry.DeployAsync(deployer, token.Address, me, p.MinStake, p.UnbondingDelay, ct);
        progress?.Report("deploying RewardPool");
        var rewardPool = await RewardPool.DeployAsync(deployer, token.Address, me, p.InitialRewardPerShard, p.EpochDuration, p.DecayBps, ct);
        progress?.Report("deploying JobEscrow");
        var escrow = await JobEscrow.DeployAsync(deployer, token.Address, registry.Address, rewardPool.Address, timelock.Address, me,
            p.FeeBps, p.PenaltyBps, p.MinDisputeWindow, p.MaxDisputeWindow, p.MaxShardsPerJob, ct);
        progress?.Report("deploying DisputeCourt");
        var court = await DisputeCourt.DeployAsync(deployer, token.Address, escrow.Address, registry.Address, me,
            new DisputeCourt.CourtParams(p.DisputeBond, p.JurorCount, p.SlashBps, p.NoShowPenaltyBps, p.MinJurorStake,
                p.RespondPeriod, p.CommitPeriod, p.RevealPeriod, p.JurorWithdrawalDelay, p.DrawDelayBlocks), ct);

        progress?.Report("wiring roles");
        await registry.GrantRoleAsync(await registry.EscrowRoleAsync(cancellationToken: ct), escrow.Address, ct);
        await registry.GrantRoleAsync(await registry.CourtRoleAsync(cancellationToken: ct), court.Address, ct);
        await escrow.GrantRoleAsync(await escrow.CourtRoleAsync(cancellationToken: ct), court.Address, ct);
        await rewardPool.GrantRoleAsync(await rewardPool.EscrowRoleAsync(cancellationToken: ct), escrow.Address, ct);
        await timelock.GrantRoleAsync(await timelock.ProposerRoleAsync(cancellationToken: ct), governor.Address, ct);
        await timelock.GrantRoleAsync(await timelock.CancellerRoleAsync(cancellationToken: ct), governor.Address, ct);

        progress?.Report("funding the reward pool");
        await token.ApproveAsync(rewardPool.Address, p.RewardFunding, ct);
        await rewardPool.FundAsync(p.RewardFunding, ct);

        if (p.HandOverToGovernance)
        {
            progress?.Report("handing admin roles to the timelock");
            var admin = Hash32.Zero;
            var minter = await token.MinterRoleAsync(cancellationToken: ct);
            await token.GrantRoleAsync(admin, timelock.Address, ct);
            await token.GrantRoleAsync(minter, timelock.Address, ct);
            await registry.GrantRoleAsync(admin, timelock.Address, ct);
            await rewardPool.GrantRoleAsync(admin, timelock.Address, ct);
            await escrow.GrantRoleAsync(admin, timelock.Address, ct);
            await court.GrantRoleAsync(admin, timelock.Address, ct);
            await token.RenounceRoleAsync(minter, me, ct);
            await token.RenounceRoleAsync(admin, me, ct);
            await registry.RenounceRoleAsync(admin, me, ct);
            await rewardPool.RenounceRoleAsync(admin, me, ct);
            await escrow.RenounceRoleAsync(admin, me, ct);
            await court.RenounceRoleAsync(admin, me, ct);
            await timelock.RenounceRoleAsync(admin, me, ct);
        }
        return new SettlementContracts(token, timelock, governor, registry, rewardPool, escrow, court);
    }

    /// <summary>Read-only bindings (or with <paramref name="sender"/>) of contracts deployed earlier, from their addresses.</summary>
    public static SettlementContracts Attach(EthRpc rpc, DevnetContracts addresses, TransactionSender? sender = null)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return new SettlementContracts(
            new LnqToken(Address.Parse(addresses.Token), rpc, sender),
            new LinqTimelock(Address.Parse(addresses.Timelock), rpc, sender),
            new LinqGovernor(Address.Parse(addresses.Governor), rpc, sender),
            new ProviderRegistry(Address.Parse(addresses.Registry), rpc, sender),
            new RewardPool(Address.Parse(addresses.RewardPool), rpc, sender),
            new JobEscrow(Address.Parse(addresses.Escrow), rpc, sender),
            new DisputeCourt(Address.Parse(addresses.Court), rpc, sender));
    }
}
