// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Provider registry: stake, capabilities and reputation of compute providers
/// @notice A provider registers from its operator address with a stake of at least {minStake} LNQ and
/// its capability metadata, and receives a provider id (1, 2, ...). It may top up, and unbond: unbonded
/// LNQ becomes withdrawable after {unbondingDelay} and stays slashable until withdrawn. A provider is
/// *active* (may be awarded shards) while its bonded stake is at least {minStake}.
/// Reputation counters change only through the escrow (ESCROW_ROLE: completions, failures, missed-
/// deadline penalties) and the court (COURT_ROLE: lost disputes, slashing).
/// @dev Roles: DEFAULT_ADMIN_ROLE = governance (the timelock): parameters and role grants.
interface IProviderRegistry {
    /// @notice Kind of trusted execution environment a provider offers.
    enum TeeKind {
        None,
        IntelSgx,
        IntelTdx,
        AmdSevSnp,
        AwsNitro,
        ArmCca
    }

    /// @notice Capability metadata a provider advertises. Sizes are binary units.
    struct Capabilities {
        uint16 cpuCores;
        uint32 memoryMiB;
        string gpuModel; // empty when the provider has no GPU
        uint32 gpuVramMiB;
        uint32 storageGiB;
        string region; // e.g. "eu-west"
        TeeKind tee;
        bytes peerId; // binary libp2p peer id (a multihash of the node's public key), unique
    }

    /// @notice Stake and reputation of a provider.
    struct Provider {
        address owner; // operator address: signs completions, receives payments
        uint64 registeredAt;
        uint128 stake; // bonded stake
        uint128 unbonding; // stake waiting out the unbonding delay (still slashable)
        uint64 unbondingReadyAt; // when `unbonding` may be withdrawn
        uint64 completed; // shards paid to this provider
        uint64 failed; // shards refunded for a missed deadline or lost in a dispute
        uint64 disputesLost;
    }

    /// @notice The caller already has a provider id.
    error RegistryAlreadyRegistered(address owner, uint64 providerId);
    /// @notice The caller has no provider id.
    error RegistryNotRegistered(address account);
    /// @notice No provider has this id.
    error RegistryUnknownProvider(uint64 providerId);
    /// @notice The bonded stake would be below the minimum (and not zero, for an unbond).
    error RegistryStakeBelowMinimum(uint256 stake, uint256 minStake);
    /// @notice An amount of zero was given.
    error RegistryZeroAmount();
    /// @notice An unbond asked for more than the bonded stake.
    error RegistryInsufficientStake(uint256 requested, uint256 available);
    /// @notice There is nothing unbonding to withdraw.
    error RegistryNothingUnbonding(uint64 providerId);
    /// @notice The unbonding delay has not passed.
    error RegistryUnbondingNotReady(uint64 providerId, uint64 readyAt);
    /// @notice The peer id is empty or longer than 64 bytes.
    error RegistryInvalidPeerId();
    /// @notice Another provider already advertises this peer id.
    error RegistryPeerIdTaken(uint64 providerId);
    /// @notice A parameter value is out of range.
    error RegistryInvalidParameter(bytes32 name, uint256 value);
    /// @notice A zero address was given for a recipient.
    error RegistryZeroAddress();

    /// @notice A provider registered.
    event ProviderRegistered(uint64 indexed providerId, address indexed owner, uint256 stake, bytes peerId);
    /// @notice A provider replaced its capability metadata.
    event CapabilitiesUpdated(uint64 indexed providerId, bytes peerId);
    /// @notice Stake was added; `stake` is the new bonded stake.
    event StakeAdded(uint64 indexed providerId, uint256 amount, uint256 stake);
    /// @notice Stake moved to unbonding; all of `unbonding` is withdrawable at `readyAt`.
    event UnbondRequested(uint64 indexed providerId, uint256 amount, uint256 unbonding, uint64 readyAt);
    /// @notice Unbonded stake was withdrawn to the owner.
    event UnbondWithdrawn(uint64 indexed providerId, address indexed owner, uint256 amount);
    /// @notice The escrow took a missed-deadline penalty from the stake and paid it to `recipient`.
    event ProviderPenalized(uint64 indexed providerId, uint256 amount, address indexed recipient);
    /// @notice The court slashed the stake and paid the slashed LNQ to `recipient`.
    event ProviderSlashed(uint64 indexed providerId, uint256 amount, address indexed recipient);
    /// @notice `count` completed shards were recorded.
    event CompletionsRecorded(uint64 indexed providerId, uint256 count);
    /// @notice `count` failed shards were recorded.
    event FailuresRecorded(uint64 indexed providerId, uint256 count);
    /// @notice A lost dispute was recorded (also counted as a failure).
    event DisputeLossRecorded(uint64 indexed providerId);
    /// @notice Governance set the minimum stake.
    event MinStakeSet(uint256 minStake);
    /// @notice Governance set the unbonding delay.
    event UnbondingDelaySet(uint64 unbondingDelay);

    /// @notice The escrow's role.
    function ESCROW_ROLE() external view returns (bytes32);
    /// @notice The court's role.
    function COURT_ROLE() external view returns (bytes32);

    /// @notice Registers the caller with `stake` LNQ (pulled with an allowance) and `caps`.
    /// @return providerId the new id
    function register(uint256 stake, Capabilities calldata caps) external returns (uint64 providerId);

    /// @notice {register} with an EIP-2612 permit for `stake`, in one transaction.
    function registerWithPermit(
        uint256 stake,
        Capabilities calldata caps,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint64 providerId);

    /// @notice Replaces the caller's capability metadata.
    function updateCapabilities(Capabilities calldata caps) external;

    /// @notice Adds `amount` LNQ to the caller's bonded stake.
    function topUp(uint256 amount) external;

    /// @notice Moves `amount` of the caller's bonded stake to unbonding and restarts the delay for all of
    /// it. The remaining bonded stake must be zero or at least {minStake}.
    function requestUnbond(uint256 amount) external;

    /// @notice Withdraws all unbonding stake of the caller once the delay has passed.
    function withdrawUnbonded() external returns (uint256 amount);

    /// @notice Records `count` shards paid to `providerId`. Only ESCROW_ROLE.
    function recordCompleted(uint64 providerId, uint256 count) external;

    /// @notice Records `count` shards refunded for a missed deadline. Only ESCROW_ROLE.
    function recordFailed(uint64 providerId, uint256 count) external;

    /// @notice Records a dispute lost by `providerId` (counted as a failure too). Only COURT_ROLE.
    function recordDisputeLost(uint64 providerId) external;

    /// @notice Takes up to `amount` from the stake (bonded first, then unbonding) and pays it to
    /// `recipient`: the missed-deadline penalty. Only ESCROW_ROLE.
    /// @return taken the amount actually taken (never more than the stake)
    function penalize(uint64 providerId, uint256 amount, address recipient) external returns (uint256 taken);

    /// @notice Like {penalize}, for a lost dispute. Only COURT_ROLE.
    function slash(uint64 providerId, uint256 amount, address recipient) external returns (uint256 taken);

    /// @notice Sets the minimum bonded stake of an active provider. Only governance.
    function setMinStake(uint256 minStake) external;

    /// @notice Sets the unbonding delay in seconds (at most 365 days). Only governance.
    function setUnbondingDelay(uint64 unbondingDelay) external;

    /// @notice Stake and reputation of `providerId`.
    function provider(uint64 providerId) external view returns (Provider memory);

    /// @notice Capability metadata of `providerId`.
    function capabilities(uint64 providerId) external view returns (Capabilities memory);

    /// @notice The provider id of `owner`, or 0.
    function providerIdOf(address owner) external view returns (uint64);

    /// @notice The provider id advertising `peerId`, or 0.
    function providerIdByPeerId(bytes calldata peerId) external view returns (uint64);

    /// @notice The operator address of `providerId`; reverts for an unknown id.
    function ownerOf(uint64 providerId) external view returns (address);

    /// @notice Bonded plus unbonding stake of `providerId`: what a slash can reach.
    function slashableStake(uint64 providerId) external view returns (uint256);

    /// @notice Whether `providerId` exists and its bonded stake is at least {minStake}.
    function isActive(uint64 providerId) external view returns (bool);

    /// @notice completed / (completed + failed) in basis points; 0 when nothing was settled yet.
    function successRateBps(uint64 providerId) external view returns (uint256);

    /// @notice Number of providers ever registered (ids are 1..providerCount).
    function providerCount() external view returns (uint64);

    /// @notice Sum of bonded and unbonding stake of all providers (equals this contract's LNQ balance).
    function totalStaked() external view returns (uint256);

    /// @notice Minimum bonded stake of an active provider.
    function minStake() external view returns (uint256);

    /// @notice Seconds between an unbond request and its withdrawal.
    function unbondingDelay() external view returns (uint64);
}
