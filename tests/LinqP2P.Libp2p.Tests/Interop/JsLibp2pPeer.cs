using System.Text.Json;
using LinqP2P.TestKit;

namespace LinqP2P.Libp2p.Tests.Interop;

/// <summary>
/// tests/js/libp2p-peer.mjs (real js-libp2p 3) with request/response commands and a log of events, so a
/// test can wait for an event that arrived while it waited for something else.
/// </summary>
internal sealed class JsLibp2pPeer : IAsyncDisposable
{
    private readonly JsPeer _peer;
    private readonly List<JsonElement> _lines = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private int _nextId;

    private JsLibp2pPeer(JsPeer peer)
    {
        _peer = peer;
        _pump = Task.Run(PumpAsync);
    }

    public string PeerId => _peer.Ready.GetProperty("peerId").GetString()!;

    public string Address => _peer.Ready.GetProperty("addrs")[0].GetString()!;

    public string Stderr => _peer.Stderr;

    public static async Task<JsLibp2pPeer> StartAsync() => new(await JsPeer.StartAsync("libp2p-peer.mjs"));

    private async Task PumpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            JsonElement line;
            try
            {
                line = await _peer.NextAsync(TimeSpan.FromHours(1));
            }
            catch (Exception)
            {
                return;
            }
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_lines)
            {
                foreach (var l in _lines)
                {
                    if (predicate(l))
                    {
                        return l;
                    }
                }
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"the js peer did not answer in {timeout}; stderr:\n{Stderr}");
    }

    public Task<JsonElement> WaitForEventAsync(string name, Func<JsonElement, bool> predicate, TimeSpan timeout) =>
        WaitForAsync(l => l.TryGetProperty("event", out var e) && e.GetString() == name && predicate(l), timeout);

    /// <summary>Sends a command and returns its answer; a failed command throws with the js error.</summary>
    public async Task<JsonElement> CommandAsync(string cmd, object? args = null, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var command = new Dictionary<string, object?> { ["id"] = id, ["cmd"] = cmd };
        if (args is not null)
        {
            foreach (var p in args.GetType().GetProperties())
            {
                command[p.Name] = p.GetValue(args);
            }
        }
        await _peer.SendAsync(command);
        var answer = await WaitForAsync(l => l.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == id, timeout ?? TimeSpan.FromSeconds(30));
        if (!answer.GetProperty("ok").GetBoolean())
        {
            throw new InvalidOperationException($"js command {cmd} failed: {answer.GetProperty("error").GetString()}");
        }
        return answer;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _peer.DisposeAsync();
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
