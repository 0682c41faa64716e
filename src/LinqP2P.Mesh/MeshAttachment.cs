using System.Net.Sockets;

namespace LinqP2P.Mesh;

/// <summary>
/// One container of a job on this node, joined to the mesh: its listeners (one per other shard, on
/// 127.0.0.1 inside its network namespace) and its role as the target of inbound links. Disposing
/// closes the listeners and resets the links it takes part in.
/// </summary>
public sealed class MeshAttachment : IAsyncDisposable
{
    private readonly MeshService _service;
    private readonly List<(int Shard, Socket Listener)> _listeners = [];
    private readonly CancellationTokenSource _closing = new();
    private readonly List<Task> _loops = [];
    private int _closed;

    internal MeshAttachment(MeshService service, string jobId, int shardIndex, int shardCount, NetworkNamespace ns)
    {
        _service = service;
        JobId = jobId;
        ShardIndex = shardIndex;
        ShardCount = shardCount;
        Namespace = ns;
    }

    public string JobId { get; }

    public int ShardIndex { get; }

    public int ShardCount { get; }

    /// <summary>Peer shard → the loopback port it is reached at inside this container.</summary>
    public IReadOnlyDictionary<int, int> PeerPorts => _listeners.ToDictionary(l => l.Shard, l => ((System.Net.IPEndPoint)l.Listener.LocalEndPoint!).Port);

    internal NetworkNamespace Namespace { get; }

    internal bool IsClosed => Volatile.Read(ref _closed) != 0;

    internal void AddListener(int shard, Socket listener) => _listeners.Add((shard, listener));

    internal void StartAccepting()
    {
        foreach (var (shard, listener) in _listeners)
        {
            _loops.Add(AcceptLoopAsync(shard, listener));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        await _closing.CancelAsync();
        foreach (var (_, listener) in _listeners)
        {
            listener.Dispose();
        }
        _service.Detach(this);
        foreach (var loop in _loops)
        {
            try
            {
                await loop;
            }
            catch
            {
                // Accept loops end with the listener.
            }
        }
        Namespace.Dispose();
        _closing.Dispose();
    }

    private async Task AcceptLoopAsync(int shard, Socket listener)
    {
        var token = _closing.Token;
        while (!token.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (token.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            socket.NoDelay = true;
            _ = Task.Run(() => _service.HandleOutboundAsync(this, shard, socket), CancellationToken.None);
        }
    }
}
