using System.Text.Json;
using LinqP2P.Contracts;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Rpc;
using LinqP2P.Node.Devnet;
using LinqP2P.TestKit;

namespace LinqP2P.IntegrationTests.Devnet;

/// <summary>`linq devnet up` / `status` / `down` as separate processes, the way a user runs them.</summary>
public sealed class DevnetCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("linq-devnet-").FullName;

    public void Dispose()
    {
        // Whatever happened, never leave an anvil behind.
        if (DevnetManifest.Load(_dir) is { } m && LinqP2P.Node.Devnet.AnvilProcess.IsAnvil(m.AnvilPid, m.AnvilPort))
        {
            LinqP2P.Node.Devnet.AnvilProcess.KillAsync(m.AnvilPid, TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        }
        Directory.Delete(_dir, recursive: true);
    }

    private static string LinqDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(RepoPaths.Root, "src", "LinqP2P.Cli", "bin", configuration, "net10.0", "linq.dll");
        }
    }

    private Task<ExternalProcess.Result> LinqAsync(params string[] args) =>
        ExternalProcess.RunAsync("dotnet", [LinqDll, .. args, "--dir", _dir], timeout: TimeSpan.FromMinutes(2));

    [Fact]
    public async Task DevnetUpThenDown_DeploysStakesAndStopsExactlyItsAnvil()
    {
        var up = await LinqAsync("devnet", "up", "--nodes", "3", "--port", "0");
        Assert.True(up.ExitCode == 0, $"devnet up failed:\n{up.Stdout}\n{up.Stderr}");

        var manifest = DevnetManifest.Load(_dir);
        Assert.NotNull(manifest);
        Assert.True(LinqP2P.Node.Devnet.AnvilProcess.IsAnvil(manifest.AnvilPid, manifest.AnvilPort));
        Assert.Equal(3, manifest.Wallets.Count);
        using (var json = JsonDocument.Parse(await File.ReadAllTextAsync(DevnetManifest.PathIn(_dir))))
        {
            Assert.Equal(manifest.RpcUrl, json.RootElement.GetProperty("rpcUrl").GetString());
        }

        using (var rpc = new EthRpc(new RpcOptions { Endpoint = new Uri(manifest.RpcUrl), ChainId = manifest.ChainId }))
        {
            Assert.Equal(31337, await rpc.ChainIdAsync());
            var c = manifest.Contracts;
            foreach (var address in new[] { c.Token, c.Timelock, c.Governor, c.Registry, c.RewardPool, c.Escrow, c.Court })
            {
                Assert.NotEmpty(await rpc.GetCodeAsync(address));
            }
            var registry = new ProviderRegistry(Address.Parse(c.Registry), rpc);
            var token = new LnqToken(Address.Parse(c.Token), rpc);
            for (var i = 0; i < 3; i++)
            {
                var wallet = manifest.Wallets[i];
                Assert.Equal(i + 1, wallet.Index);
                Assert.Equal(AnvilFixture.DevAccounts[i + 1], wallet.Address.ToLowerInvariant());
                var provider = await registry.ProviderAsync(System.Numerics.BigInteger.Parse(wallet.ProviderId, System.Globalization.CultureInfo.InvariantCulture));
                Assert.Equal(Address.Parse(wallet.Address), provider.Owner);
                Assert.Equal(10_000 * SettlementParameters.Lnq, provider.Stake);
                Assert.Equal(90_000 * SettlementParameters.Lnq, await token.BalanceOfAsync(Address.Parse(wallet.Address)));
                var password = await File.ReadAllTextAsync(manifest.KeystorePasswordFile);
                var key = LinqP2P.Ethereum.Keystore.KeystoreV3.Decrypt(await File.ReadAllTextAsync(wallet.Keystore), password);
                Assert.Equal(Address.Parse(wallet.Address), key.Address);
            }
            // Interval mining (1 s by default) took over after the deployment.
            var head = await rpc.BlockNumberAsync();
            await Task.Delay(2_500);
            Assert.True(await rpc.BlockNumberAsync() > head, "no block was mined on the 1 s interval");
        }

        var status = await LinqAsync("devnet", "status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("stake 10000 LNQ", status.Stdout, StringComparison.Ordinal);

        var down = await LinqAsync("devnet", "down");
        Assert.True(down.ExitCode == 0, down.Stderr);
        Assert.Contains($"stopped anvil (pid {manifest.AnvilPid})", down.Stdout, StringComparison.Ordinal);
        Assert.False(LinqP2P.Node.Devnet.AnvilProcess.IsAlive(manifest.AnvilPid));
        Assert.Null(DevnetManifest.Load(_dir));

        var again = await LinqAsync("devnet", "down");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing to stop", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevnetDown_LeavesAProcessAloneWhoseRecordedPidIsNotAnvil()
    {
        // A stale manifest whose pid now belongs to something else (here: this test host).
        var self = Environment.ProcessId;
        new DevnetManifest
        {
            RpcUrl = "http://127.0.0.1:1",
            ChainId = 31337,
            AnvilPid = self,
            AnvilPort = 1,
            StartedAt = DateTimeOffset.UtcNow,
            Deployer = AnvilFixture.DevAccounts[0],
            Contracts = new DevnetContracts("", "", "", "", "", "", ""),
            Wallets = [],
            KeystorePasswordFile = Path.Combine(_dir, "keystore-password"),
            AnvilLog = Path.Combine(_dir, "anvil.log"),
        }.Save(_dir);

        var down = await LinqAsync("devnet", "down");
        Assert.Equal(0, down.ExitCode);
        Assert.Contains("left it alone", down.Stdout, StringComparison.Ordinal);
        Assert.True(LinqP2P.Node.Devnet.AnvilProcess.IsAlive(self));
        Assert.Null(DevnetManifest.Load(_dir));
    }

    [Fact]
    public async Task DevnetUp_RefusesAPortThatIsTaken()
    {
        await using var anvil = await AnvilFixture.StartAsync();
        var up = await LinqAsync("devnet", "up", "--nodes", "1", "--port", anvil.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, up.ExitCode);
        Assert.Contains("devnet.port_in_use", up.Stderr, StringComparison.Ordinal);
        Assert.Null(DevnetManifest.Load(_dir));
    }
}
