using System.Runtime.InteropServices;

namespace LinqP2P.Execution.Docker;

/// <summary>
/// The host folders of one run: <c>runs/&lt;id&gt;</c> (bound writable at /linq/out, owned by the job's uid,
/// deleted afterwards) and <c>outputs/&lt;id&gt;</c> (the collected copy, the caller's).
/// </summary>
internal sealed partial class RunFolder
{
    private RunFolder(string workPath, string outputPath, string gatePath)
    {
        WorkPath = workPath;
        OutputPath = outputPath;
        GatePath = gatePath;
    }

    public string WorkPath { get; }

    /// <summary><c>gates/&lt;id&gt;</c>, bound read-only at /linq/gate; created only for runs with a start hook.</summary>
    public string GatePath { get; }

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
        return new RunFolder(work, Path.Combine(workRoot, "outputs", runId), Path.Combine(workRoot, "gates", runId));
    }

    /// <summary>Creates the (empty) gate folder, readable by the job; the node alone writes into it.</summary>
    public void CreateGate()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Docker executor runs Linux containers on a Linux provider.");
        }
        Directory.CreateDirectory(GatePath);
        File.SetUnixFileMode(GatePath, (UnixFileMode)0x1ED); // 0755
    }

    /// <summary>Opens the start gate: the job's command starts once this file exists.</summary>
    public void OpenGate()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Docker executor runs Linux containers on a Linux provider.");
        }
        var ready = Path.Combine(GatePath, "ready");
        File.WriteAllText(ready, "ready\n");
        File.SetUnixFileMode(ready, (UnixFileMode)0x1A4); // 0644
    }

    /// <summary>Deletes the bound folders. Symbolic links inside are removed, never followed.</summary>
    public void DeleteWork()
    {
        DeleteQuietly(GatePath);
        DeleteQuietly(WorkPath);
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
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
