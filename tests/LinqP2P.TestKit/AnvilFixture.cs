using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace LinqP2P.TestKit;

/// <summary>
/// A real anvil on 127.0.0.1 and a free port, for tests: automine by default (fast), killed on dispose.
/// Use as an xunit class fixture, or start extra instances with <see cref="StartAsync"/>.
/// </summary>
public sealed class AnvilFixture : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>anvil's default chain id.</summary>
    public const long DefaultChainId = 31337;

    /// <summary>anvil's dev mnemonic; its accounts are unlocked and hold 10 000 ETH each.</summary>
    public const string DevMnemonic = "test test test test test test test test test test test junk";

    /// <summary>The first ten dev accounts of <see cref="DevMnemonic"/> (m/44'/60'/0'/0/i), as `cast wallet address` derives them.</summary>
    public static readonly IReadOnlyList<string> DevAccounts =
    [
        "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
        "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
        "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc",
        "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
        "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
        "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
        "0x976ea74026e726554db657fa54763abd0c3a0aa9",
        "0x14dc79964da2c08b23698b3d3cc7ca32193d9955",
        "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f",
        "0xa0ee7a142d267c1f36714e4a8f75612f20a79720",
    ];

    private readonly StringBuilder _output = new();
    private Process? _process;

    public AnvilFixture()
    {
    }

    private AnvilFixture(bool automine, double? blockTimeSeconds, long chainId, IReadOnlyList<string> extraArgs)
    {
        Automine = automine;
        BlockTimeSeconds = blockTimeSeconds;
        ChainId = chainId;
        ExtraArgs = extraArgs;
    }

    public bool Automine { get; } = true;

    public double? BlockTimeSeconds { get; }

    public long ChainId { get; } = DefaultChainId;

    public IReadOnlyList<string> ExtraArgs { get; } = [];

    public int Port { get; private set; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("anvil is not started");

    /// <summary>What anvil printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts an anvil; <paramref name="blockTimeSeconds"/> switches automine off for interval mining.</summary>
    public static async Task<AnvilFixture> StartAsync(double? blockTimeSeconds = null, long chainId = DefaultChainId,
        IReadOnlyList<string>? extraArgs = null, CancellationToken cancellationToken = default)
    {
        var fixture = new AnvilFixture(blockTimeSeconds is null, blockTimeSeconds, chainId, extraArgs ?? []);
        await fixture.StartCoreAsync(cancellationToken);
        return fixture;
    }

    public Task InitializeAsync() => StartCoreAsync(CancellationToken.None);

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        _process = null;
        return ValueTask.CompletedTask;
    }

    /// <summary>A port free on 127.0.0.1 right now (the OS picks it; races are retried by the caller).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            var psi = new ProcessStartInfo(RepoPaths.Tool("anvil"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "--host", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--chain-id", ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                psi.ArgumentList.Add(arg);
            }
            if (BlockTimeSeconds is { } blockTime)
            {
                psi.ArgumentList.Add("--block-time");
                psi.ArgumentList.Add(blockTime.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            foreach (var arg in ExtraArgs)
            {
                psi.ArgumentList.Add(arg);
            }
            var process = Process.Start(psi) ?? throw new InvalidOperationException("anvil did not start");
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
            if (await WaitReadyAsync(process, cancellationToken))
            {
                return;
            }
            await DisposeAsync();
            if (attempt >= 2)
            {
                throw new InvalidOperationException($"anvil did not become ready on port {Port}:\n{Output}");
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task<bool> WaitReadyAsync(Process process, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                return false;
            }
            try
            {
                using var content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}", Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(Url, content, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(100, cancellationToken);
        }
        return false;
    }
}
