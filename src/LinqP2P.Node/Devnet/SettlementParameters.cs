using System.Numerics;

namespace LinqP2P.Node.Devnet;

/// <summary>
/// The constructor arguments of the settlement contracts (SPEC.md §2.1). The defaults are the values of
/// the contracts' shared fixture (contracts/test/utils/Fixture.sol), so a devnet is that deployment.
/// Amounts are LNQ wei, periods are seconds (draw delay: blocks).
/// </summary>
public sealed record SettlementParameters
{
    public static readonly BigInteger Lnq = BigInteger.Pow(10, 18);

    public BigInteger InitialSupply { get; init; } = 100_000_000 * Lnq;

    public BigInteger Cap { get; init; } = 1_000_000_000 * Lnq;

    public BigInteger TimelockDelay { get; init; } = 2 * 86_400;

    public BigInteger VotingDelay { get; init; } = 86_400;

    public BigInteger VotingPeriod { get; init; } = 5 * 86_400;

    public BigInteger ProposalThreshold { get; init; } = 100_000 * Lnq;

    public BigInteger QuorumPercent { get; init; } = 4;

    public BigInteger MinStake { get; init; } = 1_000 * Lnq;

    public BigInteger UnbondingDelay { get; init; } = 7 * 86_400;

    public BigInteger InitialRewardPerShard { get; init; } = 10 * Lnq;

    public BigInteger EpochDuration { get; init; } = 30 * 86_400;

    public BigInteger DecayBps { get; init; } = 5_000;

    public BigInteger RewardFunding { get; init; } = 10_000_000 * Lnq;

    public BigInteger FeeBps { get; init; } = 100;

    public BigInteger PenaltyBps { get; init; } = 2_000;

    public BigInteger MinDisputeWindow { get; init; } = 3_600;

    public BigInteger MaxDisputeWindow { get; init; } = 30 * 86_400;

    public BigInteger MaxShardsPerJob { get; init; } = 1_024;

    public BigInteger DisputeBond { get; init; } = 100 * Lnq;

    public BigInteger JurorCount { get; init; } = 3;

    public BigInteger SlashBps { get; init; } = 1_000;

    public BigInteger NoShowPenaltyBps { get; init; } = 500;

    public BigInteger MinJurorStake { get; init; } = 1_000 * Lnq;

    public BigInteger RespondPeriod { get; init; } = 2 * 86_400;

    public BigInteger CommitPeriod { get; init; } = 86_400;

    public BigInteger RevealPeriod { get; init; } = 86_400;

    public BigInteger JurorWithdrawalDelay { get; init; } = 7 * 86_400;

    public BigInteger DrawDelayBlocks { get; init; } = 5;

    /// <summary>Steps 10–11 of SPEC.md §2.1: hand every admin role to the timelock and renounce the deployer's.
    /// Default true, as the fixture does.</summary>
    public bool HandOverToGovernance { get; init; } = true;
}
