using System.Net.Http.Headers;
using System.Text.Json;
using LinqP2P.Ipfs.Importing;
using LinqP2P.Libp2p.Identity;

namespace LinqP2P.Ipfs.Http.Tests;

/// <summary>A repo in a temp folder served by a real Kestrel on 127.0.0.1, with an HttpClient on it.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private TestNode(string folder, IpfsRepo repo, IpfsHttpServer server, KeyPair key)
    {
        Folder = folder;
        Repo = repo;
        Server = server;
        Key = key;
        Client = new HttpClient { BaseAddress = server.Address };
    }

    public string Folder { get; }

    public IpfsRepo Repo { get; }

    public IpfsHttpServer Server { get; }

    public KeyPair Key { get; }

    public HttpClient Client { get; }

    public static async Task<TestNode> StartAsync(KuboRpcOptions? rpc = null, GatewayOptions? gateway = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "linq-http-" + Guid.NewGuid().ToString("N"));
        var repo = IpfsRepo.Open(new IpfsRepoOptions { Path = folder });
        var key = KeyPair.Generate();
        rpc ??= new KuboRpcOptions();
        rpc = new KuboRpcOptions
        {
            DefaultProfile = rpc.DefaultProfile,
            AllowedOrigins = rpc.AllowedOrigins,
            MaxAddBytes = rpc.MaxAddBytes,
            Identity = rpc.Identity ?? (() => new IpfsNodeIdentity(
                key.PeerId.ToString(),
                Convert.ToBase64String(key.PublicKey.ToProtobuf()),
                ["/ip4/127.0.0.1/tcp/4001/p2p/" + key.PeerId],
                "linq/test",
                ["/ipfs/bitswap/1.2.0", "/ipfs/id/1.0.0"])),
        };
        var server = await IpfsHttpServer.StartAsync(repo, new IpfsHttpServerOptions { Rpc = rpc, Gateway = gateway ?? new GatewayOptions() });
        return new TestNode(folder, repo, server, key);
    }

    public Task<ImportResult> AddBytesAsync(byte[] content, ImportProfile? profile = null) =>
        Repo.Importer(profile).ImportBytesAsync(content);

    /// <summary>POSTs an RPC call with a multipart body of the given parts (path, content or null for a folder).</summary>
    public async Task<HttpResponseMessage> PostAsync(string command, IEnumerable<(string Path, byte[]? Content)>? parts = null)
    {
        HttpContent? body = null;
        if (parts is not null)
        {
            var form = new MultipartFormDataContent();
            var i = 0;
            foreach (var (path, content) in parts)
            {
                var part = new ByteArrayContent(content ?? []);
                part.Headers.ContentType = new MediaTypeHeaderValue(content is null ? "application/x-directory" : "application/octet-stream");
                part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data")
                {
                    Name = $"\"{(content is null ? "dir" : "file")}{(i == 0 ? "" : "-" + i)}\"",
                    FileName = $"\"{Uri.EscapeDataString(path)}\"",
                };
                form.Add(part);
                i++;
            }
            body = form;
        }
        return await Client.PostAsync("api/v0/" + command, body);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<List<JsonElement>> NdjsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        Key.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class Bytes
{
    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
