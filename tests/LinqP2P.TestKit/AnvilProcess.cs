using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LinqP2P.TestKit;

/// <summary>
/// A real anvil devnet on a free loopback port, for tests that need a chain (deploying, sending raw transactions,
/// reading logs). Dispose it to stop the process. Chain id 31337, one block per transaction.
/// </summary>
public sealed class AnvilProcess : IAsyncDisposable
{
    private readonly Process _process;

    private AnvilProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string RpcUrl => $"http://127.0.0.1:{Port}";

    public static async Task<AnvilProcess> StartAsync(CancellationToken cancellationToken = default)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo(RepoPaths.Tool("anvil"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "127.0.0.1", "--silent" })
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start anvil");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var anvil = new AnvilProcess(process, port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var probe = await Cast.TryRunAsync("chain-id", "--rpc-url", anvil.RpcUrl);
            if (probe.ExitCode == 0)
            {
                return anvil;
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await anvil.DisposeAsync();
                throw new InvalidOperationException($"anvil did not answer on {anvil.RpcUrl}: {probe.Stderr}");
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Gives <paramref name="address"/> (0x hex) a balance of <paramref name="weiHex"/> with anvil_setBalance.</summary>
    public Task FundAsync(string address, string weiHex = "0x3635c9adc5dea00000") =>
        Cast.RunAsync("rpc", "--rpc-url", RpcUrl, "anvil_setBalance", address, weiHex);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
