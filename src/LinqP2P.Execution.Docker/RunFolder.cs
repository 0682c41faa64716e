using System.Runtime.InteropServices;

namespace LinqP2P.Execution.Docker;

/// <summary>
/// The host folders of one run: <c>runs/&lt;id&gt;</c> (bound writable at /linq/out, owned by the job's uid,
/// deleted afterwards) and <c>outputs/&lt;id&gt;</c> (the collected copy, the caller's).
/// </summary>
internal sealed partial class RunFolder
{
    private RunFolder(string workPath, string outputPath)
    {
        WorkPath = workPath;
        OutputPath = outputPath;
    }

    public string WorkPath { get; }

    public string OutputPath { get; }

    public static RunFolder Create(string workRoot, string runId, int uid, int gid)
    {
        var runs = Path.Combine(workRoot, "runs");
        Directory.CreateDirectory(runs);
        Directory.CreateDirectory(Path.Combine(workRoot, "outputs"));
        var work = Path.Combine(runs, runId);
        Directory.CreateDirectory(work);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Docker executor runs Linux containers on a Linux provider.");
        }
        if (Chown(work, (uint)uid, (uint)gid) == 0)
        {
            File.SetUnixFileMode(work, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
        else
        {
            // Not root (rootless engine or a docker group member): the job's uid cannot be given the
            // folder, so it is opened to everyone; its parent still belongs to the provider.
            File.SetUnixFileMode(work, (UnixFileMode)0x1FF);
        }
        return new RunFolder(work, Path.Combine(workRoot, "outputs", runId));
    }

    /// <summary>Deletes the bound folder. Symbolic links inside are removed, never followed.</summary>
    public void DeleteWork()
    {
        try
        {
            if (Directory.Exists(WorkPath))
            {
                Directory.Delete(WorkPath, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);
}
