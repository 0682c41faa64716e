namespace LinqP2P.Node.Devnet;

/// <summary>Options of <c>linq devnet up</c> (SPEC.md §4).</summary>
public sealed class DevnetOptions
{
    /// <summary>How many node wallets to fund and stake (1–100). Default 3.</summary>
    public int Nodes { get; set; } = 3;

    /// <summary>Seconds between blocks once deployed. Default 1. Ignored with <see cref="Automine"/>.</summary>
    public double BlockTimeSeconds { get; set; } = 1;

    /// <summary>Mine a block per transaction instead of on an interval. Default false.</summary>
    public bool Automine { get; set; }

    /// <summary>The loopback port of anvil; 0 picks a free one. Default 8545.</summary>
    public int Port { get; set; } = 8545;

    /// <summary>Where the manifest, keystores and anvil's log go. Default testnet/run.</summary>
    public string Directory { get; set; } = Path.Combine("testnet", "run");

    /// <summary>The anvil binary; null finds .tools/bin/anvil above the current folder or the binary, then PATH.</summary>
    public string? AnvilPath { get; set; }

    /// <summary>The chain id anvil serves. Default 31337.</summary>
    public long ChainId { get; set; } = 31337;

    /// <summary>LNQ (whole tokens) each node wallet receives. Default 100 000.</summary>
    public int NodeFundingLnq { get; set; } = 100_000;

    /// <summary>LNQ (whole tokens) each node stakes as a provider. Default 10 000.</summary>
    public int NodeStakeLnq { get; set; } = 10_000;

    /// <summary>The constructor arguments; the contracts' fixture values by default.</summary>
    public SettlementParameters Contracts { get; set; } = new();

    public void Validate()
    {
        if (Nodes is < 1 or > 100)
        {
            throw new ArgumentException("--nodes must be between 1 and 100.");
        }
        if (!Automine && BlockTimeSeconds <= 0)
        {
            throw new ArgumentException("--block-time must be positive (or use --automine).");
        }
        if (Port is < 0 or > 65_535)
        {
            throw new ArgumentException("--port must be between 0 and 65535.");
        }
        if (NodeStakeLnq > NodeFundingLnq)
        {
            throw new ArgumentException("a node cannot stake more LNQ than it is funded with.");
        }
    }
}
