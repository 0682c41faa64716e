using LinqP2P.Core;
using LinqP2P.Execution;

namespace LinqP2P.Execution.Docker.Tests;

/// <summary>The exact container configuration and request validation, without a daemon.</summary>
public sealed class ContainerSpecAndValidationTests
{
    private static readonly DockerExecutorOptions Options = new() { WorkRoot = "/var/lib/linq/exec" };

    [Fact]
    public void Spec_AppliesEveryHardeningFlag_AndTheLimits()
    {
        var request = DockerFixture.Shell("true") with
        {
            Limits = new ResourceLimits { NanoCpus = 1_500_000_000, MemoryBytes = 256L << 20, PidsLimit = 100, ScratchBytes = 32L << 20 },
        };

        var spec = DockerContainerSpec.Build(request, Options, "/work/run", "run1", "sha256:abc");
        var host = spec.HostConfig;

        Assert.Equal("none", host.NetworkMode);
        Assert.True(spec.NetworkDisabled);
        Assert.True(host.ReadonlyRootfs);
        Assert.Equal(["ALL"], host.CapDrop);
        Assert.Empty(host.CapAdd);
        Assert.Equal(["no-new-privileges"], host.SecurityOpt);
        Assert.False(host.Privileged);
        Assert.Equal("65534:65534", spec.User);
        Assert.Equal(100, host.PidsLimit);
        Assert.Equal(256L << 20, host.Memory);
        Assert.Equal(host.Memory, host.MemorySwap);
        Assert.Equal(1_500_000_000, host.NanoCPUs);
        Assert.Equal($"rw,noexec,nosuid,nodev,size={32L << 20},mode=1777", host.Tmpfs["/tmp"]);
        var output = Assert.Single(host.Mounts);
        Assert.Equal(("bind", "/work/run", "/linq/out", false), (output.Type, output.Source, output.Target, output.ReadOnly));
        Assert.Empty(host.DeviceRequests);
        Assert.Equal("true", spec.Labels[DockerLabels.Managed]);
        Assert.Equal(request.JobId, spec.Labels[DockerLabels.Job]);
    }

    [Fact]
    public void Spec_BindsInputsReadOnly_UnderLinqIn()
    {
        var request = DockerFixture.Shell("true") with { Inputs = [new InputMount("/tmp", "data")] };

        var spec = DockerContainerSpec.Build(request, Options, "/work/run", "run1", "img");

        var input = spec.HostConfig.Mounts.Single(m => m.Target == "/linq/in/data");
        Assert.True(input.ReadOnly);
        Assert.Equal("/tmp", input.Source);
    }

    [Fact]
    public void Spec_RequestsGpusByCount_ThroughTheNvidiaDriver()
    {
        var request = DockerFixture.Shell("true") with { Limits = DockerFixture.SmallLimits with { GpuCount = 2 } };

        var gpu = Assert.Single(DockerContainerSpec.Build(request, Options, "/w", "r", "i").HostConfig.DeviceRequests);

        Assert.Equal("nvidia", gpu.Driver);
        Assert.Equal(2, gpu.Count);
        Assert.Equal(["gpu"], Assert.Single(gpu.Capabilities));
    }

    [Fact]
    public void Spec_RequestsGpusByIds_WithCountZero()
    {
        var request = DockerFixture.Shell("true") with { Limits = DockerFixture.SmallLimits with { GpuIds = ["0", "GPU-1234"] } };

        var gpu = Assert.Single(DockerContainerSpec.Build(request, Options, "/w", "r", "i").HostConfig.DeviceRequests);

        Assert.Equal(0, gpu.Count);
        Assert.Equal(["0", "GPU-1234"], gpu.DeviceIDs);
    }

    [Fact]
    public void Spec_UsesTheProvidersConfiguredUser()
    {
        var spec = DockerContainerSpec.Build(DockerFixture.Shell("true"), Options with { UserId = 2000, GroupId = 3000 }, "/w", "r", "i");

        Assert.Equal("2000:3000", spec.User);
    }

    [Fact]
    public void Options_RefuseRoot()
    {
        Assert.Throws<InvalidInputException>(() => new DockerExecutor(Options with { UserId = 0 }));
    }

    [Theory]
    [InlineData("negative cpu")]
    [InlineData("tiny memory")]
    [InlineData("zero pids")]
    [InlineData("negative scratch")]
    [InlineData("negative gpus")]
    [InlineData("zero duration")]
    [InlineData("count and ids")]
    public void Validator_RefusesBadLimits(string what)
    {
        var l = DockerFixture.SmallLimits;
        var limits = what switch
        {
            "negative cpu" => l with { NanoCpus = -1 },
            "tiny memory" => l with { MemoryBytes = 1024 },
            "zero pids" => l with { PidsLimit = 0 },
            "negative scratch" => l with { ScratchBytes = -5 },
            "negative gpus" => l with { GpuCount = -1 },
            "zero duration" => l with { MaxDuration = TimeSpan.Zero },
            _ => l with { GpuCount = 1, GpuIds = ["0"] },
        };

        Assert.Single(ExecutionRequestValidator.Problems(DockerFixture.Shell("true") with { Limits = limits }));
    }

    [Theory]
    [InlineData("../up")]
    [InlineData("/abs")]
    [InlineData("a/../../b")]
    [InlineData("a//b")]
    [InlineData("a\\b")]
    [InlineData(".")]
    public void Validator_RefusesOutputPathsThatCouldEscape(string path)
    {
        var problems = ExecutionRequestValidator.Problems(DockerFixture.Shell("true") with { OutputPaths = [path] });

        Assert.Contains(problems, p => p.Contains("output path", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1BAD")]
    [InlineData("HAS-DASH")]
    [InlineData("A=B")]
    [InlineData("")]
    [InlineData("LINQ_JOB_ID")]
    public void Validator_RefusesBadOrReservedEnvironmentNames(string name)
    {
        var request = DockerFixture.Shell("true") with { Environment = new Dictionary<string, string> { [name] = "v" } };

        Assert.Single(ExecutionRequestValidator.Problems(request));
    }

    [Fact]
    public void Validator_RefusesTooManyVariables()
    {
        var env = Enumerable.Range(0, ExecutionRequestValidator.MaxEnvironmentVariables + 1).ToDictionary(i => $"V{i}", i => "x");

        var problems = ExecutionRequestValidator.Problems(DockerFixture.Shell("true") with { Environment = env });

        Assert.Contains(problems, p => p.Contains("at most", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../x", "/tmp")]
    [InlineData("a/b", "/tmp")]
    [InlineData("ok", "relative/path")]
    [InlineData("ok", "/no/such/folder/for/linq")]
    public void Validator_RefusesInputsThatEscapeOrDoNotExist(string name, string hostPath)
    {
        var request = DockerFixture.Shell("true") with { Inputs = [new InputMount(hostPath, name)] };

        Assert.NotEmpty(ExecutionRequestValidator.Problems(request));
    }

    [Fact]
    public void Validator_RefusesShardIndexOutOfRange()
    {
        var problems = ExecutionRequestValidator.Problems(DockerFixture.Shell("true") with { ShardIndex = 3, ShardCount = 3 });

        Assert.Contains(problems, p => p.Contains("shard index", StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_AcceptsATypicalRequest()
    {
        var request = DockerFixture.Shell("true") with
        {
            ShardIndex = 1,
            ShardCount = 4,
            Environment = new Dictionary<string, string> { ["MODEL"] = "m" },
            ShardParameters = new Dictionary<string, string> { ["rows"] = "1-2" },
            Inputs = [new InputMount("/tmp", "data")],
            OutputPaths = ["results/part.csv", "logs/"],
        };

        Assert.Empty(ExecutionRequestValidator.Problems(request));
    }

    [Fact]
    public void NvidiaSmiOutput_IsParsed()
    {
        var gpus = HostProbe.ParseNvidiaSmi("0, GPU-1111, NVIDIA A100, 40960, 550.54\n1, GPU-2222, NVIDIA A100, 40960, 550.54\n");

        Assert.Equal(2, gpus.Count);
        Assert.Equal(new GpuInfo(1, "GPU-2222", "NVIDIA A100", 40960L << 20, "550.54"), gpus[1]);
    }
}
