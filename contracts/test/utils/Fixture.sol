// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Test} from "./Test.sol";
import {LnqToken} from "../../src/LnqToken.sol";
import {RewardPool} from "../../src/RewardPool.sol";
import {ProviderRegistry} from "../../src/ProviderRegistry.sol";
import {JobEscrow} from "../../src/JobEscrow.sol";
import {DisputeCourt} from "../../src/DisputeCourt.sol";
import {LinqGovernor} from "../../src/governance/LinqGovernor.sol";
import {LinqTimelock} from "../../src/governance/LinqTimelock.sol";
import {IProviderRegistry} from "../../src/interfaces/IProviderRegistry.sol";
import {IRewardPool} from "../../src/interfaces/IRewardPool.sol";
import {IJobEscrow} from "../../src/interfaces/IJobEscrow.sol";
import {IDisputeCourt} from "../../src/interfaces/IDisputeCourt.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @notice The full LinqP2P deployment, wired and handed to governance exactly as SPEC.md §2
/// "Deployment" describes (the C# devnet mirrors this order), plus funded actors and helpers.
abstract contract Fixture is Test {
    // ---------------------------------------------------------------- deployment parameters (defaults)
    uint256 internal constant CAP = 1_000_000_000e18;
    uint256 internal constant INITIAL_SUPPLY = 100_000_000e18;
    uint256 internal constant TIMELOCK_DELAY = 2 days;
    uint48 internal constant VOTING_DELAY = 1 days;
    uint32 internal constant VOTING_PERIOD = 5 days;
    uint256 internal constant PROPOSAL_THRESHOLD = 100_000e18;
    uint256 internal constant QUORUM_PERCENT = 4;
    uint256 internal constant MIN_STAKE = 1_000e18;
    uint64 internal constant UNBONDING_DELAY = 7 days;
    uint256 internal constant INITIAL_REWARD = 10e18;
    uint64 internal constant EPOCH = 30 days;
    uint16 internal constant DECAY_BPS = 5_000;
    uint256 internal constant REWARD_FUNDING = 10_000_000e18;
    uint16 internal constant FEE_BPS = 100;
    uint16 internal constant PENALTY_BPS = 2_000;
    uint64 internal constant MIN_WINDOW = 1 hours;
    uint64 internal constant MAX_WINDOW = 30 days;
    uint32 internal constant MAX_SHARDS = 1_024;
    uint96 internal constant DISPUTE_BOND = 100e18;
    uint16 internal constant JUROR_COUNT = 3;
    uint16 internal constant SLASH_BPS = 1_000;
    uint16 internal constant NO_SHOW_BPS = 500;
    uint128 internal constant MIN_JUROR_STAKE = 1_000e18;
    uint64 internal constant RESPOND_PERIOD = 2 days;
    uint64 internal constant COMMIT_PERIOD = 1 days;
    uint64 internal constant REVEAL_PERIOD = 1 days;
    uint64 internal constant JUROR_WITHDRAWAL_DELAY = 7 days;
    uint32 internal constant DRAW_DELAY_BLOCKS = 5;

    // ---------------------------------------------------------------- test defaults
    uint64 internal constant JOB_DURATION = 1 days;
    uint64 internal constant WINDOW = 1 days;
    uint96 internal constant PRICE = 10e18;
    uint256 internal constant ACTOR_FUNDS = 1_000_000e18;
    uint256 internal constant PROVIDER_STAKE = 5_000e18;

    LnqToken internal token;
    LinqTimelock internal timelock;
    LinqGovernor internal governor;
    ProviderRegistry internal registry;
    RewardPool internal rewardPool;
    JobEscrow internal escrow;
    DisputeCourt internal court;

    address internal deployer;
    address internal requester;
    uint256 internal requesterKey;
    address internal alice; // provider 1
    address internal bob; // provider 2
    address internal carol; // provider 3
    address internal stranger;
    address[] internal jurors;

    function setUp() public virtual {
        deployer = makeAddr("deployer");
        (requester, requesterKey) = makeKey("requester");
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        carol = makeAddr("carol");
        stranger = makeAddr("stranger");
        for (uint256 i; i < 5; ++i) {
            jurors.push(makeAddr(string.concat("juror", vm_toString(i))));
        }
        vm.warp(1_700_000_000);
        vm.roll(1_000);
        _deploy();
        _fundActors();
    }

    /// @dev The deployment, in order: SPEC.md §2 "Deployment" is this function in prose.
    function _deploy() internal {
        vm.startPrank(deployer);
        // 1. token: the deployer holds the initial supply and, until step 11, every admin role.
        token = new LnqToken(deployer, deployer, INITIAL_SUPPLY, CAP);
        // 2. timelock: no proposers yet, anyone may execute, deployer is a temporary admin.
        address[] memory none = new address[](0);
        address[] memory anyone = new address[](1);
        anyone[0] = address(0);
        timelock = new LinqTimelock(TIMELOCK_DELAY, none, anyone, deployer);
        // 3. governor over the token's votes, executing through the timelock.
        governor = new LinqGovernor(
            IVotes(address(token)),
            TimelockController(payable(address(timelock))),
            VOTING_DELAY,
            VOTING_PERIOD,
            PROPOSAL_THRESHOLD,
            QUORUM_PERCENT
        );
        // 4. registry, 5. reward pool, 6. escrow (fees to the timelock), 7. court.
        registry = new ProviderRegistry(IERC20(address(token)), deployer, MIN_STAKE, UNBONDING_DELAY);
        rewardPool = new RewardPool(IERC20(address(token)), deployer, INITIAL_REWARD, EPOCH, DECAY_BPS);
        escrow = new JobEscrow(
            IERC20(address(token)),
            registry,
            rewardPool,
            address(timelock),
            deployer,
            FEE_BPS,
            PENALTY_BPS,
            MIN_WINDOW,
            MAX_WINDOW,
            MAX_SHARDS
        );
        court = new DisputeCourt(IERC20(address(token)), escrow, registry, deployer, defaultCourtParams());

        // 8. wiring: who may call what.
        registry.grantRole(registry.ESCROW_ROLE(), address(escrow));
        registry.grantRole(registry.COURT_ROLE(), address(court));
        escrow.grantRole(escrow.COURT_ROLE(), address(court));
        rewardPool.grantRole(rewardPool.ESCROW_ROLE(), address(escrow));
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));

        // 9. fund the reward pool.
        token.approve(address(rewardPool), REWARD_FUNDING);
        rewardPool.fund(REWARD_FUNDING);

        // 10. hand every admin role to the timelock ...
        bytes32 admin = 0x00; // DEFAULT_ADMIN_ROLE
        token.grantRole(admin, address(timelock));
        token.grantRole(token.MINTER_ROLE(), address(timelock));
        registry.grantRole(admin, address(timelock));
        rewardPool.grantRole(admin, address(timelock));
        escrow.grantRole(admin, address(timelock));
        court.grantRole(admin, address(timelock));
        // 11. ... and renounce the deployer's.
        token.renounceRole(token.MINTER_ROLE(), deployer);
        token.renounceRole(admin, deployer);
        registry.renounceRole(admin, deployer);
        rewardPool.renounceRole(admin, deployer);
        escrow.renounceRole(admin, deployer);
        court.renounceRole(admin, deployer);
        timelock.renounceRole(admin, deployer);
        vm.stopPrank();

        vm.label(address(token), "LNQ");
        vm.label(address(timelock), "timelock");
        vm.label(address(governor), "governor");
        vm.label(address(registry), "registry");
        vm.label(address(rewardPool), "rewardPool");
        vm.label(address(escrow), "escrow");
        vm.label(address(court), "court");
    }

    function defaultCourtParams() internal pure returns (IDisputeCourt.CourtParams memory) {
        return IDisputeCourt.CourtParams({
            disputeBond: DISPUTE_BOND,
            jurorCount: JUROR_COUNT,
            slashBps: SLASH_BPS,
            noShowPenaltyBps: NO_SHOW_BPS,
            minJurorStake: MIN_JUROR_STAKE,
            respondPeriod: RESPOND_PERIOD,
            commitPeriod: COMMIT_PERIOD,
            revealPeriod: REVEAL_PERIOD,
            jurorWithdrawalDelay: JUROR_WITHDRAWAL_DELAY,
            drawDelayBlocks: DRAW_DELAY_BLOCKS
        });
    }

    function _fundActors() internal {
        address[4] memory people = [requester, alice, bob, carol];
        vm.startPrank(deployer);
        for (uint256 i; i < people.length; ++i) {
            token.transfer(people[i], ACTOR_FUNDS);
        }
        for (uint256 i; i < jurors.length; ++i) {
            token.transfer(jurors[i], ACTOR_FUNDS);
        }
        vm.stopPrank();
    }

    /// @dev Every LNQ holder this fixture knows, for conservation checks.
    function _holders() internal view returns (address[] memory all) {
        all = new address[](13 + jurors.length);
        all[0] = deployer;
        all[1] = requester;
        all[2] = alice;
        all[3] = bob;
        all[4] = carol;
        all[5] = stranger;
        all[6] = address(timelock);
        all[7] = address(governor);
        all[8] = address(registry);
        all[9] = address(rewardPool);
        all[10] = address(escrow);
        all[11] = address(court);
        all[12] = address(token);
        for (uint256 i; i < jurors.length; ++i) {
            all[13 + i] = jurors[i];
        }
    }

    // ---------------------------------------------------------------- providers

    function _caps(string memory peer) internal pure returns (IProviderRegistry.Capabilities memory) {
        return IProviderRegistry.Capabilities({
            cpuCores: 16,
            memoryMiB: 65_536,
            gpuModel: "RTX 4090",
            gpuVramMiB: 24_576,
            storageGiB: 2_000,
            region: "eu-west",
            tee: IProviderRegistry.TeeKind.None,
            peerId: bytes(string.concat("12D3KooW", peer))
        });
    }

    function _register(address who, uint256 stake) internal returns (uint64 id) {
        vm.startPrank(who);
        token.approve(address(registry), stake);
        id = registry.register(stake, _caps(vm_toString(uint256(uint160(who)))));
        vm.stopPrank();
    }

    // ---------------------------------------------------------------- jobs

    function _uniform(uint64 providerId, uint256 n, uint96 price)
        internal
        pure
        returns (uint64[] memory ids, uint96[] memory prices)
    {
        ids = new uint64[](n);
        prices = new uint96[](n);
        for (uint256 i; i < n; ++i) {
            ids[i] = providerId;
            prices[i] = price;
        }
    }

    function _indices(uint256 n) internal pure returns (uint256[] memory idx) {
        idx = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            idx[i] = i;
        }
    }

    function _hashes(uint256 n) internal pure returns (bytes32[] memory h) {
        h = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            h[i] = keccak256(abi.encode("result", i));
        }
    }

    function _lock(address who, uint64[] memory ids, uint96[] memory prices) internal returns (uint256 jobId) {
        uint256 total;
        for (uint256 i; i < prices.length; ++i) {
            total += prices[i];
        }
        vm.startPrank(who);
        token.approve(address(escrow), total);
        jobId = escrow.lock(keccak256("spec"), uint64(block.timestamp) + JOB_DURATION, WINDOW, ids, prices);
        vm.stopPrank();
    }

    function _lockUniform(uint64 providerId, uint256 n) internal returns (uint256 jobId) {
        (uint64[] memory ids, uint96[] memory prices) = _uniform(providerId, n, PRICE);
        jobId = _lock(requester, ids, prices);
    }

    function _completeAll(uint256 jobId, address provider, uint256 n) internal {
        vm.prank(provider);
        escrow.completeBatch(jobId, _indices(n), _hashes(n));
    }

    // ---------------------------------------------------------------- court

    function _stakeJurors(uint256 amount) internal {
        for (uint256 i; i < jurors.length; ++i) {
            vm.startPrank(jurors[i]);
            token.approve(address(court), amount);
            court.stakeAsJuror(amount);
            vm.stopPrank();
        }
    }

    function _open(address opener, uint256 jobId, uint256 shardIndex) internal returns (uint256 disputeId) {
        vm.startPrank(opener);
        token.approve(address(court), DISPUTE_BOND);
        disputeId = court.openDispute(jobId, shardIndex);
        vm.stopPrank();
    }

    function _respond(uint256 disputeId) internal {
        address respondent = court.dispute(disputeId).respondent;
        vm.startPrank(respondent);
        token.approve(address(court), DISPUTE_BOND);
        court.respond(disputeId);
        vm.stopPrank();
    }

    /// @dev Mines past the draw block, gives it a hash derived from `entropy`, and draws.
    function _draw(uint256 disputeId, bytes32 entropy) internal {
        uint64 drawBlock = court.dispute(disputeId).drawBlock;
        vm.roll(drawBlock + 1);
        vm.setBlockhash(drawBlock, keccak256(abi.encode(entropy, drawBlock)));
        court.drawJurors(disputeId);
    }

    function _salt(address juror) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", juror));
    }

    function _commit(uint256 disputeId, address juror, IDisputeCourt.Ruling ruling) internal {
        bytes32 c = court.commitmentOf(disputeId, juror, ruling, _salt(juror));
        vm.prank(juror);
        court.commitVote(disputeId, c);
    }

    function _reveal(uint256 disputeId, address juror, IDisputeCourt.Ruling ruling) internal {
        vm.prank(juror);
        court.revealVote(disputeId, ruling, _salt(juror));
    }

    /// @dev Every panel juror commits and reveals `ruling`.
    function _unanimous(uint256 disputeId, IDisputeCourt.Ruling ruling) internal {
        address[] memory p = court.panel(disputeId);
        for (uint256 i; i < p.length; ++i) {
            _commit(disputeId, p[i], ruling);
        }
        for (uint256 i; i < p.length; ++i) {
            _reveal(disputeId, p[i], ruling);
        }
    }

    // ---------------------------------------------------------------- misc

    function vm_toString(uint256 v) internal pure returns (string memory) {
        if (v == 0) return "0";
        uint256 len;
        for (uint256 t = v; t != 0; t /= 10) {
            ++len;
        }
        bytes memory b = new bytes(len);
        for (; v != 0; v /= 10) {
            b[--len] = bytes1(uint8(48 + v % 10));
        }
        return string(b);
    }
}
