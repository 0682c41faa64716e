using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace LinqP2P.IntegrationTests.Rpc;

/// <summary>
/// A loopback HTTP server that answers JSON-RPC requests however a test scripts it. It exists only to
/// produce the broken answers (bad JSON, wrong id, huge bodies, hangs) a real node never gives.
/// </summary>
internal sealed class FakeRpcServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<FakeRequest, FakeResponse?> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public FakeRpcServer(Func<FakeRequest, FakeResponse?> respond)
    {
        _respond = respond;
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Answers with <paramref name="body"/> where "$ID" is replaced by the request's id.</summary>
    public static FakeRpcServer Answering(string body, int status = 200) =>
        new(req => new FakeResponse(status, body.Replace("$ID", req.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var body = await ReadRequestBodyAsync(stream);
                    if (body is null)
                    {
                        return;
                    }
                    Interlocked.Increment(ref _requests);
                    using var doc = JsonDocument.Parse(body);
                    var request = new FakeRequest(doc.RootElement.GetProperty("id").GetInt64(), doc.RootElement.GetProperty("method").GetString()!, Requests);
                    var response = _respond(request);
                    if (response is null)
                    {
                        // Hang: hold the connection open and say nothing until the server stops.
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                        return;
                    }
                    var payload = Encoding.UTF8.GetBytes(response.Body);
                    var head = $"HTTP/1.1 {response.Status} X\r\nContent-Type: application/json\r\nContent-Length: {payload.Length}\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                    await stream.WriteAsync(payload, _stop.Token);
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<byte[]?> ReadRequestBodyAsync(NetworkStream stream)
    {
        var header = new List<byte>();
        var one = new byte[1];
        while (!(header.Count >= 4 && header[^4] == '\r' && header[^3] == '\n' && header[^2] == '\r' && header[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }
            header.Add(one[0]);
        }
        var text = Encoding.ASCII.GetString(header.ToArray());
        var lengthLine = text.Split("\r\n").First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var body = new byte[length];
        await stream.ReadExactlyAsync(body);
        return body;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}

internal sealed record FakeRequest(long Id, string Method, int Ordinal);

internal sealed record FakeResponse(int Status, string Body);
