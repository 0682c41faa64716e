using System.Formats.Tar;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Execution;
using LinqP2P.Execution.Docker;
using LinqP2P.Ipfs;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.TestKit;

namespace LinqP2P.Artifacts.Tests;

/// <summary>Images as artifacts against the real dockerd, with a locally built image and no registry.</summary>
public sealed class ImageArtifactsTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "linq-artifacts-" + Guid.NewGuid().ToString("N")[..8]);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
        return Task.CompletedTask;
    }

    private IpfsRepo Repo(string name) => IpfsRepo.Open(new IpfsRepoOptions { Path = Path.Combine(_root, name) });

    private static async Task CliAsync(params string[] args)
    {
        var r = await DockerTestImages.DockerCliAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r.Stderr}");
    }

    /// <summary>A new image (its own id) made from the busybox test image, so loading it is observable.</summary>
    private static async Task<string> BuildUniqueImageAsync()
    {
        await DockerTestImages.EnsureBuiltAsync();
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var tag = "linq-test/artifact:" + suffix;
        var container = "linq-artifact-" + suffix;
        await CliAsync("create", "--name", container, DockerTestImages.Busybox, "/bin/true");
        try
        {
            await CliAsync("commit", "--change", $"LABEL org.linqp2p.test={suffix}", container, tag);
        }
        finally
        {
            await DockerTestImages.DockerCliAsync("rm", "-f", container);
        }
        return tag;
    }

    [Fact]
    public async Task IpfsImage_IsFetchedLoadedAndRun_WithoutARegistry()
    {
        var tag = await BuildUniqueImageAsync();
        var inspected = await DockerTestImages.DockerCliAsync("image", "inspect", "--format", "{{.Id}}", tag);
        var imageId = inspected.Stdout.Trim();
        var requester = Repo("requester");
        var provider = Repo("provider");
        using var executor = new DockerExecutor(new DockerExecutorOptions { WorkRoot = Path.Combine(_root, "work") });
        try
        {
            var artifact = await new ImageArtifacts(requester).AddImageAsync(tag);
            Assert.Equal(imageId, artifact.ImageId);
            Assert.Contains(tag, artifact.RepoTags);
            Assert.StartsWith("ipfs://", artifact.Reference, StringComparison.Ordinal);
            Assert.NotNull(requester.Pins.Get(artifact.Cid));

            // The provider gets the blocks (here as a CAR, as a peer would send them) and has no such image.
            var car = new MemoryStream();
            await requester.ExportCarAsync([artifact.Cid], car);
            car.Position = 0;
            await provider.ImportCarAsync(car);
            await CliAsync("rmi", tag);
            Assert.False(await executor.HasImageAsync(imageId, CancellationToken.None));

            var source = await new ImageArtifacts(provider).ResolveAsync(artifact.Reference);
            Assert.Equal(imageId, source.Reference);
            var result = await executor.ExecuteAsync(
                new ExecutionRequest
                {
                    JobId = "artifact-" + Guid.NewGuid().ToString("N")[..8],
                    Image = source,
                    Command = ["/bin/sh", "-c", "echo from-ipfs"],
                    Limits = new ResourceLimits { NanoCpus = 500_000_000, MemoryBytes = 64 * ResourceLimits.MiB, PidsLimit = 64, ScratchBytes = 16 * ResourceLimits.MiB, MaxDuration = TimeSpan.FromSeconds(20) },
                },
                ExecutionLogSink.None,
                CancellationToken.None);
            Assert.Equal(ExecutionOutcome.Succeeded, result.Outcome);
            Assert.Equal("from-ipfs", result.LogTail);
            Assert.True(await executor.HasImageAsync(imageId, CancellationToken.None));
        }
        finally
        {
            await DockerTestImages.DockerCliAsync("rmi", "-f", imageId);
        }
    }

    [Fact]
    public async Task AddImage_OfAMissingImage_SaysSo()
    {
        await DockerTestImages.EnsureBuiltAsync();
        var e = await Assert.ThrowsAsync<ImageArtifactException>(() => new ImageArtifacts(Repo("r")).AddImageAsync("linq-test/absent:" + Guid.NewGuid().ToString("N")[..8]));
        Assert.Equal("artifacts.image.save_failed", e.Code);
    }

    [Fact]
    public async Task Resolve_OfAPlainTar_IsRefused()
    {
        var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "etc/passwd") { DataStream = new MemoryStream("root:x:0:0"u8.ToArray()) });
        }
        tar.Position = 0;
        var artifacts = new ImageArtifacts(new MemoryBlockStore());
        var e = await Assert.ThrowsAsync<ImageArtifactException>(() => artifacts.AddArchiveAsync(tar));
        Assert.Equal("artifacts.image.no_manifest", e.Code);
    }

    [Fact]
    public async Task Resolve_WithBlocksMissing_ThrowsBlockNotFound()
    {
        var full = new MemoryBlockStore();
        var cid = (await new LinqP2P.Ipfs.Importing.UnixFsImporter(full).ImportBytesAsync(new byte[3_000_000])).Cid;
        await Assert.ThrowsAsync<BlockNotFoundException>(() => new ImageArtifacts(new MemoryBlockStore()).ResolveAsync("ipfs://" + cid));
        await Assert.ThrowsAsync<ImageArtifactException>(() => new ImageArtifacts(full).ResolveAsync("docker.io/library/busybox"));
        await Assert.ThrowsAsync<ImageArtifactException>(() => new ImageArtifacts(full).ResolveAsync("ipfs://not-a-cid"));
    }

    [Theory]
    [InlineData("""[{"Config":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.json","RepoTags":["a:1"]}]""")]
    [InlineData("""[{"Config":"blobs/sha256/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","RepoTags":null}]""")]
    public void Manifest_ClassicAndOciLayouts_GiveTheImageId(string json)
    {
        var (id, _) = ImageArtifacts.ParseManifest(Encoding.UTF8.GetBytes(json));
        Assert.Equal("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", id);
    }

    [Property(MaxTest = 500)]
    public Property Manifest_RandomInputGivesATypedErrorOrAnId(byte[] bytes)
    {
        try
        {
            var (id, _) = ImageArtifacts.ParseManifest(bytes ?? []);
            return (id.Length == 71).ToProperty();
        }
        catch (ImageArtifactException)
        {
            return true.ToProperty();
        }
    }

    [Property(MaxTest = 100)]
    public Property Archive_RandomBytesGiveATypedError(byte[] bytes)
    {
        try
        {
            ImageArtifacts.ReadManifestAsync(new MemoryStream(bytes ?? []), CancellationToken.None).GetAwaiter().GetResult();
            return false.ToProperty();
        }
        catch (ImageArtifactException)
        {
            return true.ToProperty();
        }
    }
}
