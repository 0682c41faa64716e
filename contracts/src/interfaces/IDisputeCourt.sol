// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Dispute court: bonded disputes over completed shards, decided by stake-weighted random jurors
/// @notice Either party of a completed shard (the requester or the owner of the shard's provider) opens a
/// dispute within the shard's dispute window by posting {CourtParams-disputeBond}; the escrow freezes the
/// shard. The other party answers with an equal bond within `respondPeriod`, or loses by default. Once
/// both are bonded the court commits to a future block (`drawBlock = block.number + drawDelayBlocks`);
/// after it, anyone calls {drawJurors}, which seeds the draw with `blockhash(drawBlock)` and picks
/// `jurorCount` seats from the staked jurors, weighted by stake (a juror may hold several seats; the
/// parties' own juror stake is left out of the draw). Jurors commit `keccak256(abi.encode(disputeId, juror, ruling, salt))`
/// before `commitDeadline` and reveal before `revealDeadline` (reveals open early once every seat has
/// committed). {resolve} then applies the seat majority:
///  - RequesterWins: the escrow refunds the shard; the provider's stake is slashed by `slashBps` (paid
///    to the requester) and the loss recorded; the provider's bond goes to the majority jurors.
///  - ProviderWins: the escrow pays the shard; the requester's bond goes to the majority jurors.
///  - Split (a tie, including no reveals): the escrow pays half to each side; both bonds are returned.
/// Winners get their bond back. Drawn jurors that did not reveal lose `noShowPenaltyBps` of their stake
/// to the jurors who did vote with the majority (to the treasury if none did). Payouts per seat are equal;
/// rounding dust goes to the treasury.
///
/// Randomness: `blockhash` of a block fixed when the respondent bonds. Nobody knows it at that time, but
/// on an L2 the sequencer builds that block and can grind its contents (or withhold/reorder) to bias the
/// draw; `prevrandao` is no better there (the L1 value of an older epoch on OP-stack chains, a constant
/// on Arbitrum). If more than 256 blocks pass before the draw, the hash is gone and {drawJurors} commits
/// to a new future block instead. See SPEC.md §2 for the limits.
/// @dev Roles: DEFAULT_ADMIN_ROLE = governance (the timelock) sets {CourtParams}. The court needs
/// COURT_ROLE on the JobEscrow and on the ProviderRegistry.
interface IDisputeCourt {
    /// @notice Life cycle of a dispute.
    enum DisputeStatus {
        None,
        AwaitingResponse, // opened, waiting for the respondent's bond
        AwaitingDraw, // both bonded, waiting for drawBlock
        Voting, // jurors drawn: commit, then reveal
        Resolved
    }

    /// @notice A ruling; jurors vote RequesterWins or ProviderWins.
    enum Ruling {
        None,
        RequesterWins,
        ProviderWins,
        Split
    }

    /// @notice Court parameters, set by governance.
    struct CourtParams {
        uint96 disputeBond; // LNQ each party bonds
        uint16 jurorCount; // seats per dispute, odd, 1..31
        uint16 slashBps; // share of the losing provider's slashable stake taken, <= 10_000
        uint16 noShowPenaltyBps; // share of a drawn juror's stake lost for not revealing, <= 10_000
        uint128 minJurorStake; // smallest juror stake
        uint64 respondPeriod; // seconds the respondent has to bond
        uint64 commitPeriod; // seconds from the draw to the commit deadline
        uint64 revealPeriod; // seconds from the commit deadline to the reveal deadline
        uint64 jurorWithdrawalDelay; // seconds between a juror's withdrawal request and its withdrawal
        uint32 drawDelayBlocks; // blocks between the respondent's bond and the draw block, 1..200
    }

    /// @notice One dispute.
    struct Dispute {
        uint256 jobId;
        uint256 shardIndex;
        address opener;
        address respondent;
        address requester;
        uint64 providerId;
        uint96 bond; // each side's bond, snapshotted at open
        uint16 seats; // jurorCount snapshotted at open
        DisputeStatus status;
        Ruling ruling;
        bool respondentBonded;
        uint64 respondDeadline;
        uint64 drawBlock;
        uint64 commitDeadline;
        uint64 revealDeadline;
    }

    /// @notice Seat counts of a dispute's votes.
    struct Tally {
        uint16 committed;
        uint16 revealed;
        uint16 forRequester;
        uint16 forProvider;
    }

    /// @notice A drawn juror's vote in one dispute.
    struct Vote {
        uint16 seats;
        Ruling revealed;
        bytes32 commitment;
    }

    /// @notice A juror's stake.
    struct Juror {
        uint128 stake; // drawable stake (its weight)
        uint128 withdrawing; // requested for withdrawal, no longer drawable
        uint64 withdrawReadyAt;
        uint32 activeDisputes; // disputes it sits on that are not resolved
    }

    /// @notice No dispute has this id.
    error CourtUnknownDispute(uint256 disputeId);
    /// @notice The dispute is not in the status the action needs.
    error CourtInvalidStatus(uint256 disputeId, DisputeStatus status);
    /// @notice The requester and the provider's owner are the same address.
    error CourtSelfDispute(uint256 jobId, uint256 shardIndex);
    /// @notice The caller is not the dispute's respondent.
    error CourtNotRespondent(uint256 disputeId, address caller);
    /// @notice The respondent's time to bond is over.
    error CourtResponsePeriodOver(uint256 disputeId, uint64 respondDeadline);
    /// @notice The draw block has not been mined yet.
    error CourtDrawTooEarly(uint256 disputeId, uint64 drawBlock);
    /// @notice No drawable juror stake outside the two parties.
    error CourtNotEnoughJurors(uint256 disputeId);
    /// @notice The caller holds no seat in the dispute.
    error CourtNotJuror(uint256 disputeId, address caller);
    /// @notice The commit deadline has passed.
    error CourtCommitPhaseOver(uint256 disputeId, uint64 commitDeadline);
    /// @notice The juror has already committed.
    error CourtAlreadyCommitted(uint256 disputeId, address juror);
    /// @notice A commitment of zero.
    error CourtZeroCommitment();
    /// @notice Reveals open after the commit deadline (or once every seat committed).
    error CourtRevealNotOpen(uint256 disputeId, uint64 commitDeadline);
    /// @notice The reveal deadline has passed.
    error CourtRevealPhaseOver(uint256 disputeId, uint64 revealDeadline);
    /// @notice The juror did not commit.
    error CourtNotCommitted(uint256 disputeId, address juror);
    /// @notice The juror has already revealed.
    error CourtAlreadyRevealed(uint256 disputeId, address juror);
    /// @notice Jurors vote RequesterWins or ProviderWins only.
    error CourtInvalidRuling(Ruling ruling);
    /// @notice The revealed vote and salt do not match the commitment.
    error CourtCommitmentMismatch(uint256 disputeId, address juror);
    /// @notice The dispute cannot be resolved before `at`.
    error CourtTooEarly(uint256 disputeId, uint64 at);
    /// @notice An amount of zero.
    error CourtZeroAmount();
    /// @notice The juror stake would be below the minimum (and not zero, for a withdrawal).
    error CourtStakeBelowMinimum(uint256 stake, uint256 minJurorStake);
    /// @notice A withdrawal asked for more than the stake.
    error CourtInsufficientStake(uint256 requested, uint256 available);
    /// @notice The juror sits on unresolved disputes.
    error CourtJurorBusy(address juror, uint32 activeDisputes);
    /// @notice Nothing was requested for withdrawal.
    error CourtNothingToWithdraw(address juror);
    /// @notice The withdrawal delay has not passed.
    error CourtWithdrawalNotReady(address juror, uint64 readyAt);
    /// @notice A parameter value is out of range.
    error CourtInvalidParameter(bytes32 name, uint256 value);

    /// @notice A dispute was opened and the opener's bond taken.
    event DisputeOpened(
        uint256 indexed disputeId,
        uint256 indexed jobId,
        uint256 indexed shardIndex,
        address opener,
        address respondent,
        uint256 bond,
        uint64 respondDeadline
    );
    /// @notice The respondent bonded; the jurors will be drawn from `blockhash(drawBlock)`.
    event DisputeAnswered(uint256 indexed disputeId, address indexed respondent, uint64 drawBlock);
    /// @notice The draw block's hash had expired (more than 256 blocks old): a new one was committed.
    event DrawRecommitted(uint256 indexed disputeId, uint64 drawBlock);
    /// @notice The jurors were drawn (each distinct juror once; seats in {vote}).
    event JurorsDrawn(uint256 indexed disputeId, address[] jurors, uint64 commitDeadline, uint64 revealDeadline);
    /// @notice A juror committed a hidden vote.
    event VoteCommitted(uint256 indexed disputeId, address indexed juror);
    /// @notice A juror revealed its vote for all its seats.
    event VoteRevealed(uint256 indexed disputeId, address indexed juror, Ruling ruling, uint16 seats);
    /// @notice The dispute was decided (`byDefault`: the respondent never bonded) and settled.
    event DisputeResolved(uint256 indexed disputeId, Ruling ruling, bool byDefault, uint256 rewardPerSeat);
    /// @notice A juror who voted with the majority was paid.
    event JurorRewarded(uint256 indexed disputeId, address indexed juror, uint256 amount);
    /// @notice A drawn juror who did not reveal lost part of its stake.
    event JurorPenalized(uint256 indexed disputeId, address indexed juror, uint256 amount);
    /// @notice A juror added stake; `stake` is the new drawable stake.
    event JurorStaked(address indexed juror, uint256 amount, uint256 stake);
    /// @notice A juror asked to withdraw `amount`, withdrawable with the rest of its request at `readyAt`.
    event JurorWithdrawalRequested(address indexed juror, uint256 amount, uint64 readyAt);
    /// @notice A juror withdrew stake.
    event JurorWithdrawn(address indexed juror, uint256 amount);
    /// @notice Governance replaced the court parameters.
    event ParametersSet(CourtParams params);

    // ---------------------------------------------------------------- parties

    /// @notice Opens a dispute over a completed shard, pulling the bond from the caller (allowance).
    /// @return disputeId the new dispute's id (1, 2, ...)
    function openDispute(uint256 jobId, uint256 shardIndex) external returns (uint256 disputeId);

    /// @notice {openDispute} with an EIP-2612 permit for the bond.
    function openDisputeWithPermit(
        uint256 jobId,
        uint256 shardIndex,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 disputeId);

    /// @notice The respondent posts its bond, committing the draw to a future block.
    function respond(uint256 disputeId) external;

    /// @notice {respond} with an EIP-2612 permit for the bond.
    function respondWithPermit(uint256 disputeId, uint256 permitDeadline, uint8 v, bytes32 r, bytes32 s) external;

    // ---------------------------------------------------------------- jurors

    /// @notice Draws the jurors once the draw block is mined. Anyone may call.
    function drawJurors(uint256 disputeId) external;

    /// @notice A drawn juror commits `keccak256(abi.encode(disputeId, juror, ruling, salt))`.
    function commitVote(uint256 disputeId, bytes32 commitment) external;

    /// @notice A drawn juror reveals its committed vote.
    function revealVote(uint256 disputeId, Ruling ruling, bytes32 salt) external;

    /// @notice Decides and settles a dispute: after the respond deadline without an answer, or after the
    /// reveal deadline (or once every seat revealed). Anyone may call.
    function resolve(uint256 disputeId) external;

    /// @notice Adds `amount` LNQ to the caller's juror stake (allowance needed).
    function stakeAsJuror(uint256 amount) external;

    /// @notice Moves `amount` of the caller's juror stake out of the draw, withdrawable after the delay.
    /// Not while the caller sits on an unresolved dispute.
    function requestJurorWithdrawal(uint256 amount) external;

    /// @notice Withdraws everything the caller requested once the delay has passed.
    function withdrawJurorStake() external returns (uint256 amount);

    // ---------------------------------------------------------------- governance

    /// @notice Replaces the court parameters (open disputes keep their bond and seat count). Only
    /// governance.
    function setParameters(CourtParams calldata params) external;

    // ---------------------------------------------------------------- views

    /// @notice The commitment a juror submits for `ruling` with `salt`.
    function commitmentOf(uint256 disputeId, address juror, Ruling ruling, bytes32 salt)
        external
        pure
        returns (bytes32);

    /// @notice The current parameters.
    function parameters() external view returns (CourtParams memory);

    /// @notice Dispute `disputeId`.
    function dispute(uint256 disputeId) external view returns (Dispute memory);

    /// @notice The dispute opened over a shard, or 0.
    function disputeIdOf(uint256 jobId, uint256 shardIndex) external view returns (uint256);

    /// @notice Number of disputes ever opened.
    function disputeCount() external view returns (uint256);

    /// @notice The distinct jurors drawn for `disputeId`.
    function panel(uint256 disputeId) external view returns (address[] memory);

    /// @notice `juror`'s seats and vote in `disputeId`.
    function vote(uint256 disputeId, address juror) external view returns (Vote memory);

    /// @notice Seat counts of `disputeId`.
    function tally(uint256 disputeId) external view returns (Tally memory);

    /// @notice `account`'s juror stake.
    function juror(address account) external view returns (Juror memory);

    /// @notice Sum of drawable juror stake.
    function totalJurorWeight() external view returns (uint256);

    /// @notice Sum of all juror stake, drawable and withdrawing.
    function totalJurorStake() external view returns (uint256);

    /// @notice Bonds held for unresolved disputes. This contract's LNQ balance is
    /// `totalJurorStake() + bondsHeld()`.
    function bondsHeld() external view returns (uint256);

    /// @notice The escrow this court settles.
    function escrow() external view returns (address);

    /// @notice The provider registry this court slashes.
    function registry() external view returns (address);

    /// @notice The LNQ token.
    function token() external view returns (address);
}
