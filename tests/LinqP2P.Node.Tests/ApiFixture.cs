using System.Net.Http.Headers;
using LinqP2P.Node.Api;
using LinqP2P.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace LinqP2P.Node.Tests;

/// <summary>The real API app on Kestrel (127.0.0.1, a free port) over the given services, and an HTTP client for it.</summary>
internal sealed class ApiFixture : IAsyncDisposable
{
    public const string Token = "test-token-0123456789abcdef0123456789abcdef";

    private ApiFixture(WebApplication app, Uri url)
    {
        App = app;
        Url = url;
        Client = new HttpClient { BaseAddress = url };
        Authed = new HttpClient { BaseAddress = url };
        Authed.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public WebApplication App { get; }

    public Uri Url { get; }

    /// <summary>A client without a token.</summary>
    public HttpClient Client { get; }

    /// <summary>A client with the right token.</summary>
    public HttpClient Authed { get; }

    public static async Task<ApiFixture> StartAsync(NodeServices? services = null)
    {
        var app = ManagementApi.Build(0, new ApiToken(Token, "/tmp/test/api-token"), services ?? new NodeServices());
        await app.StartAsync();
        var url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return new ApiFixture(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Authed.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
