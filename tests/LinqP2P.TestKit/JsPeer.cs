using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace LinqP2P.TestKit;

/// <summary>
/// A long-running Node 22 script from tests/js (js-libp2p, Helia, ...) that talks to the test through
/// JSON lines: each stdout line is one JSON object, the first one announces readiness. Lines can be
/// written to its stdin as commands. Disposing kills the process tree.
/// </summary>
public sealed class JsPeer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _lines = Channel.CreateUnbounded<JsonElement>();
    private readonly List<string> _stderr = [];

    private JsPeer(Process process)
    {
        _process = process;
    }

    /// <summary>The first JSON line the script printed.</summary>
    public JsonElement Ready { get; private set; }

    /// <summary>What the script wrote to stderr so far, for failure messages.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return string.Join('\n', _stderr);
            }
        }
    }

    /// <summary>Starts tests/js/<paramref name="script"/> and waits for its first JSON line.</summary>
    public static async Task<JsPeer> StartAsync(string script, IEnumerable<string>? args = null, TimeSpan? readyTimeout = null)
    {
        var path = Path.Combine(RepoPaths.Root, "tests", "js", script);
        if (!Directory.Exists(Path.Combine(RepoPaths.Root, "tests", "js", "node_modules")))
        {
            throw new InvalidOperationException("tests/js/node_modules is missing: run scripts/setup.sh first.");
        }
        var psi = new ProcessStartInfo(RepoPaths.Tool("node"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(path)!,
        };
        psi.ArgumentList.Add(path);
        foreach (var a in args ?? [])
        {
            psi.ArgumentList.Add(a);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        var peer = new JsPeer(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                peer._lines.Writer.TryComplete();
                return;
            }
            if (e.Data.StartsWith('{'))
            {
                try
                {
                    peer._lines.Writer.TryWrite(JsonDocument.Parse(e.Data).RootElement.Clone());
                }
                catch (JsonException)
                {
                    // Not one of ours: libraries may log to stdout.
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (peer._stderr)
                {
                    peer._stderr.Add(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            peer.Ready = await peer.NextAsync(readyTimeout ?? TimeSpan.FromSeconds(30));
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
        return peer;
    }

    /// <summary>Waits for the next JSON line.</summary>
    public async Task<JsonElement> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the js peer printed nothing in {timeout}; stderr:\n{Stderr}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"the js peer exited; stderr:\n{Stderr}");
        }
    }

    /// <summary>Waits for the next JSON line whose "event" property equals <paramref name="name"/>, skipping others.</summary>
    public async Task<JsonElement> WaitForEventAsync(string name, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"the js peer sent no '{name}' event in {timeout}; stderr:\n{Stderr}");
            }
            var line = await NextAsync(left);
            if (line.TryGetProperty("event", out var e) && e.GetString() == name)
            {
                return line;
            }
        }
    }

    /// <summary>Writes one command line (serialised as JSON) to the script's stdin.</summary>
    public async Task SendAsync(object command)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));
        await _process.StandardInput.FlushAsync();
    }

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
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
