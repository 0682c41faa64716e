using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace LinqP2P.Node.Devnet;

/// <summary>
/// Starts anvil so it outlives the <c>linq</c> process that started it, and stops it again by pid,
/// checking first that the pid still belongs to that anvil (pids are reused).
/// </summary>
public static class AnvilProcess
{
    /// <summary>
    /// Starts <paramref name="anvil"/> in its own session with output to <paramref name="logFile"/>. The shell
    /// execs into anvil, so the returned pid is anvil's own.
    /// </summary>
    public static int StartDetached(string anvil, IReadOnlyList<string> args, string logFile)
    {
        ArgumentNullException.ThrowIfNull(args);
        // setsid: a Ctrl-C in the terminal that ran `linq devnet up` must not reach the devnet afterwards.
        var launcher = File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "/bin/sh";
        var psi = new ProcessStartInfo(launcher) { UseShellExecute = false };
        if (launcher != "/bin/sh")
        {
            psi.ArgumentList.Add("/bin/sh");
        }
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$LINQ_ANVIL_LOG\" 2>&1 </dev/null");
        psi.ArgumentList.Add(anvil);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment["LINQ_ANVIL_LOG"] = logFile;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {anvil}");
        return process.Id;
    }

    /// <summary>True when <paramref name="pid"/> is a live anvil listening on <paramref name="port"/> per its command line.</summary>
    public static bool IsAnvil(int pid, int port)
    {
        var cmdline = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline";
        if (!IsAlive(pid) || !File.Exists(cmdline))
        {
            return false;
        }
        string[] argv;
        try
        {
            argv = File.ReadAllText(cmdline).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return false;
        }
        var portText = port.ToString(CultureInfo.InvariantCulture);
        return argv.Length > 0 && Path.GetFileName(argv[0]) == "anvil"
            && argv.Zip(argv.Skip(1)).Any(pair => pair.First == "--port" && pair.Second == portText);
    }

    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // The state follows the parenthesised command name: "pid (comm) S ...".
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            return state is not 'Z' and not 'X';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Kills <paramref name="pid"/> and waits until it is gone. Returns false when it did not go in time.</summary>
    public static async Task<bool> KillAsync(int pid, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (ArgumentException)
        {
            return true; // already gone
        }
        catch (InvalidOperationException)
        {
            return true;
        }
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(50, cancellationToken);
        }
        return true;
    }

    /// <summary>A port free on 127.0.0.1 right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>True when nothing accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
