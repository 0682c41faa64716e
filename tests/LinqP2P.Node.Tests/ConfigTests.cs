using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Node.Config;

namespace LinqP2P.Node.Tests;

public sealed class ConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("linq-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Dictionary<string, string> NoEnv = new();
    private static readonly Dictionary<string, IReadOnlyList<string>> NoFlags = new();

    private void WriteConfig(string yaml) => File.WriteAllText(Path.Combine(_dir, NodeConfigLoader.ConfigFileName), yaml);

    [Fact]
    public void Load_WithNothingGiven_UsesTheDocumentedDefaults()
    {
        var o = NodeConfigLoader.Load(_dir, NoEnv, NoFlags);
        Assert.Equal(NodeRole.Both, o.Role);
        Assert.Equal(5080, o.ApiPort);
        Assert.Equal(["/ip4/127.0.0.1/tcp/4001"], o.Listen);
        Assert.Empty(o.Bootstrap);
        Assert.Equal(Path.Combine(_dir, "wallet.json"), o.WalletKeystorePath);
        Assert.Equal(Path.Combine(_dir, "identity.key"), o.IdentityKeyPath);
        Assert.Null(o.StorageQuotaBytes);
    }

    [Fact]
    public void Load_ReadsEveryKeyOfTheFile()
    {
        WriteConfig("""
            role: provider
            listen: [/ip4/127.0.0.1/tcp/0, /ip4/127.0.0.1/tcp/4002]
            bootstrap:
              - /ip4/127.0.0.1/tcp/4001/p2p/12D3KooWAtGBBes5Nuej2Ex3YyhuDV7cgYRxxmd8yaYMBbaqrKJj
            api:
              port: 6000
            wallet:
              keystore: keys/w.json
              passphraseFile: pass.txt
            docker:
              endpoint: unix:///run/docker.sock
            log:
              level: debug
            storage:
              quota: 10GiB
            """);
        var o = NodeConfigLoader.Load(_dir, NoEnv, NoFlags);
        Assert.Equal(NodeRole.Provider, o.Role);
        Assert.Equal(2, o.Listen.Count);
        Assert.Single(o.Bootstrap);
        Assert.Equal(6000, o.ApiPort);
        Assert.Equal(Path.Combine(_dir, "keys", "w.json"), o.WalletKeystorePath);
        Assert.Equal(Path.Combine(_dir, "pass.txt"), o.PassphraseFile);
        Assert.Equal("unix:///run/docker.sock", o.DockerEndpoint);
        Assert.Equal("debug", o.LogLevel);
        Assert.Equal(10L << 30, o.StorageQuotaBytes);
    }

    /// <summary>For any subset of layers that set the API port, the highest layer wins: flags > env > file > default.</summary>
    [Property(MaxTest = 60)]
    public void Load_PrecedenceIsFlagsOverEnvOverFileOverDefault(bool inFile, bool inEnv, bool inFlags, PositiveInt seed)
    {
        var dir = Directory.CreateTempSubdirectory("linq-config-prop-").FullName;
        try
        {
            var (filePort, envPort, flagPort) = (1000 + (seed.Get % 1000), 3000 + (seed.Get % 1000), 5000 + (seed.Get % 1000) + 1);
            if (inFile)
            {
                File.WriteAllText(Path.Combine(dir, NodeConfigLoader.ConfigFileName), $"api:\n  port: {filePort}\nrole: client\n");
            }
            var env = new Dictionary<string, string>();
            if (inEnv)
            {
                env["LINQ_API_PORT"] = envPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            var flags = new Dictionary<string, IReadOnlyList<string>>();
            if (inFlags)
            {
                flags["api.port"] = [flagPort.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            }
            var o = NodeConfigLoader.Load(dir, env, flags);
            var expected = inFlags ? flagPort : inEnv ? envPort : inFile ? filePort : 5080;
            Assert.Equal(expected, o.ApiPort);
            // A layer only overrides the keys it sets: the file's role survives env and flags for the port.
            Assert.Equal(inFile ? NodeRole.Client : NodeRole.Both, o.Role);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Load_EnvironmentListsAreCommaSeparated()
    {
        var o = NodeConfigLoader.Load(_dir, new Dictionary<string, string> { ["LINQ_LISTEN"] = "/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2", ["LINQ_ROLE"] = "CLIENT" }, NoFlags);
        Assert.Equal(["/ip4/127.0.0.1/tcp/1", "/ip4/127.0.0.1/tcp/2"], o.Listen);
        Assert.Equal(NodeRole.Client, o.Role);
    }

    [Fact]
    public void Load_ReportsEveryBadFileValueWithItsLineColumnAndField()
    {
        WriteConfig("role: wizard\napi:\n  port: 70000\nlisten: [not-an-addr]\n");
        var e = Assert.Throws<NodeConfigException>(() => NodeConfigLoader.Load(_dir, NoEnv, NoFlags));
        Assert.Equal("config.invalid", e.Code);
        Assert.Equal(3, e.Errors.Count);
        var role = e.Errors.Single(x => x.Field == "role");
        Assert.Equal((1, 7), (role.Origin.Line, role.Origin.Column));
        var port = e.Errors.Single(x => x.Field == "api.port");
        Assert.Equal((3, 9), (port.Origin.Line, port.Origin.Column));
        Assert.Contains("config.yaml:3:9 api.port", e.Message, StringComparison.Ordinal);
        Assert.Contains(e.Errors, x => x.Field == "listen" && x.Message.Contains("not a multiaddr", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_RejectsAnUnknownKeyWithASuggestion()
    {
        WriteConfig("role: client\napi:\n  prot: 1\n");
        var e = Assert.Throws<NodeConfigException>(() => NodeConfigLoader.Load(_dir, NoEnv, NoFlags));
        var error = Assert.Single(e.Errors);
        Assert.Equal("api.prot", error.Field);
        Assert.Equal(3, error.Origin.Line);
        Assert.Contains("did you mean 'api.port'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("role: [a, b]\n", "role", "expected a single value")]
    [InlineData("api: 5\n", "api", "expected a map of port")]
    [InlineData("role: client\nrole: provider\n", "(yaml)", "")]
    [InlineData("- a\n- b\n", "(yaml)", "one YAML map")]
    [InlineData("role: 'unterminated\n", "(yaml)", "")]
    [InlineData("bootstrap: [/ip4/127.0.0.1/tcp/1]\n", "bootstrap", "/p2p/")]
    [InlineData("storage:\n  quota: lots\n", "storage.quota", "not a size")]
    [InlineData("docker:\n  endpoint: ftp://x\n", "docker.endpoint", "not a Docker endpoint")]
    public void Load_RejectsMalformedFiles(string yaml, string field, string message)
    {
        WriteConfig(yaml);
        var e = Assert.Throws<NodeConfigException>(() => NodeConfigLoader.Load(_dir, NoEnv, NoFlags));
        Assert.Contains(e.Errors, x => x.Field == field && x.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_NamesTheEnvironmentVariableOrFlagThatIsWrong()
    {
        var e = Assert.Throws<NodeConfigException>(() => NodeConfigLoader.Load(_dir,
            new Dictionary<string, string> { ["LINQ_ROLE"] = "wizard" },
            new Dictionary<string, IReadOnlyList<string>> { ["api.port"] = ["-1"] }));
        Assert.Contains(e.Errors, x => x.Origin.Source == "env LINQ_ROLE" && x.Field == "role");
        Assert.Contains(e.Errors, x => x.Origin.Source == "flag --api-port" && x.Field == "api.port");
    }

    [Fact]
    public void Load_AGoodFlagHidesABadFileValue()
    {
        WriteConfig("api:\n  port: nope\n");
        var o = NodeConfigLoader.Load(_dir, NoEnv, new Dictionary<string, IReadOnlyList<string>> { ["api.port"] = ["7000"] });
        Assert.Equal(7000, o.ApiPort);
    }

    /// <summary>Whatever bytes the file holds, loading either succeeds or throws the typed config error.</summary>
    [Property(MaxTest = 200)]
    public void Load_NeverCrashesOnArbitraryText(NonNull<string> text)
    {
        var dir = Directory.CreateTempSubdirectory("linq-config-fuzz-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, NodeConfigLoader.ConfigFileName), text.Get);
            try
            {
                NodeConfigLoader.Load(dir, NoEnv, NoFlags);
            }
            catch (NodeConfigException e)
            {
                Assert.NotEmpty(e.Errors);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Load_RejectsAnOversizedFile()
    {
        WriteConfig("role: client\n# " + new string('x', NodeConfigLoader.MaxConfigBytes) + "\n");
        var e = Assert.Throws<NodeConfigException>(() => NodeConfigLoader.Load(_dir, NoEnv, NoFlags));
        Assert.Equal("(file)", Assert.Single(e.Errors).Field);
    }

    [Fact]
    public void Settings_HaveDistinctKeysEnvironmentVariablesAndFlags()
    {
        Assert.Equal(NodeSettings.All.Count, NodeSettings.All.Select(s => s.Key).Distinct().Count());
        Assert.Equal(NodeSettings.All.Count, NodeSettings.All.Select(s => s.Env).Distinct().Count());
        Assert.Equal(NodeSettings.All.Count, NodeSettings.All.Select(s => s.Flag).Distinct().Count());
        Assert.All(NodeSettings.All, s => Assert.StartsWith("LINQ_", s.Env, StringComparison.Ordinal));
    }
}
