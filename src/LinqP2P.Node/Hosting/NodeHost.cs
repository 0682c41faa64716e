using LinqP2P.Node.Api;
using LinqP2P.Node.Config;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LinqP2P.Node.Hosting;

/// <summary>
/// <c>linq node</c>: composes the runtime (libp2p + gossipsub, chain client and wallet, blockstore, executor),
/// the market engine and the management API; writes the API's address and token into the data dir; runs
/// until the token is cancelled (SIGTERM, Ctrl-C) and then stops the API first, the engine, then the network.
/// </summary>
public static class NodeHost
{
    public static LogLevel ParseLevel(string level) => level switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        "none" => LogLevel.None,
        _ => LogLevel.Information,
    };

    /// <summary>Structured logs: one JSON object per line on stdout, with scopes (JobId, PeerId).</summary>
    public static void ConfigureLogging(ILoggingBuilder logging, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(options);
        logging.ClearProviders();
        logging.SetMinimumLevel(ParseLevel(options.LogLevel));
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
        });
    }

    /// <summary>Runs the node until <paramref name="stopping"/> is cancelled. Returns when everything is stopped.</summary>
    public static async Task RunAsync(NodeOptions options, Action<Uri>? started, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var loggers = LoggerFactory.Create(b => ConfigureLogging(b, options));
        var log = loggers.CreateLogger("LinqP2P.Node");
        var token = ApiAccess.LoadOrCreateToken(options.DataDir);
        await using var runtime = await NodeRuntime.StartAsync(options, loggers, stopping);
        var services = new NodeServices
        {
            Runtime = runtime,
            Onboarding = options.IsProvider ? new ProviderOnboarding(runtime) : null,
        };
        await using var app = ManagementApi.Build(options.ApiPort, new ApiToken(token, Path.Combine(options.DataDir, ApiAccess.TokenFileName)), services,
            b => ConfigureLogging(b, options));
        try
        {
            await app.StartAsync(stopping);
        }
        catch (IOException e)
        {
            throw new NodeStartException("node.api_port_in_use", $"the API port 127.0.0.1:{options.ApiPort} is taken ({e.Message}); pick another with --api-port (0 = any free).", e);
        }
        var url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        ApiAccess.WriteEndpoint(options.DataDir, url, Environment.ProcessId);
        NodeLog.ApiListening(log, url.ToString());
        started?.Invoke(url);
        var bootstrap = runtime.BootstrapAsync(log, stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, stopping);
        }
        catch (OperationCanceledException)
        {
        }
        NodeLog.Stopping(log);
        ApiAccess.RemoveEndpoint(options.DataDir);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(grace.Token);
        await bootstrap;
    }
}
