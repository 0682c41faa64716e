using System.CommandLine;
using LinqP2P.Artifacts;
using LinqP2P.Core;
using LinqP2P.Ipfs;
using LinqP2P.Ipfs.Http;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Ipfs.Pinning;
using LinqP2P.Multiformats;

namespace LinqP2P.Cli.Commands;

/// <summary>`linq ipfs ...`: the local artifact store (SPEC.md §6), working directly on a repo folder.</summary>
internal static class IpfsCommands
{
    private static readonly Option<string> RepoOption = new("--repo")
    {
        Description = "Repo folder (default: $LINQ_IPFS_REPO or ~/.linq/ipfs).",
        Recursive = true,
        DefaultValueFactory = _ => IpfsRepoOptions.DefaultPath,
    };

    public static Command Create()
    {
        var ipfs = new Command("ipfs", "Add, read, pin and move content in the local IPFS store.");
        ipfs.Options.Add(RepoOption);
        ipfs.Subcommands.Add(Add());
        ipfs.Subcommands.Add(Cat());
        ipfs.Subcommands.Add(Get());
        ipfs.Subcommands.Add(Ls());
        ipfs.Subcommands.Add(Pin());
        ipfs.Subcommands.Add(Gc());
        ipfs.Subcommands.Add(Car());
        ipfs.Subcommands.Add(AddImage());
        ipfs.Subcommands.Add(Serve());
        return ipfs;
    }

    private static IpfsRepo OpenRepo(ParseResult p) => IpfsRepo.Open(new IpfsRepoOptions { Path = p.GetValue(RepoOption)! });

    /// <summary>Runs a command body and turns expected failures into a message and exit code 1.</summary>
    private static async Task<int> RunAsync(Func<Task> body)
    {
        try
        {
            await body();
            return 0;
        }
        catch (LinqException e)
        {
            await Console.Error.WriteLineAsync($"error ({e.Code}): {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message);
            return 1;
        }
    }

    private static Cid ParseCid(string text)
    {
        try
        {
            return Cid.Parse(text);
        }
        catch (MultiformatException e)
        {
            throw new ArgumentException($"'{text}' is not a CID ({e.Message}); CIDs look like Qm... or bafy...", e);
        }
    }

    private static Command Add()
    {
        var path = new Argument<string>("path") { Description = "File or folder to add." };
        var profile = new Option<string>("--profile")
        {
            Description = "Import profile: unixfs-v1-2025 (default), unixfs-v0-2015 or importer-default.",
            DefaultValueFactory = _ => ImportProfile.Default.Name,
        };
        var command = new Command("add", "Import a file or folder as UnixFS, pin it and print its CID.") { path, profile };
        command.SetAction((p, ct) => RunAsync(async () =>
        {
            var repo = OpenRepo(p);
            var target = p.GetValue(path)!;
            if (!File.Exists(target) && !Directory.Exists(target))
            {
                throw new FileNotFoundException($"{target} does not exist: give the path of a file or folder");
            }
            var total = File.Exists(target) ? new FileInfo(target).Length : 0;
            var lastShown = DateTime.MinValue;
            var progress = new SyncProgress(done =>
            {
                if (total > 64 << 20 && DateTime.UtcNow - lastShown > TimeSpan.FromMilliseconds(500))
                {
                    lastShown = DateTime.UtcNow;
                    Console.Error.Write($"\r{done >> 20} / {total >> 20} MiB ({100.0 * done / total:F0}%)");
                }
            });
            var result = await repo.AddAsync(target, ImportProfile.Parse(p.GetValue(profile)!), progress, ct);
            if (total > 64 << 20)
            {
                Console.Error.WriteLine($"\r{total >> 20} / {total >> 20} MiB (100%)");
            }
            Console.WriteLine(result.Cid);
        }));
        return command;
    }

    private static Command Cat()
    {
        var cid = new Argument<string>("cid");
        var offset = new Option<long>("--offset") { Description = "First byte to print." };
        var length = new Option<long?>("--length") { Description = "How many bytes to print (default: to the end)." };
        var command = new Command("cat", "Write a file's bytes to stdout.") { cid, offset, length };
        command.SetAction((p, ct) => RunAsync(async () =>
        {
            var repo = OpenRepo(p);
            await using var stdout = Console.OpenStandardOutput();
            await repo.Exporter.CatAsync(ParseCid(p.GetValue(cid)!), stdout, p.GetValue(offset), p.GetValue(length), ct);
        }));
        return command;
    }

    private static Command Get()
    {
        var cid = new Argument<string>("cid");
        var output = new Option<string>("--output", "-o") { Description = "Where to write it (must not exist).", Required = true };
        var command = new Command("get", "Write a file or directory tree to disk.") { cid, output };
        command.SetAction((p, ct) => RunAsync(async () =>
        {
            var repo = OpenRepo(p);
            await repo.Exporter.GetAsync(ParseCid(p.GetValue(cid)!), p.GetValue(output)!, ct);
            Console.WriteLine($"saved to {Path.GetFullPath(p.GetValue(output)!)}");
        }));
        return command;
    }

    private static Command Ls()
    {
        var cid = new Argument<string>("cid");
        var command = new Command("ls", "List a directory's entries (CID, size, name).") { cid };
        command.SetAction((p, ct) => RunAsync(async () =>
        {
            var repo = OpenRepo(p);
            await foreach (var e in repo.Exporter.ListAsync(ParseCid(p.GetValue(cid)!), ct))
            {
                Console.WriteLine($"{e.Cid} {e.DagSize} {e.Name}");
            }
        }));
        return command;
    }

    private static Command Pin()
    {
        var pin = new Command("pin", "Keep content through garbage collection.");
        var addCid = new Argument<string>("cid");
        var direct = new Option<bool>("--direct") { Description = "Pin only this block, not what it links to." };
        var add = new Command("add", "Pin a CID (recursively unless --direct); all its blocks must be present.") { addCid, direct };
        add.SetAction((p, ct) => RunAsync(async () =>
        {
            var repo = OpenRepo(p);
            var c = ParseCid(p.GetValue(addCid)!);
            await repo.PinAsync(c, p.GetValue(direct) ? PinKind.Direct : PinKind.Recursive, ct);
            Console.WriteLine($"pinned {c}");
        }));
        var rmCid = new Argument<string>("cid");
        var rm = new Command("rm", "Unpin a CID (run gc to free its blocks).") { rmCid };
        rm.SetAction((p, ct) => RunAsync(() =>
        {
            var repo = OpenRepo(p);
            var c = ParseCid(p.GetValue(rmCid)!);
            if (!repo.Pins.Remove(c))
            {
                throw new ArgumentException($"{c} is not pinned: see `linq ipfs pin ls`");
            }
            Console.WriteLine($"unpinned {c}");
            return Task.CompletedTask;
        }));
        var ls = new Command("ls", "List pins.");
        ls.SetAction((p, ct) => RunAsync(() =>
        {
            foreach (var x in OpenRepo(p).Pins.List())
            {
                Console.WriteLine($"{x.Cid} {x.Kind.ToString().ToLowerInvariant()}");
            }
            return Task.CompletedTask;
        }));
        pin.Subcommands.Add(add);
        pin.Subcommands.Add(rm);
        pin.Subcommands.Add(ls);
        return pin;
    }

    private static Command Gc()
    {
        var command = new Command("gc", "Delete every block not reachable from a pin.");
        command.SetAction((p, ct) => RunAsync(async () =>
        {
            var result = await OpenRepo(p).CollectGarbageAsync(ct);
            Console.WriteLine($"removed {result.BlocksRemoved} blocks, kept {result.BlocksKept}");
        }));
        return command;
    }

    private static Command Car()
    {
        var car = new Command("car", "Move DAGs in and out as CARv1 files.");
        var roots = new Argument<string[]>("cid") { Description = "Root CIDs.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "CAR file to write.", Required = true };
        var export = new Command("export", "Write the DAGs under the given roots to a CAR file.") { roots, output };
        export.SetAction((p, ct) => RunAsync(async () =>
        {
            var repo = OpenRepo(p);
            var cids = p.GetValue(roots)!.Select(ParseCid).ToList();
            await using var file = new FileStream(p.GetValue(output)!, FileMode.CreateNew, FileAccess.Write);
            var count = await repo.ExportCarAsync(cids, file, ct);
            Console.WriteLine($"wrote {count} blocks to {p.GetValue(output)}");
        }));
        var input = new Argument<string>("file");
        var noPin = new Option<bool>("--no-pin") { Description = "Do not pin the CAR's roots." };
        var import = new Command("import", "Verify and store every block of a CAR file; pin its roots.") { input, noPin };
        import.SetAction((p, ct) => RunAsync(async () =>
        {
            var repo = OpenRepo(p);
            await using var file = File.OpenRead(p.GetValue(input)!);
            var (rootCids, count) = await repo.ImportCarAsync(file, !p.GetValue(noPin), ct);
            Console.WriteLine($"imported {count} blocks; roots: {string.Join(' ', rootCids)}");
        }));
        car.Subcommands.Add(export);
        car.Subcommands.Add(import);
        return car;
    }

    private static Command AddImage()
    {
        var reference = new Argument<string>("image") { Description = "A local image (name:tag or id) to store, via `docker save`." };
        var command = new Command("add-image", "Store a local container image as an artifact and print its ipfs://CID reference for job specs.") { reference };
        command.SetAction((p, ct) => RunAsync(async () =>
        {
            var lastShown = DateTime.UtcNow;
            var shown = false;
            var progress = new SyncProgress(done =>
            {
                if (DateTime.UtcNow - lastShown > TimeSpan.FromMilliseconds(500))
                {
                    lastShown = DateTime.UtcNow;
                    shown = true;
                    Console.Error.Write($"\r{done >> 20} MiB stored");
                }
            });
            var artifact = await new ImageArtifacts(OpenRepo(p)).AddImageAsync(p.GetValue(reference)!, progress, ct);
            if (shown)
            {
                Console.Error.WriteLine();
            }
            Console.WriteLine(artifact.Reference);
            Console.Error.WriteLine($"image {artifact.ImageId} ({string.Join(", ", artifact.RepoTags)}), {artifact.Size} bytes, pinned");
        }));
        return command;
    }

    private static Command Serve()
    {
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (default 5001, Kubo's API port; 0 picks a free one).", DefaultValueFactory = _ => 5001 };
        var command = new Command("serve", "Serve this repo over HTTP on 127.0.0.1: the trustless gateway (/ipfs/CID) and the Kubo RPC subset (/api/v0/).") { port };
        command.SetAction((p, ct) => RunAsync(async () =>
        {
            await using var server = await IpfsHttpServer.StartAsync(OpenRepo(p), new IpfsHttpServerOptions { Port = p.GetValue(port) }, ct);
            Console.WriteLine($"gateway {server.Address}ipfs/  rpc {server.Address}api/v0/  (Ctrl+C to stop)");
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, server.Stopping);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }));
        return command;
    }

    /// <summary>Reports on the calling thread, unlike Progress&lt;T&gt; which posts to the thread pool.</summary>
    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
