using LinqP2P.Core;
using LinqP2P.Execution;
using LinqP2P.TestKit;

namespace LinqP2P.Execution.Docker.Tests;

/// <summary>The start hook and its gate: node code runs after the container starts and before the job's command.</summary>
public sealed class StartHookTests(DockerFixture docker) : IClassFixture<DockerFixture>
{
    [Fact]
    public async Task Hook_RunsBeforeTheJobCommand_AndWhatItReturnsIsReleasedAfterTheRun()
    {
        var hook = new RecordingHook(async container =>
        {
            // Were the command running, it would have created the file by now.
            await Task.Delay(500);
            return File.Exists($"/proc/{container.Pid}/root/linq/out/started");
        });
        var request = DockerFixture.Shell("touch /linq/out/started && echo \"hook says $LINQ_TEST_HOOK\"") with { StartHook = hook };

        var result = await docker.RunAsync(request);

        Assert.Equal(ExecutionOutcome.Succeeded, result.Outcome);
        Assert.Contains("hook says from-the-node", result.LogTail, StringComparison.Ordinal);
        Assert.Contains(result.Outputs, o => o.Path == "started");
        var seen = Assert.Single(hook.Seen);
        Assert.Equal((request.JobId, 0, 1), (seen.Container.JobId, seen.Container.ShardIndex, seen.Container.ShardCount));
        Assert.True(seen.Container.Pid > 0);
        Assert.False(seen.JobHadStarted, "the job's command ran before the hook finished");
        Assert.True(hook.Released);
    }

    [Fact]
    public async Task Hook_WithoutACommand_GatesTheImagesOwnCmd()
    {
        // The busybox image has no entrypoint and CMD ["/bin/sh"]; with Args the daemon's rule is entrypoint + args.
        var hook = new RecordingHook(_ => Task.FromResult(false));
        var request = DockerFixture.Shell("unused") with { Command = null, Args = ["/bin/sh", "-c", "echo args-ran"], StartHook = hook };

        var result = await docker.RunAsync(request);

        Assert.Equal(ExecutionOutcome.Succeeded, result.Outcome);
        Assert.Contains("args-ran", result.LogTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hook_ThatThrows_AbortsTheRun_AndLeavesNoContainer()
    {
        var hook = new RecordingHook(_ => throw new InvalidOperationException("mesh listeners failed"));
        var request = DockerFixture.Shell("touch /linq/out/started") with { StartHook = hook };

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => docker.Executor.ExecuteAsync(request, ExecutionLogSink.None, CancellationToken.None));

        Assert.Equal("mesh listeners failed", e.Message);
        await docker.AssertNoContainerLeftAsync(request.JobId);
    }

    [Fact]
    public void HookVariables_MustBeLinqNamesTheExecutorDoesNotSet()
    {
        var hook = new RecordingHook(_ => Task.FromResult(false), new Dictionary<string, string>
        {
            ["LINQ_JOB_ID"] = "forged",
            ["PATH"] = "/evil",
            ["LINQ_PARAM_X"] = "1",
            ["LINQ_MESH_PEERS"] = "ok",
        });

        var problems = ExecutionRequestValidator.Problems(DockerFixture.Shell("true") with { StartHook = hook });

        Assert.Equal(3, problems.Count);
        Assert.Throws<InvalidInputException>(() => ExecutionRequestValidator.Validate(DockerFixture.Shell("true") with { StartHook = hook }));
    }

    [Fact]
    public void ContainerSpec_WithAHook_BindsTheGateReadOnly_AndWrapsTheCommand()
    {
        var request = DockerFixture.Shell("echo hi") with { StartHook = new RecordingHook(_ => Task.FromResult(false)) };

        var spec = DockerContainerSpec.Build(request, new DockerExecutorOptions(), "/work/run", "run-1", "sha256:abc", gatePath: "/work/gate");

        Assert.Contains(spec.HostConfig.Mounts, m => m.Source == "/work/gate" && m.Target == ExecutionContract.GateRoot && m.ReadOnly);
        Assert.Equal(["/bin/sh", "-c", DockerContainerSpec.GateScript, "linq-gate"], spec.Entrypoint);
        Assert.Equal(["/bin/sh", "-c", "echo hi"], spec.Cmd);
        Assert.Contains("LINQ_TEST_HOOK=from-the-node", spec.Env);
        Assert.Equal("none", spec.HostConfig.NetworkMode);
    }

    private sealed class RecordingHook(Func<StartedContainer, Task<bool>> onStarted, IReadOnlyDictionary<string, string>? environment = null)
        : IExecutionStartHook, IAsyncDisposable
    {
        public IReadOnlyDictionary<string, string> Environment { get; } =
            environment ?? new Dictionary<string, string> { ["LINQ_TEST_HOOK"] = "from-the-node" };

        public List<(StartedContainer Container, bool JobHadStarted)> Seen { get; } = [];

        public bool Released { get; private set; }

        public async Task<IAsyncDisposable> OnStartedAsync(StartedContainer container, CancellationToken cancellationToken)
        {
            Seen.Add((container, await onStarted(container)));
            return this;
        }

        public ValueTask DisposeAsync()
        {
            Released = true;
            return ValueTask.CompletedTask;
        }
    }
}
