using LinqP2P.TestKit;

namespace LinqP2P.Execution.Docker.Tests;

[CollectionDefinition(nameof(OrphanRemovalTests), DisableParallelization = true)]
public sealed class OrphanRemovalCollection;

/// <summary>
/// Orphan removal takes every managed container, so it runs alone (after the parallel classes), never
/// beside a test whose job is running.
/// </summary>
[Collection(nameof(OrphanRemovalTests))]
public sealed class OrphanRemovalTests : IClassFixture<DockerFixture>
{
    private readonly DockerFixture _docker;

    public OrphanRemovalTests(DockerFixture docker)
    {
        _docker = docker;
    }

    [Fact]
    public async Task RemoveOrphans_RemovesContainersLeftByACrashedNode_AndNothingElse()
    {
        var jobId = DockerFixture.NewJobId();
        var orphan = await CliAsync("create", "--label", "org.linqp2p.managed=true", "--label", $"org.linqp2p.job={jobId}",
            "--network", "none", DockerTestImages.Busybox, "sleep", "30");
        var bystander = await CliAsync("create", "--label", $"org.linqp2p.job={jobId}", "--network", "none", DockerTestImages.Busybox, "true");
        try
        {
            await CliAsync("start", orphan);

            var removed = await _docker.Executor.RemoveOrphansAsync(CancellationToken.None);

            Assert.True(removed >= 1);
            Assert.Equal([bystander], await _docker.Executor.ListJobContainersAsync(jobId, CancellationToken.None));
        }
        finally
        {
            await DockerTestImages.DockerCliAsync("rm", "-f", orphan, bystander);
        }
    }

    private static async Task<string> CliAsync(params string[] args)
    {
        var r = await DockerTestImages.DockerCliAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r.Stderr}");
        return r.StdoutTrimmed;
    }
}
