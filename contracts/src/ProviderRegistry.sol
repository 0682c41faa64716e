// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IProviderRegistry} from "./interfaces/IProviderRegistry.sol";

/// @title ProviderRegistry
/// @notice See {IProviderRegistry}.
contract ProviderRegistry is IProviderRegistry, AccessControl, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    bytes32 public constant ESCROW_ROLE = keccak256("ESCROW_ROLE");
    bytes32 public constant COURT_ROLE = keccak256("COURT_ROLE");
    uint64 private constant _MAX_UNBONDING_DELAY = 365 days;
    uint256 private constant _MAX_PEER_ID_LENGTH = 64;

    IERC20 private immutable _token;

    uint256 private _minStake;
    uint64 private _unbondingDelay;
    uint64 private _providerCount;
    uint256 private _totalStaked;

    mapping(uint64 providerId => Provider) private _providers;
    mapping(uint64 providerId => Capabilities) private _capabilities;
    mapping(address owner => uint64) private _idOf;
    mapping(bytes32 peerIdHash => uint64) private _idByPeer;

    /// @param token LNQ
    /// @param admin receives DEFAULT_ADMIN_ROLE (the deployer; hand it to the timelock)
    /// @param minStake_ minimum bonded stake of an active provider (> 0)
    /// @param unbondingDelay_ seconds between an unbond request and its withdrawal (<= 365 days)
    constructor(IERC20 token, address admin, uint256 minStake_, uint64 unbondingDelay_) {
        _token = token;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setMinStake(minStake_);
        _setUnbondingDelay(unbondingDelay_);
    }

    // ---------------------------------------------------------------- providers

    /// @inheritdoc IProviderRegistry
    function register(uint256 stake, Capabilities calldata caps) external nonReentrant returns (uint64) {
        return _register(stake, caps);
    }

    /// @inheritdoc IProviderRegistry
    function registerWithPermit(
        uint256 stake,
        Capabilities calldata caps,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint64) {
        // A front-run permit (same signature submitted first) must not block the registration: the
        // allowance is then already there, and transferFrom decides.
        try IERC20Permit(address(_token)).permit(msg.sender, address(this), stake, permitDeadline, v, r, s) {} catch {}
        return _register(stake, caps);
    }

    /// @inheritdoc IProviderRegistry
    function updateCapabilities(Capabilities calldata caps) external {
        uint64 id = _requireProviderOf(msg.sender);
        delete _idByPeer[keccak256(_capabilities[id].peerId)];
        _claimPeerId(id, caps.peerId);
        _capabilities[id] = caps;
        emit CapabilitiesUpdated(id, caps.peerId);
    }

    /// @inheritdoc IProviderRegistry
    function topUp(uint256 amount) external nonReentrant {
        if (amount == 0) revert RegistryZeroAmount();
        uint64 id = _requireProviderOf(msg.sender);
        Provider storage p = _providers[id];
        uint128 newStake = p.stake + amount.toUint128();
        p.stake = newStake;
        _totalStaked += amount;
        emit StakeAdded(id, amount, newStake);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IProviderRegistry
    function requestUnbond(uint256 amount) external {
        if (amount == 0) revert RegistryZeroAmount();
        uint64 id = _requireProviderOf(msg.sender);
        Provider storage p = _providers[id];
        if (amount > p.stake) revert RegistryInsufficientStake(amount, p.stake);
        uint256 remaining = p.stake - amount;
        if (remaining != 0 && remaining < _minStake) revert RegistryStakeBelowMinimum(remaining, _minStake);
        // forge-lint: disable-next-line(unsafe-typecast) remaining <= stake, a uint128
        p.stake = uint128(remaining);
        // forge-lint: disable-next-line(unsafe-typecast) amount <= stake, a uint128
        p.unbonding += uint128(amount);
        uint64 readyAt = uint64(block.timestamp) + _unbondingDelay;
        p.unbondingReadyAt = readyAt;
        emit UnbondRequested(id, amount, p.unbonding, readyAt);
    }

    /// @inheritdoc IProviderRegistry
    function withdrawUnbonded() external nonReentrant returns (uint256 amount) {
        uint64 id = _requireProviderOf(msg.sender);
        Provider storage p = _providers[id];
        amount = p.unbonding;
        if (amount == 0) revert RegistryNothingUnbonding(id);
        if (block.timestamp < p.unbondingReadyAt) revert RegistryUnbondingNotReady(id, p.unbondingReadyAt);
        p.unbonding = 0;
        _totalStaked -= amount;
        emit UnbondWithdrawn(id, msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- escrow and court

    /// @inheritdoc IProviderRegistry
    function recordCompleted(uint64 providerId, uint256 count) external onlyRole(ESCROW_ROLE) {
        Provider storage p = _requireProvider(providerId);
        p.completed += count.toUint64();
        emit CompletionsRecorded(providerId, count);
    }

    /// @inheritdoc IProviderRegistry
    function recordFailed(uint64 providerId, uint256 count) external onlyRole(ESCROW_ROLE) {
        Provider storage p = _requireProvider(providerId);
        p.failed += count.toUint64();
        emit FailuresRecorded(providerId, count);
    }

    /// @inheritdoc IProviderRegistry
    function recordDisputeLost(uint64 providerId) external onlyRole(COURT_ROLE) {
        Provider storage p = _requireProvider(providerId);
        p.disputesLost += 1;
        p.failed += 1;
        emit DisputeLossRecorded(providerId);
    }

    /// @inheritdoc IProviderRegistry
    function penalize(uint64 providerId, uint256 amount, address recipient)
        external
        nonReentrant
        onlyRole(ESCROW_ROLE)
        returns (uint256 taken)
    {
        taken = _take(providerId, amount, recipient);
        emit ProviderPenalized(providerId, taken, recipient);
        if (taken > 0) _token.safeTransfer(recipient, taken);
    }

    /// @inheritdoc IProviderRegistry
    function slash(uint64 providerId, uint256 amount, address recipient)
        external
        nonReentrant
        onlyRole(COURT_ROLE)
        returns (uint256 taken)
    {
        taken = _take(providerId, amount, recipient);
        emit ProviderSlashed(providerId, taken, recipient);
        if (taken > 0) _token.safeTransfer(recipient, taken);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IProviderRegistry
    function setMinStake(uint256 minStake_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMinStake(minStake_);
    }

    /// @inheritdoc IProviderRegistry
    function setUnbondingDelay(uint64 unbondingDelay_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setUnbondingDelay(unbondingDelay_);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IProviderRegistry
    function provider(uint64 providerId) external view returns (Provider memory) {
        return _providers[providerId];
    }

    /// @inheritdoc IProviderRegistry
    function capabilities(uint64 providerId) external view returns (Capabilities memory) {
        return _capabilities[providerId];
    }

    /// @inheritdoc IProviderRegistry
    function providerIdOf(address owner) external view returns (uint64) {
        return _idOf[owner];
    }

    /// @inheritdoc IProviderRegistry
    function providerIdByPeerId(bytes calldata peerId) external view returns (uint64) {
        return _idByPeer[keccak256(peerId)];
    }

    /// @inheritdoc IProviderRegistry
    function ownerOf(uint64 providerId) external view returns (address) {
        return _requireProvider(providerId).owner;
    }

    /// @inheritdoc IProviderRegistry
    function slashableStake(uint64 providerId) external view returns (uint256) {
        Provider storage p = _providers[providerId];
        return uint256(p.stake) + p.unbonding;
    }

    /// @inheritdoc IProviderRegistry
    function isActive(uint64 providerId) external view returns (bool) {
        Provider storage p = _providers[providerId];
        return p.owner != address(0) && p.stake >= _minStake;
    }

    /// @inheritdoc IProviderRegistry
    function successRateBps(uint64 providerId) external view returns (uint256) {
        Provider storage p = _providers[providerId];
        uint256 total = uint256(p.completed) + p.failed;
        return total == 0 ? 0 : uint256(p.completed) * 10_000 / total;
    }

    /// @inheritdoc IProviderRegistry
    function providerCount() external view returns (uint64) {
        return _providerCount;
    }

    /// @inheritdoc IProviderRegistry
    function totalStaked() external view returns (uint256) {
        return _totalStaked;
    }

    /// @inheritdoc IProviderRegistry
    function minStake() external view returns (uint256) {
        return _minStake;
    }

    /// @inheritdoc IProviderRegistry
    function unbondingDelay() external view returns (uint64) {
        return _unbondingDelay;
    }

    // ---------------------------------------------------------------- internals

    function _register(uint256 stake, Capabilities calldata caps) private returns (uint64 id) {
        uint64 existing = _idOf[msg.sender];
        if (existing != 0) revert RegistryAlreadyRegistered(msg.sender, existing);
        if (stake < _minStake) revert RegistryStakeBelowMinimum(stake, _minStake);
        id = ++_providerCount;
        _claimPeerId(id, caps.peerId);
        _idOf[msg.sender] = id;
        _providers[id] = Provider({
            owner: msg.sender,
            registeredAt: uint64(block.timestamp),
            stake: stake.toUint128(),
            unbonding: 0,
            unbondingReadyAt: 0,
            completed: 0,
            failed: 0,
            disputesLost: 0
        });
        _capabilities[id] = caps;
        _totalStaked += stake;
        emit ProviderRegistered(id, msg.sender, stake, caps.peerId);
        _token.safeTransferFrom(msg.sender, address(this), stake);
    }

    function _claimPeerId(uint64 id, bytes calldata peerId) private {
        if (peerId.length == 0 || peerId.length > _MAX_PEER_ID_LENGTH) revert RegistryInvalidPeerId();
        bytes32 key = keccak256(peerId);
        uint64 holder = _idByPeer[key];
        if (holder != 0 && holder != id) revert RegistryPeerIdTaken(holder);
        _idByPeer[key] = id;
    }

    function _take(uint64 providerId, uint256 amount, address recipient) private returns (uint256 taken) {
        if (recipient == address(0)) revert RegistryZeroAddress();
        Provider storage p = _requireProvider(providerId);
        uint256 fromStake = amount < p.stake ? amount : p.stake;
        uint256 rest = amount - fromStake;
        uint256 fromUnbonding = rest < p.unbonding ? rest : p.unbonding;
        // forge-lint: disable-next-line(unsafe-typecast) fromStake <= stake, a uint128
        p.stake -= uint128(fromStake);
        // forge-lint: disable-next-line(unsafe-typecast) fromUnbonding <= unbonding, a uint128
        p.unbonding -= uint128(fromUnbonding);
        taken = fromStake + fromUnbonding;
        _totalStaked -= taken;
    }

    function _requireProviderOf(address owner) private view returns (uint64 id) {
        id = _idOf[owner];
        if (id == 0) revert RegistryNotRegistered(owner);
    }

    function _requireProvider(uint64 providerId) private view returns (Provider storage p) {
        p = _providers[providerId];
        if (p.owner == address(0)) revert RegistryUnknownProvider(providerId);
    }

    function _setMinStake(uint256 minStake_) private {
        if (minStake_ == 0) revert RegistryInvalidParameter("minStake", minStake_);
        _minStake = minStake_;
        emit MinStakeSet(minStake_);
    }

    function _setUnbondingDelay(uint64 unbondingDelay_) private {
        if (unbondingDelay_ > _MAX_UNBONDING_DELAY) {
            revert RegistryInvalidParameter("unbondingDelay", unbondingDelay_);
        }
        _unbondingDelay = unbondingDelay_;
        emit UnbondingDelaySet(unbondingDelay_);
    }
}
