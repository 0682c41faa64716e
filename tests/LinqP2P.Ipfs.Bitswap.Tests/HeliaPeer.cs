using System.Text.Json;
using LinqP2P.Libp2p.Addressing;
using LinqP2P.Libp2p.Identity;
using LinqP2P.TestKit;

namespace LinqP2P.Ipfs.Bitswap.Tests;

/// <summary>tests/js/helia-peer.mjs: real Helia 7 nodes (@helia/bitswap) driven over JSON lines.</summary>
public sealed class HeliaPeer : IAsyncLifetime
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private JsPeer _js = null!;
    private int _nextId;

    public PeerId PeerId { get; private set; } = null!;

    public Multiaddr Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _js = await JsPeer.StartAsync("helia-peer.mjs", readyTimeout: TimeSpan.FromSeconds(60));
        var node = _js.Ready.GetProperty("nodes")[0];
        PeerId = PeerId.Parse(node.GetProperty("peerId").GetString()!);
        Address = Multiaddr.Parse(node.GetProperty("addrs")[0].GetString()!);
    }

    public async Task DisposeAsync() => await _js.DisposeAsync();

    /// <summary>Sends one command and returns its reply; a js error becomes an exception carrying its stack.</summary>
    public async Task<JsonElement> CallAsync(string cmd, object? args = null)
    {
        await _gate.WaitAsync();
        try
        {
            var id = ++_nextId;
            var command = new Dictionary<string, object?> { ["cmd"] = cmd, ["id"] = id };
            if (args is not null)
            {
                foreach (var p in args.GetType().GetProperties())
                {
                    command[p.Name] = p.GetValue(args);
                }
            }
            await _js.SendAsync(command);
            var deadline = DateTime.UtcNow + CommandTimeout;
            while (true)
            {
                var line = await _js.NextAsync(deadline - DateTime.UtcNow);
                if (!line.TryGetProperty("id", out var replyId) || replyId.ValueKind != JsonValueKind.Number || replyId.GetInt32() != id)
                {
                    continue;
                }
                if (line.GetProperty("event").GetString() == "error")
                {
                    throw new InvalidOperationException($"helia-peer.mjs failed '{cmd}': {line.GetProperty("message").GetString()}");
                }
                return line;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
