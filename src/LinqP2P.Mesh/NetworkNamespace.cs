using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LinqP2P.Mesh;

/// <summary>
/// A container's network namespace, held open by file descriptor (so a recycled PID cannot redirect it).
/// Sockets are created inside it by a short-lived dedicated thread that enters the namespace with
/// <c>setns(2)</c>, creates the socket and leaves; a socket keeps the namespace it was created in, so
/// everything else (bind, listen, accept, connect, I/O) runs in ordinary async code. Namespaces are per
/// thread: the thread pool is never touched. Needs CAP_SYS_ADMIN (a provider node runs as root).
/// </summary>
public sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;

    private readonly SafeFileHandle _handle;

    private NetworkNamespace(SafeFileHandle handle, string description)
    {
        _handle = handle;
        Description = description;
    }

    public string Description { get; }

    /// <summary>Opens <c>/proc/&lt;pid&gt;/ns/net</c>.</summary>
    public static NetworkNamespace OfProcess(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new MeshException("netns.unsupported", "mesh links need Linux network namespaces; run the provider on Linux");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        var path = $"/proc/{pid}/ns/net";
        var fd = Open(path, ORdOnly | OCloExec);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new MeshException("netns.open", $"cannot open {path} (errno {errno}): the container is gone, or the node lacks the rights to read it (run the provider node as root)");
        }
        return new NetworkNamespace(new SafeFileHandle(fd, ownsHandle: true), $"netns of pid {pid}");
    }

    /// <summary>A TCP listener bound to <c>127.0.0.1:<paramref name="port"/></c> inside the namespace.</summary>
    public Task<Socket> ListenAsync(int port, int backlog) => RunInsideAsync(() =>
    {
        var socket = NewTcpSocket();
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    });

    /// <summary>An unconnected TCP socket of the namespace; connect it only to 127.0.0.1.</summary>
    public Task<Socket> CreateSocketAsync() => RunInsideAsync(NewTcpSocket);

    public void Dispose() => _handle.Dispose();

    private static Socket NewTcpSocket() => new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };

    private Task<T> RunInsideAsync<T>(Func<T> action)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(Inside(action));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "linq-mesh-netns",
        };
        thread.Start();
        return done.Task;
    }

    private T Inside<T>(Func<T> action)
    {
        var own = Open("/proc/thread-self/ns/net", ORdOnly | OCloExec);
        if (own < 0)
        {
            throw new MeshException("netns.open", $"cannot open this thread's network namespace (errno {Marshal.GetLastPInvokeError()})");
        }
        using var ownHandle = new SafeFileHandle(own, ownsHandle: true);
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            if (SetNs(_handle.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new MeshException("netns.enter", $"setns into the {Description} failed (errno {errno}); the provider node needs CAP_SYS_ADMIN (run it as root)");
            }
            try
            {
                return action();
            }
            finally
            {
                // The thread ends right after, so even a failed return leaves no thread in the wrong namespace.
                _ = SetNs(own, CloneNewNet);
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
