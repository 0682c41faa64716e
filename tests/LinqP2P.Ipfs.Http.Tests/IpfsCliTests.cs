using System.Diagnostics;
using System.Net;
using System.Text;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.DagPb;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Ipfs.UnixFs;
using LinqP2P.Multiformats;
using LinqP2P.TestKit;

namespace LinqP2P.Ipfs.Http.Tests;

/// <summary>`linq ipfs ...` run as the real executable on a temp repo.</summary>
public sealed class IpfsCliTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "linq-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public IpfsCliTests() => Directory.CreateDirectory(_root);

    private string RepoPath => Path.Combine(_root, "repo");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<ExternalProcess.Result> LinqAsync(params string[] args) =>
        ExternalProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "linq.dll"), "ipfs", "--repo", RepoPath, .. args], timeout: TimeSpan.FromMinutes(1));

    [Theory]
    [InlineData(null, "unixfs-v1-2025")]
    [InlineData("unixfs-v0-2015", "unixfs-v0-2015")]
    [InlineData("importer-default", "importer-default")]
    public async Task Add_PrintsTheCidOfTheProfile(string? option, string profile)
    {
        var file = Path.Combine(_root, "data.bin");
        var content = Bytes.Random(1_300_000, 5);
        await File.WriteAllBytesAsync(file, content);
        var result = option is null ? await LinqAsync("add", file) : await LinqAsync("add", file, "--profile", option);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var expected = await new UnixFsImporter(new MemoryBlockStore(), ImportProfile.Parse(profile)).ImportBytesAsync(content);
        Assert.Equal(expected.Cid.ToString(), result.StdoutTrimmed);
    }

    [Fact]
    public async Task CatGetAndPins_WorkOnTheRepo()
    {
        var folder = Path.Combine(_root, "in");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        await File.WriteAllTextAsync(Path.Combine(folder, "a.txt"), "alpha\n");
        await File.WriteAllBytesAsync(Path.Combine(folder, "sub", "b.bin"), Bytes.Random(2_000_000, 2));
        var add = await LinqAsync("add", folder);
        Assert.True(add.ExitCode == 0, add.Stderr);
        var root = add.StdoutTrimmed;

        var single = await LinqAsync("add", Path.Combine(folder, "a.txt"));
        var cat = await LinqAsync("cat", single.StdoutTrimmed);
        Assert.Equal("alpha\n", cat.Stdout);

        var output = Path.Combine(_root, "out");
        var get = await LinqAsync("get", root, "-o", output);
        Assert.True(get.ExitCode == 0, get.Stderr);
        Assert.Equal("alpha\n", await File.ReadAllTextAsync(Path.Combine(output, "a.txt")));
        Assert.Equal(Bytes.Random(2_000_000, 2), await File.ReadAllBytesAsync(Path.Combine(output, "sub", "b.bin")));

        Assert.Contains($"{root} recursive", (await LinqAsync("pin", "ls")).Stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await LinqAsync("pin", "rm", root)).ExitCode);
        Assert.DoesNotContain(root, (await LinqAsync("pin", "ls")).Stdout, StringComparison.Ordinal);
        var again = await LinqAsync("pin", "rm", root);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("not pinned", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await LinqAsync("pin", "add", root)).ExitCode);
        Assert.Contains($"{root} recursive", (await LinqAsync("pin", "ls")).Stdout, StringComparison.Ordinal);

        var bad = await LinqAsync("cat", "not-a-cid");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("CID", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ExposesTheRepoOnLoopback()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "linq.dll"), "ipfs", "--repo", RepoPath, "serve", "--port", "0" })
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(line);
            var address = new Uri(line!.Split(' ')[1].Replace("ipfs/", "", StringComparison.Ordinal));
            Assert.Equal("127.0.0.1", address.Host);
            using var client = new HttpClient { BaseAddress = address };
            using var form = new MultipartFormDataContent { { new ByteArrayContent("served"u8.ToArray()), "file", "a.txt" } };
            using var added = await client.PostAsync("api/v0/add", form);
            var cid = (await TestNode.NdjsonAsync(added))[0].GetProperty("Hash").GetString();
            Assert.Equal("served", await client.GetStringAsync($"ipfs/{cid}"));

            // SIGTERM (as a service manager sends) stops it cleanly.
            Assert.Equal(0, (await ExternalProcess.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])).ExitCode);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public async Task AddImage_PrintsAnIpfsReferenceToTheSavedImage()
    {
        await DockerTestImages.EnsureBuiltAsync();
        var result = await LinqAsync("add-image", DockerTestImages.Busybox);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var reference = result.StdoutTrimmed;
        Assert.StartsWith("ipfs://", reference, StringComparison.Ordinal);
        var id = (await DockerTestImages.DockerCliAsync("image", "inspect", "--format", "{{.Id}}", DockerTestImages.Busybox)).StdoutTrimmed;
        var source = await new LinqP2P.Artifacts.ImageArtifacts(IpfsRepo.Open(new IpfsRepoOptions { Path = RepoPath })).ResolveAsync(reference);
        Assert.Equal(id, source.Reference);
    }

    /// <summary>A directory whose one entry has <paramref name="name"/>, stored in <paramref name="store"/>.</summary>
    internal static async Task<Cid> CraftDirectoryAsync(IBlockStore store, string name, bool symlink = false)
    {
        Block child;
        if (symlink)
        {
            child = Block.Create(DagPbCodec.Encode(new PbNode([], new UnixFsData { Type = UnixFsType.Symlink, Data = Encoding.UTF8.GetBytes(name) }.Encode())), Multicodec.DagPb, 0);
            name = "link";
        }
        else
        {
            child = Block.Create("owned"u8.ToArray(), Multicodec.Raw, 1);
        }
        await store.PutAsync(child);
        var dir = Block.Create(
            DagPbCodec.Encode(new PbNode([new PbLink(child.Cid, name, (ulong)child.Data.Length)], new UnixFsData { Type = UnixFsType.Directory }.Encode())),
            Multicodec.DagPb,
            0);
        await store.PutAsync(dir);
        return dir.Cid;
    }

    [Theory]
    [InlineData("../evil", false)]
    [InlineData("..", false)]
    [InlineData("a/../../evil", false)]
    [InlineData("/tmp/evil", false)]
    [InlineData("../../evil", true)]
    [InlineData("/etc", true)]
    public async Task Get_NeverWritesOutsideItsTarget(string name, bool symlink)
    {
        var repo = IpfsRepo.Open(new IpfsRepoOptions { Path = RepoPath });
        var cid = await CraftDirectoryAsync(repo.Blocks, name, symlink);
        var nest = Path.Combine(_root, "nest");
        Directory.CreateDirectory(nest);
        var target = Path.Combine(nest, "target");
        var result = await LinqAsync("get", cid.ToString(), "-o", target);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ipfs.unsafe_path", result.Stderr, StringComparison.Ordinal);
        // Nothing but the (possibly created, empty) target folder exists anywhere under the test root.
        var written = Directory.EnumerateFileSystemEntries(_root, "*", SearchOption.AllDirectories)
            .Where(p => !p.StartsWith(RepoPath, StringComparison.Ordinal) && p != nest && p != target)
            .ToList();
        Assert.Empty(written);
        Assert.False(File.Exists("/tmp/evil"));
    }

    [Theory]
    [InlineData("../evil", false)]
    [InlineData("a/../../evil", false)]
    [InlineData("../../evil", true)]
    public async Task RpcGet_RefusesToArchiveEscapingNames(string name, bool symlink)
    {
        await using var node = await TestNode.StartAsync();
        var cid = await CraftDirectoryAsync(node.Repo.Blocks, name, symlink);
        using var response = await node.PostAsync($"get?arg={cid}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await TestNode.JsonAsync(response);
        Assert.Equal(1, error.GetProperty("Code").GetInt32());
        Assert.Contains(name, error.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }
}
