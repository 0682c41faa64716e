using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Libp2p.Gossipsub;

/// <summary>
/// Global peer scoring parameters (gossipsub v1.1 §Peer scoring). The score is
/// min(TopicScoreCap, Σ topic weight × (w1·P1 + w2·P2 + w3·P3 + w3b·P3b + w4·P4)) + w5·P5 + w6·P6 + w7·P7.
/// Defaults favour a small marketplace network; every topic the app cares about should get its own
/// <see cref="TopicScoreParams"/>.
/// </summary>
public sealed class PeerScoreParams
{
    /// <summary>Per-topic parameters by topic name.</summary>
    public Dictionary<string, TopicScoreParams> Topics { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Parameters for topics not in <see cref="Topics"/>; null leaves those topics unscored. Default set.</summary>
    public TopicScoreParams? DefaultTopic { get; init; } = new();

    /// <summary>Cap on the positive topic part (0 = no cap). Default 3,600.</summary>
    public double TopicScoreCap { get; init; } = 3_600;

    /// <summary>P5: application-specific score of a peer. Default 0 for everyone.</summary>
    public Func<PeerId, double> AppSpecificScore { get; init; } = _ => 0;

    /// <summary>w5. Default 1.</summary>
    public double AppSpecificWeight { get; init; } = 1;

    /// <summary>w6 (must be ≤ 0). Default -10.</summary>
    public double IPColocationFactorWeight { get; init; } = -10;

    /// <summary>Peers on one IP beyond this many are penalised by the square of the surplus. Default 10.</summary>
    public int IPColocationFactorThreshold { get; init; } = 10;

    /// <summary>IP addresses exempt from the colocation penalty. Default loopback (127.0.0.1, ::1): local nodes are ours.</summary>
    public HashSet<string> IPColocationFactorWhitelist { get; init; } = new(StringComparer.Ordinal) { "127.0.0.1", "::1" };

    /// <summary>w7 (must be ≤ 0). Default -10.</summary>
    public double BehaviourPenaltyWeight { get; init; } = -10;

    /// <summary>Behaviour penalties up to this count are free. Default 0.</summary>
    public double BehaviourPenaltyThreshold { get; init; }

    /// <summary>Decay factor of the behaviour penalty per decay interval. Default 0.99.</summary>
    public double BehaviourPenaltyDecay { get; init; } = 0.99;

    /// <summary>How often counters decay. Default 1 s.</summary>
    public TimeSpan DecayInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A decayed counter below this becomes 0. Default 0.01.</summary>
    public double DecayToZero { get; init; } = 0.01;

    /// <summary>How long the score of a disconnected peer is remembered (so reconnecting does not launder it). Default 1 h.</summary>
    public TimeSpan RetainScore { get; init; } = TimeSpan.FromHours(1);

    public void Validate()
    {
        if (IPColocationFactorWeight > 0 || BehaviourPenaltyWeight > 0)
        {
            throw new ArgumentException("gossipsub score weights w6 and w7 must be <= 0");
        }
        if (BehaviourPenaltyDecay is <= 0 or >= 1 || DecayToZero is <= 0 or >= 1)
        {
            throw new ArgumentException("gossipsub score decay factors must lie in (0, 1)");
        }
        foreach (var t in Topics.Values)
        {
            t.Validate();
        }
        DefaultTopic?.Validate();
    }
}

/// <summary>Per-topic scoring parameters (gossipsub v1.1 §Topic parameters).</summary>
public sealed class TopicScoreParams
{
    /// <summary>Topic weight. Default 1.</summary>
    public double TopicWeight { get; init; } = 1;

    /// <summary>w1 (≥ 0). Default 0.01.</summary>
    public double TimeInMeshWeight { get; init; } = 0.01;

    /// <summary>P1 counts mesh time in these units. Default 1 s.</summary>
    public TimeSpan TimeInMeshQuantum { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>P1 cap. Default 3,600.</summary>
    public double TimeInMeshCap { get; init; } = 3_600;

    /// <summary>w2 (≥ 0). Default 1.</summary>
    public double FirstMessageDeliveriesWeight { get; init; } = 1;

    /// <summary>P2 decay per interval. Default 0.5.</summary>
    public double FirstMessageDeliveriesDecay { get; init; } = 0.5;

    /// <summary>P2 cap. Default 100.</summary>
    public double FirstMessageDeliveriesCap { get; init; } = 100;

    /// <summary>w3 (≤ 0). Default 0: off, because a quiet topic would otherwise penalise honest peers.</summary>
    public double MeshMessageDeliveriesWeight { get; init; }

    /// <summary>P3 decay per interval. Default 0.5.</summary>
    public double MeshMessageDeliveriesDecay { get; init; } = 0.5;

    /// <summary>P3 cap. Default 100.</summary>
    public double MeshMessageDeliveriesCap { get; init; } = 100;

    /// <summary>Deliveries below this are a deficit. Default 1.</summary>
    public double MeshMessageDeliveriesThreshold { get; init; } = 1;

    /// <summary>A duplicate this soon after the first copy still counts as a mesh delivery. Default 2 ms.</summary>
    public TimeSpan MeshMessageDeliveriesWindow { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>P3 applies only after a peer has been in the mesh this long. Default 5 s.</summary>
    public TimeSpan MeshMessageDeliveriesActivation { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>w3b (≤ 0). Default 0 (off, as P3).</summary>
    public double MeshFailurePenaltyWeight { get; init; }

    /// <summary>P3b decay per interval. Default 0.5.</summary>
    public double MeshFailurePenaltyDecay { get; init; } = 0.5;

    /// <summary>
    /// w4 (≤ 0). Default -10: P4 is squared, so one invalid message costs 10, two cost 40 (below the
    /// publish threshold) and three cost 90 (graylisted) — room for one validator disagreement, not a pattern.
    /// </summary>
    public double InvalidMessageDeliveriesWeight { get; init; } = -10;

    /// <summary>P4 decay per interval. Default 0.99.</summary>
    public double InvalidMessageDeliveriesDecay { get; init; } = 0.99;

    public void Validate()
    {
        if (TopicWeight < 0 || TimeInMeshWeight < 0 || FirstMessageDeliveriesWeight < 0)
        {
            throw new ArgumentException("gossipsub topic weight, w1 and w2 must be >= 0");
        }
        if (MeshMessageDeliveriesWeight > 0 || MeshFailurePenaltyWeight > 0 || InvalidMessageDeliveriesWeight > 0)
        {
            throw new ArgumentException("gossipsub w3, w3b and w4 must be <= 0");
        }
        if (TimeInMeshQuantum <= TimeSpan.Zero)
        {
            throw new ArgumentException("gossipsub time-in-mesh quantum must be > 0");
        }
    }
}

/// <summary>Score thresholds (gossipsub v1.1 §Score thresholds).</summary>
public sealed class PeerScoreThresholds
{
    /// <summary>Below it (≤ 0) no gossip goes to or is taken from a peer. Default -10.</summary>
    public double GossipThreshold { get; init; } = -10;

    /// <summary>Below it (≤ gossip threshold) we do not flood-publish to a peer. Default -50.</summary>
    public double PublishThreshold { get; init; } = -50;

    /// <summary>Below it (≤ publish threshold) every RPC of the peer is ignored. Default -80.</summary>
    public double GraylistThreshold { get; init; } = -80;

    /// <summary>PX from a peer is followed only above it (≥ 0). Default 10.</summary>
    public double AcceptPXThreshold { get; init; } = 10;

    /// <summary>Median mesh score below it (≥ 0) triggers opportunistic grafting. Default 1.</summary>
    public double OpportunisticGraftThreshold { get; init; } = 1;

    public void Validate()
    {
        if (!(GossipThreshold <= 0 && PublishThreshold <= GossipThreshold && GraylistThreshold <= PublishThreshold
              && AcceptPXThreshold >= 0 && OpportunisticGraftThreshold >= 0))
        {
            throw new ArgumentException("gossipsub thresholds must satisfy graylist <= publish <= gossip <= 0 <= acceptPX, opportunisticGraft");
        }
    }
}
