// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IDisputeCourt} from "./interfaces/IDisputeCourt.sol";
import {IJobEscrow} from "./interfaces/IJobEscrow.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";
import {StakeTree} from "./libraries/StakeTree.sol";

/// @title DisputeCourt
/// @notice See {IDisputeCourt}.
/// @dev Drawable juror stake lives in a {StakeTree} (Fenwick tree), so a stake-weighted draw and a stake
/// change each cost O(log n) storage accesses.
contract DisputeCourt is IDisputeCourt, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using StakeTree for StakeTree.Tree;

    uint16 private constant _BPS = 10_000;
    uint16 private constant _MAX_JURORS = 31;

    IERC20 private immutable _token;
    IJobEscrow private immutable _escrow;
    IProviderRegistry private immutable _registry;

    CourtParams private _params;

    uint256 private _disputeCount;
    uint256 private _bondsHeld;
    mapping(uint256 disputeId => Dispute) private _disputes;
    mapping(uint256 jobId => mapping(uint256 shardIndex => uint256)) private _disputeOf;
    mapping(uint256 disputeId => address[]) private _panels;
    mapping(uint256 disputeId => mapping(address juror => Vote)) private _votes;
    mapping(uint256 disputeId => Tally) private _tallies;

    uint256 private _totalJurorStake;
    mapping(address juror => Juror) private _jurors;
    StakeTree.Tree private _tree;

    /// @param token_ LNQ
    /// @param escrow_ the JobEscrow (grant this court its COURT_ROLE)
    /// @param registry_ the ProviderRegistry (grant this court its COURT_ROLE)
    /// @param admin receives DEFAULT_ADMIN_ROLE (the deployer; hand it to the timelock)
    /// @param params_ initial {CourtParams}
    constructor(
        IERC20 token_,
        IJobEscrow escrow_,
        IProviderRegistry registry_,
        address admin,
        CourtParams memory params_
    ) {
        _token = token_;
        _escrow = escrow_;
        _registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setParameters(params_);
    }

    // ---------------------------------------------------------------- parties

    /// @inheritdoc IDisputeCourt
    function openDispute(uint256 jobId, uint256 shardIndex) external nonReentrant returns (uint256) {
        return _open(jobId, shardIndex);
    }

    /// @inheritdoc IDisputeCourt
    function openDisputeWithPermit(
        uint256 jobId,
        uint256 shardIndex,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256) {
        _permit(_params.disputeBond, permitDeadline, v, r, s);
        return _open(jobId, shardIndex);
    }

    /// @inheritdoc IDisputeCourt
    function respond(uint256 disputeId) external nonReentrant {
        _respond(disputeId);
    }

    /// @inheritdoc IDisputeCourt
    function respondWithPermit(uint256 disputeId, uint256 permitDeadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
    {
        _permit(_disputes[disputeId].bond, permitDeadline, v, r, s);
        _respond(disputeId);
    }

    // ---------------------------------------------------------------- jurors

    /// @inheritdoc IDisputeCourt
    function drawJurors(uint256 disputeId) external nonReentrant {
        Dispute storage d = _requireStatus(disputeId, DisputeStatus.AwaitingDraw);
        if (block.number <= d.drawBlock) revert CourtDrawTooEarly(disputeId, d.drawBlock);
        bytes32 hash = blockhash(d.drawBlock);
        if (hash == bytes32(0)) {
            // More than 256 blocks old: the hash is gone. Commit to a new future block.
            uint64 drawBlock = uint64(block.number) + _params.drawDelayBlocks;
            d.drawBlock = drawBlock;
            emit DrawRecommitted(disputeId, drawBlock);
            return;
        }
        _draw(disputeId, d, keccak256(abi.encode(hash, disputeId, address(this))));
        uint64 commitDeadline = uint64(block.timestamp) + _params.commitPeriod;
        uint64 revealDeadline = commitDeadline + _params.revealPeriod;
        d.commitDeadline = commitDeadline;
        d.revealDeadline = revealDeadline;
        d.status = DisputeStatus.Voting;
        emit JurorsDrawn(disputeId, _panels[disputeId], commitDeadline, revealDeadline);
    }

    /// @inheritdoc IDisputeCourt
    function commitVote(uint256 disputeId, bytes32 commitment) external {
        Dispute storage d = _requireStatus(disputeId, DisputeStatus.Voting);
        if (block.timestamp > d.commitDeadline) revert CourtCommitPhaseOver(disputeId, d.commitDeadline);
        if (commitment == bytes32(0)) revert CourtZeroCommitment();
        Vote storage v = _votes[disputeId][msg.sender];
        if (v.seats == 0) revert CourtNotJuror(disputeId, msg.sender);
        if (v.commitment != bytes32(0)) revert CourtAlreadyCommitted(disputeId, msg.sender);
        v.commitment = commitment;
        _tallies[disputeId].committed += v.seats;
        emit VoteCommitted(disputeId, msg.sender);
    }

    /// @inheritdoc IDisputeCourt
    function revealVote(uint256 disputeId, Ruling ruling, bytes32 salt) external {
        Dispute storage d = _requireStatus(disputeId, DisputeStatus.Voting);
        Tally storage t = _tallies[disputeId];
        if (block.timestamp <= d.commitDeadline && t.committed < d.seats) {
            revert CourtRevealNotOpen(disputeId, d.commitDeadline);
        }
        if (block.timestamp > d.revealDeadline) revert CourtRevealPhaseOver(disputeId, d.revealDeadline);
        Vote storage v = _votes[disputeId][msg.sender];
        if (v.seats == 0) revert CourtNotJuror(disputeId, msg.sender);
        if (v.commitment == bytes32(0)) revert CourtNotCommitted(disputeId, msg.sender);
        if (v.revealed != Ruling.None) revert CourtAlreadyRevealed(disputeId, msg.sender);
        if (ruling != Ruling.RequesterWins && ruling != Ruling.ProviderWins) revert CourtInvalidRuling(ruling);
        if (commitmentOf(disputeId, msg.sender, ruling, salt) != v.commitment) {
            revert CourtCommitmentMismatch(disputeId, msg.sender);
        }
        v.revealed = ruling;
        t.revealed += v.seats;
        if (ruling == Ruling.RequesterWins) t.forRequester += v.seats;
        else t.forProvider += v.seats;
        emit VoteRevealed(disputeId, msg.sender, ruling, v.seats);
    }

    /// @inheritdoc IDisputeCourt
    function resolve(uint256 disputeId) external nonReentrant {
        Dispute storage d = _requireDispute(disputeId);
        if (d.status == DisputeStatus.AwaitingResponse) {
            if (block.timestamp <= d.respondDeadline) revert CourtTooEarly(disputeId, d.respondDeadline);
            _settle(disputeId, d, d.opener == d.requester ? Ruling.RequesterWins : Ruling.ProviderWins, true);
        } else if (d.status == DisputeStatus.Voting) {
            Tally memory t = _tallies[disputeId];
            if (block.timestamp <= d.revealDeadline && t.revealed < d.seats) {
                revert CourtTooEarly(disputeId, d.revealDeadline);
            }
            Ruling ruling = t.forRequester > t.forProvider
                ? Ruling.RequesterWins
                : (t.forProvider > t.forRequester ? Ruling.ProviderWins : Ruling.Split);
            _settle(disputeId, d, ruling, false);
        } else {
            revert CourtInvalidStatus(disputeId, d.status);
        }
    }

    /// @inheritdoc IDisputeCourt
    function stakeAsJuror(uint256 amount) external nonReentrant {
        if (amount == 0) revert CourtZeroAmount();
        Juror storage j = _jurors[msg.sender];
        uint256 newStake = uint256(j.stake) + amount;
        if (newStake < _params.minJurorStake) revert CourtStakeBelowMinimum(newStake, _params.minJurorStake);
        j.stake = newStake.toUint128();
        _totalJurorStake += amount;
        _tree.add(msg.sender, amount);
        emit JurorStaked(msg.sender, amount, newStake);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IDisputeCourt
    function requestJurorWithdrawal(uint256 amount) external {
        if (amount == 0) revert CourtZeroAmount();
        Juror storage j = _jurors[msg.sender];
        if (j.activeDisputes != 0) revert CourtJurorBusy(msg.sender, j.activeDisputes);
        if (amount > j.stake) revert CourtInsufficientStake(amount, j.stake);
        uint256 remaining = j.stake - amount;
        if (remaining != 0 && remaining < _params.minJurorStake) {
            revert CourtStakeBelowMinimum(remaining, _params.minJurorStake);
        }
        // forge-lint: disable-next-line(unsafe-typecast) remaining <= stake, a uint128
        j.stake = uint128(remaining);
        // forge-lint: disable-next-line(unsafe-typecast) amount <= stake, a uint128
        j.withdrawing += uint128(amount);
        uint64 readyAt = uint64(block.timestamp) + _params.jurorWithdrawalDelay;
        j.withdrawReadyAt = readyAt;
        _tree.sub(msg.sender, amount);
        emit JurorWithdrawalRequested(msg.sender, amount, readyAt);
    }

    /// @inheritdoc IDisputeCourt
    function withdrawJurorStake() external nonReentrant returns (uint256 amount) {
        Juror storage j = _jurors[msg.sender];
        amount = j.withdrawing;
        if (amount == 0) revert CourtNothingToWithdraw(msg.sender);
        if (block.timestamp < j.withdrawReadyAt) revert CourtWithdrawalNotReady(msg.sender, j.withdrawReadyAt);
        j.withdrawing = 0;
        _totalJurorStake -= amount;
        emit JurorWithdrawn(msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IDisputeCourt
    function setParameters(CourtParams calldata params_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParameters(params_);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDisputeCourt
    function commitmentOf(uint256 disputeId, address juror_, Ruling ruling, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(disputeId, juror_, ruling, salt));
    }

    /// @inheritdoc IDisputeCourt
    function parameters() external view returns (CourtParams memory) {
        return _params;
    }

    /// @inheritdoc IDisputeCourt
    function dispute(uint256 disputeId) external view returns (Dispute memory) {
        return _disputes[disputeId];
    }

    /// @inheritdoc IDisputeCourt
    function disputeIdOf(uint256 jobId, uint256 shardIndex) external view returns (uint256) {
        return _disputeOf[jobId][shardIndex];
    }

    /// @inheritdoc IDisputeCourt
    function disputeCount() external view returns (uint256) {
        return _disputeCount;
    }

    /// @inheritdoc IDisputeCourt
    function panel(uint256 disputeId) external view returns (address[] memory) {
        return _panels[disputeId];
    }

    /// @inheritdoc IDisputeCourt
    function vote(uint256 disputeId, address juror_) external view returns (Vote memory) {
        return _votes[disputeId][juror_];
    }

    /// @inheritdoc IDisputeCourt
    function tally(uint256 disputeId) external view returns (Tally memory) {
        return _tallies[disputeId];
    }

    /// @inheritdoc IDisputeCourt
    function juror(address account) external view returns (Juror memory) {
        return _jurors[account];
    }

    /// @inheritdoc IDisputeCourt
    function totalJurorWeight() external view returns (uint256) {
        return _tree.total;
    }

    /// @inheritdoc IDisputeCourt
    function totalJurorStake() external view returns (uint256) {
        return _totalJurorStake;
    }

    /// @inheritdoc IDisputeCourt
    function bondsHeld() external view returns (uint256) {
        return _bondsHeld;
    }

    /// @inheritdoc IDisputeCourt
    function escrow() external view returns (address) {
        return address(_escrow);
    }

    /// @inheritdoc IDisputeCourt
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IDisputeCourt
    function token() external view returns (address) {
        return address(_token);
    }

    // ---------------------------------------------------------------- disputes

    function _open(uint256 jobId, uint256 shardIndex) private returns (uint256 disputeId) {
        // The escrow checks the caller is a party, the shard is completed and its window still open,
        // and freezes the shard.
        (address requester, uint64 providerId, address providerOwner) =
            _escrow.openDispute(jobId, shardIndex, msg.sender);
        if (requester == providerOwner) revert CourtSelfDispute(jobId, shardIndex);
        CourtParams storage p = _params;
        uint96 bond = p.disputeBond;
        uint64 respondDeadline = uint64(block.timestamp) + p.respondPeriod;
        address respondent = msg.sender == requester ? providerOwner : requester;
        disputeId = ++_disputeCount;
        _disputes[disputeId] = Dispute({
            jobId: jobId,
            shardIndex: shardIndex,
            opener: msg.sender,
            respondent: respondent,
            requester: requester,
            providerId: providerId,
            bond: bond,
            seats: p.jurorCount,
            status: DisputeStatus.AwaitingResponse,
            ruling: Ruling.None,
            respondentBonded: false,
            respondDeadline: respondDeadline,
            drawBlock: 0,
            commitDeadline: 0,
            revealDeadline: 0
        });
        _disputeOf[jobId][shardIndex] = disputeId;
        _bondsHeld += bond;
        emit DisputeOpened(disputeId, jobId, shardIndex, msg.sender, respondent, bond, respondDeadline);
        if (bond > 0) _token.safeTransferFrom(msg.sender, address(this), bond);
    }

    function _respond(uint256 disputeId) private {
        Dispute storage d = _requireStatus(disputeId, DisputeStatus.AwaitingResponse);
        if (msg.sender != d.respondent) revert CourtNotRespondent(disputeId, msg.sender);
        if (block.timestamp > d.respondDeadline) revert CourtResponsePeriodOver(disputeId, d.respondDeadline);
        uint64 drawBlock = uint64(block.number) + _params.drawDelayBlocks;
        d.respondentBonded = true;
        d.drawBlock = drawBlock;
        d.status = DisputeStatus.AwaitingDraw;
        uint256 bond = d.bond;
        _bondsHeld += bond;
        emit DisputeAnswered(disputeId, msg.sender, drawBlock);
        if (bond > 0) _token.safeTransferFrom(msg.sender, address(this), bond);
    }

    function _permit(uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) private {
        // A permit front-run with the same signature reverts here but has already set the allowance;
        // transferFrom decides.
        try IERC20Permit(address(_token)).permit(msg.sender, address(this), value, deadline, v, r, s) {} catch {}
    }

    /// @dev Fills d.seats seats by stake weight from the seed. The parties' own juror stake is taken out
    /// of the tree for the draw (and put back after), so they are never drawn and cannot block a draw by
    /// staking heavily as jurors.
    function _draw(uint256 disputeId, Dispute storage d, bytes32 seed) private {
        address opener = d.opener;
        address respondent = d.respondent;
        uint256 openerWeight = _jurors[opener].stake;
        uint256 respondentWeight = _jurors[respondent].stake;
        _tree.sub(opener, openerWeight);
        _tree.sub(respondent, respondentWeight);
        uint256 total = _tree.total;
        if (total == 0) revert CourtNotEnoughJurors(disputeId);
        uint256 seats = d.seats;
        for (uint256 seat; seat < seats; ++seat) {
            address j = _tree.draw(uint256(keccak256(abi.encode(seed, seat))) % total);
            Vote storage v = _votes[disputeId][j];
            if (v.seats == 0) {
                _panels[disputeId].push(j);
                _jurors[j].activeDisputes += 1;
            }
            v.seats += 1;
        }
        _tree.add(opener, openerWeight);
        _tree.add(respondent, respondentWeight);
    }

    /// @dev Applies `ruling`: state first (status, juror penalties and releases, bonds), then the escrow,
    /// the registry and the transfers.
    function _settle(uint256 disputeId, Dispute storage d, Ruling ruling, bool byDefault) private {
        d.status = DisputeStatus.Resolved;
        d.ruling = ruling;
        uint256 bond = d.bond;
        uint256 bondsIn = d.respondentBonded ? 2 * bond : bond;
        _bondsHeld -= bondsIn;

        // Loser's bond (if it posted one) and no-show penalties go to the majority seats.
        uint256 pot = ruling == Ruling.Split ? 0 : bondsIn - bond;
        pot += _penalizeNoShows(disputeId);
        Tally memory t = _tallies[disputeId];
        uint256 winningSeats = ruling == Ruling.RequesterWins
            ? t.forRequester
            : (ruling == Ruling.ProviderWins ? t.forProvider : t.revealed);
        uint256 perSeat = winningSeats == 0 ? 0 : pot / winningSeats;
        emit DisputeResolved(disputeId, ruling, byDefault, perSeat);

        _escrow.settleDispute(
            d.jobId, d.shardIndex, ruling == Ruling.ProviderWins ? _BPS : (ruling == Ruling.Split ? _BPS / 2 : 0)
        );
        if (ruling == Ruling.RequesterWins) {
            uint64 providerId = d.providerId;
            _registry.recordDisputeLost(providerId);
            uint256 slashAmount = _registry.slashableStake(providerId) * _params.slashBps / _BPS;
            if (slashAmount > 0) _registry.slash(providerId, slashAmount, d.requester);
        }

        // Bonds back: the winner's, or both on a split. A default winner is always the opener.
        if (ruling == Ruling.Split) {
            _pay(d.opener, bond);
            _pay(d.respondent, bond);
        } else {
            _pay(ruling == Ruling.RequesterWins ? d.requester : _otherParty(d, d.requester), bond);
        }
        uint256 paid = _rewardJurors(disputeId, ruling, perSeat);
        _pay(_escrow.treasury(), pot - paid);
    }

    /// @dev Releases every panel juror and takes the no-show penalty from those that did not reveal.
    function _penalizeNoShows(uint256 disputeId) private returns (uint256 total) {
        address[] storage jurors = _panels[disputeId];
        uint256 penaltyBps = _params.noShowPenaltyBps;
        for (uint256 i; i < jurors.length; ++i) {
            address a = jurors[i];
            Juror storage j = _jurors[a];
            j.activeDisputes -= 1;
            if (_votes[disputeId][a].revealed != Ruling.None) continue;
            uint256 penalty = uint256(j.stake) * penaltyBps / _BPS;
            if (penalty == 0) continue;
            // forge-lint: disable-next-line(unsafe-typecast) penalty <= stake, a uint128
            j.stake -= uint128(penalty);
            _totalJurorStake -= penalty;
            _tree.sub(a, penalty);
            total += penalty;
            emit JurorPenalized(disputeId, a, penalty);
        }
    }

    function _rewardJurors(uint256 disputeId, Ruling ruling, uint256 perSeat) private returns (uint256 paid) {
        if (perSeat == 0) return 0;
        address[] storage jurors = _panels[disputeId];
        for (uint256 i; i < jurors.length; ++i) {
            address a = jurors[i];
            Vote storage v = _votes[disputeId][a];
            if (v.revealed == Ruling.None) continue;
            if (ruling != Ruling.Split && v.revealed != ruling) continue;
            uint256 amount = perSeat * v.seats;
            paid += amount;
            emit JurorRewarded(disputeId, a, amount);
            _token.safeTransfer(a, amount);
        }
    }

    function _pay(address to, uint256 amount) private {
        if (amount > 0) _token.safeTransfer(to, amount);
    }

    function _otherParty(Dispute storage d, address party) private view returns (address) {
        return d.opener == party ? d.respondent : d.opener;
    }

    function _requireDispute(uint256 disputeId) private view returns (Dispute storage d) {
        d = _disputes[disputeId];
        if (d.status == DisputeStatus.None) revert CourtUnknownDispute(disputeId);
    }

    function _requireStatus(uint256 disputeId, DisputeStatus status) private view returns (Dispute storage d) {
        d = _requireDispute(disputeId);
        if (d.status != status) revert CourtInvalidStatus(disputeId, d.status);
    }

    function _setParameters(CourtParams memory p) private {
        if (p.jurorCount == 0 || p.jurorCount > _MAX_JURORS || p.jurorCount % 2 == 0) {
            revert CourtInvalidParameter("jurorCount", p.jurorCount);
        }
        if (p.slashBps > _BPS) revert CourtInvalidParameter("slashBps", p.slashBps);
        if (p.noShowPenaltyBps > _BPS) revert CourtInvalidParameter("noShowPenaltyBps", p.noShowPenaltyBps);
        if (p.minJurorStake == 0) revert CourtInvalidParameter("minJurorStake", 0);
        if (p.respondPeriod == 0) revert CourtInvalidParameter("respondPeriod", 0);
        if (p.commitPeriod == 0) revert CourtInvalidParameter("commitPeriod", 0);
        if (p.revealPeriod == 0) revert CourtInvalidParameter("revealPeriod", 0);
        if (p.drawDelayBlocks == 0 || p.drawDelayBlocks > 200) {
            revert CourtInvalidParameter("drawDelayBlocks", p.drawDelayBlocks);
        }
        _params = p;
        emit ParametersSet(p);
    }
}
