namespace LinqP2P.Execution.Docker;

/// <summary>Labels on every job container, so runs can be found (and orphans removed) after a crash.</summary>
public static class DockerLabels
{
    public const string Managed = "org.linqp2p.managed";
    public const string Job = "org.linqp2p.job";
    public const string Shard = "org.linqp2p.shard";
    public const string Run = "org.linqp2p.run";
}
