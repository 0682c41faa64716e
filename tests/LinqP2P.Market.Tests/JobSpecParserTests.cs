using System.Text.Json;
using FsCheck.Xunit;
using LinqP2P.Market.Specs;

namespace LinqP2P.Market.Tests;

public class JobSpecParserTests
{
    private const string Cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

    private const string Full = $"""
        version: 1
        name: render-frames
        image: ipfs://{Cid}
        command: [sh, -c, "echo hi > /outputs/out.txt"]
        env:
          MODE: fast
        inputs:
          - cid: {Cid}
            path: /inputs/scene
        outputs: [/outputs]
        resources:
          cpu: 1.5
          memory: 512MiB
          disk: 2G
          gpu:
            count: 1
            model: A100
            vram: 40GiB
        duration: 1h30m
        price: 0.25 LNQ
        shards:
          count: 2
          params:
            - {"{"}frame: "1"{"}"}
            - {"{"}frame: "2"{"}"}
        redundancy: 2
        network:
          mesh: true
          ports: [5000]
        tee: sev-snp
        """;

    [Fact]
    public void Parse_ReadsEveryField()
    {
        var spec = JobSpecParser.Parse(Full);
        Assert.Equal("render-frames", spec.Name);
        Assert.True(spec.Image.IsIpfs);
        Assert.Equal(Cid, spec.Image.Cid);
        Assert.Equal(["sh", "-c", "echo hi > /outputs/out.txt"], spec.Command);
        Assert.Equal("fast", spec.Environment["MODE"]);
        Assert.Equal(new JobInput(Cid, "/inputs/scene"), Assert.Single(spec.Inputs));
        Assert.Equal(["/outputs"], spec.Outputs);
        Assert.Equal(1.5, spec.Resources.CpuCores);
        Assert.Equal(512L << 20, spec.Resources.MemoryBytes);
        Assert.Equal(2_000_000_000L, spec.Resources.DiskBytes);
        Assert.Equal(new GpuRequest(1, "A100", 40L << 30), spec.Resources.Gpu);
        Assert.Equal(TimeSpan.FromMinutes(90), spec.Duration);
        Assert.Equal("0.25 LNQ", spec.PricePerShard.ToString());
        Assert.Equal(2, spec.Shards.Count);
        Assert.Equal(2, spec.Redundancy);
        Assert.True(spec.Network.Mesh);
        Assert.Equal([5000], spec.Network.Ports);
        Assert.Equal(TeeKind.SevSnp, spec.Tee);
    }

    [Fact]
    public void EnvironmentFor_AddsShardParametersAndLinqVariables()
    {
        var env = JobSpecParser.Parse(Full).EnvironmentFor("job-7", 1);
        Assert.Equal("job-7", env["LINQ_JOB_ID"]);
        Assert.Equal("1", env["LINQ_SHARD_INDEX"]);
        Assert.Equal("2", env["LINQ_SHARD_COUNT"]);
        Assert.Equal("2", env["LINQ_PARAM_FRAME"]);
        Assert.Equal("fast", env["MODE"]);
    }

    [Fact]
    public void Parse_ReportsEveryProblemWithLineAndField()
    {
        var yaml = """
            version: 1
            name: ok
            image: busybox:1
            outputs: [relative/path]
            resources:
              cpu: 0
              memory: 4XB
            duration: forever
            price: cheap
            redundancy: 9
            """;
        var e = Assert.Throws<InvalidJobSpecException>(() => JobSpecParser.Parse(yaml));
        Assert.Equal("spec.invalid", e.Code);
        var byField = e.Errors.ToDictionary(x => x.Field);
        Assert.Equal(4, byField["outputs[0]"].Line);
        Assert.Equal(6, byField["resources.cpu"].Line);
        Assert.Equal(7, byField["resources.memory"].Line);
        Assert.Equal(8, byField["duration"].Line);
        Assert.Equal(9, byField["price"].Line);
        Assert.Equal(10, byField["redundancy"].Line);
        Assert.Contains("resource.yaml:7:", e.Message);
    }

    [Fact]
    public void Parse_SuggestsTheFieldMeantByATypo()
    {
        var e = Assert.Throws<InvalidJobSpecException>(() => JobSpecParser.Parse(Full.Replace("redundancy:", "redundency:")));
        var error = Assert.Single(e.Errors);
        Assert.Equal("redundency", error.Field);
        Assert.Contains("did you mean 'redundancy'", error.Message);
    }

    [Fact]
    public void Parse_NamesMissingRequiredFields()
    {
        var e = Assert.Throws<InvalidJobSpecException>(() => JobSpecParser.Parse("version: 1\nname: x\n"));
        Assert.Equal(["duration", "image", "outputs", "price", "resources"], e.Errors.Select(x => x.Field).Order());
    }

    [Theory]
    [InlineData("LINQ_JOB_ID: x", "env.LINQ_JOB_ID")]
    [InlineData("1BAD: x", "env.1BAD")]
    public void Parse_RejectsReservedOrInvalidVariableNames(string line, string field)
    {
        var e = Assert.Throws<InvalidJobSpecException>(() => JobSpecParser.Parse(Full.Replace("MODE: fast", line)));
        Assert.Contains(e.Errors, x => x.Field == field);
    }

    [Theory]
    [InlineData("/outputs/../etc")]
    [InlineData("/")]
    [InlineData("outputs")]
    public void Parse_RejectsOutputPathsThatEscapeOrAreNotAbsolute(string path)
    {
        var e = Assert.Throws<InvalidJobSpecException>(() => JobSpecParser.Parse(Full.Replace("outputs: [/outputs]", $"outputs: [\"{path}\"]")));
        Assert.Contains(e.Errors, x => x.Field == "outputs[0]");
    }

    [Fact]
    public void Parse_RejectsShardParamsThatDoNotMatchTheCount()
    {
        var e = Assert.Throws<InvalidJobSpecException>(() => JobSpecParser.Parse(Full.Replace("count: 2\n", "count: 3\n")));
        Assert.Contains(e.Errors, x => x.Field == "shards.params");
    }

    [Fact]
    public void Parse_RejectsAnInvalidImageCid()
    {
        var e = Assert.Throws<InvalidJobSpecException>(() => JobSpecParser.Parse(Full.Replace($"image: ipfs://{Cid}", "image: ipfs://notacid")));
        Assert.Contains(e.Errors, x => x.Field == "image");
    }

    [Fact]
    public void Parse_RefusesAliasBombsQuickly()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + string.Concat(Enumerable.Range(0, 20).Select(i => $"{(char)('b' + i)}: &{(char)('b' + i)} [*{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}, *{(char)('a' + i)}]\n"));
        var e = Assert.Throws<InvalidJobSpecException>(() => JobSpecParser.Parse(bomb));
        Assert.Contains("aliases", e.Message);
    }

    [Theory]
    [InlineData("a: [unclosed")]
    [InlineData("name: x\nname: y")]
    [InlineData("--- 1\n--- 2")]
    [InlineData("- just\n- a list")]
    public void Parse_TurnsMalformedYamlIntoATypedError(string yaml)
    {
        Assert.Throws<InvalidJobSpecException>(() => JobSpecParser.Parse(yaml));
    }

    [Property(MaxTest = 300)]
    public void Parse_NeverThrowsAnythingButInvalidJobSpec(string? yaml)
    {
        try
        {
            JobSpecParser.Parse(yaml ?? "");
        }
        catch (InvalidJobSpecException)
        {
        }
    }

    [Fact]
    public void WithOverrides_ReplacesImageAndDurationAfterValidatingThem()
    {
        var spec = JobSpecParser.WithOverrides(JobSpecParser.Parse(Full), image: "linq/worker:1", duration: TimeSpan.FromHours(2));
        Assert.Equal("linq/worker:1", spec.Image.Value);
        Assert.Equal(TimeSpan.FromHours(2), spec.Duration);
        Assert.Throws<InvalidJobSpecException>(() => JobSpecParser.WithOverrides(spec, image: "ipfs://nope"));
    }

    [Fact]
    public void JsonSchema_ListsExactlyTheFieldsTheParserKnows()
    {
        using var schema = JsonDocument.Parse(JobSpecParser.JsonSchema());
        var properties = schema.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order();
        Assert.Equal(JobSpecParser.TopLevelFields.Order(), properties);
        Assert.False(schema.RootElement.GetProperty("additionalProperties").GetBoolean());
    }
}
