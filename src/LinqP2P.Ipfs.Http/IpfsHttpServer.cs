using System.Net;
using LinqP2P.Core;
using LinqP2P.Ipfs.Http.Gateway;
using LinqP2P.Ipfs.Http.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LinqP2P.Ipfs.Http;

/// <summary>Where a stand-alone <see cref="IpfsHttpServer"/> listens.</summary>
public sealed class IpfsHttpServerOptions
{
    /// <summary>The address to bind; must be a loopback address. Default: 127.0.0.1.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The TCP port; 0 (the default) picks a free one. Kubo's usual API port is 5001.</summary>
    public int Port { get; init; }

    public GatewayOptions Gateway { get; init; } = new();

    public KuboRpcOptions Rpc { get; init; } = new();

    public void Validate()
    {
        if (!IPAddress.IsLoopback(Address))
        {
            // The RPC API can add, pin and delete: it must never be reachable from another machine.
            throw new InvalidInputException("ipfs.http.not_loopback", $"the IPFS HTTP API binds loopback only; {Address} is not a loopback address (use 127.0.0.1)");
        }
        if (Port is < 0 or > 65_535)
        {
            throw new InvalidInputException("ipfs.http.bad_port", $"port {Port} is outside 0..65535");
        }
    }
}

/// <summary>
/// The gateway and the Kubo RPC subset on their own Kestrel, bound to loopback: for the CLI, tests, and
/// a node that mounts nothing else. A node with its own web host calls <c>MapIpfsGateway</c> and
/// <c>MapKuboRpc</c> instead.
/// </summary>
public sealed class IpfsHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private IpfsHttpServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The base address, e.g. http://127.0.0.1:5001/.</summary>
    public Uri Address { get; }

    /// <summary>Cancelled when the host begins to stop (for example on SIGTERM or Ctrl+C).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    public static async Task<IpfsHttpServer> StartAsync(IpfsRepo repo, IpfsHttpServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repo);
        options ??= new IpfsHttpServerOptions();
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(options.Address, options.Port));
        var app = builder.Build();
        app.MapIpfsGateway(repo.Blocks, options.Gateway);
        app.MapKuboRpc(repo, options.Rpc);
        await app.StartAsync(cancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new IpfsHttpServer(app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
