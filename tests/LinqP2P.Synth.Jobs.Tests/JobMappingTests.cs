using System.Globalization;
using LinqP2P.Synth.Formats;
using LinqP2P.Synth.Generators;
using LinqP2P.Synth.Service;

namespace LinqP2P.Synth.Jobs.Tests;

public sealed class JobMappingTests
{
    private const string SomeCid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    private static SynthRequest Tabular(int shards) => new()
    {
        Spec = TestData.Tabular(rows: 10_500, DatasetFormat.Parquet, seed: 99),
        Shards = shards,
        InputCid = SomeCid,
        Price = "0.5 LNQ",
    };

    [Fact]
    public void TabularRequest_BecomesAValidJobWithOneShardPerIndex()
    {
        var job = SynthJobMapper.Map(Tabular(4), TestData.WineModelJson);

        Assert.Equal(4, job.Spec.Shards.Count);
        Assert.Equal(SynthRequest.DefaultImage, job.Spec.Image.Value);
        Assert.Equal(["/linq/out"], job.Spec.Outputs);
        var input = Assert.Single(job.Spec.Inputs);
        Assert.Equal((SomeCid, "/linq/in/model"), (input.Cid, input.Path));
        Assert.Equal(10_500, job.Shards.Sum(s => s.Rows));
        var expectedFirst = 0L;
        for (var k = 0; k < 4; k++)
        {
            var env = job.Spec.EnvironmentFor("job-1", k);
            Assert.Equal(Tabular(4).Spec, SynthShardSpec.FromJson(env["SYNTH_SPEC"]));
            Assert.Equal(k.ToString(CultureInfo.InvariantCulture), env["LINQ_SHARD_INDEX"]);
            Assert.Equal(expectedFirst.ToString(CultureInfo.InvariantCulture), env["LINQ_PARAM_FIRST_ROW"]);
            Assert.Equal(job.Shards[k].Rows.ToString(CultureInfo.InvariantCulture), env["LINQ_PARAM_ROWS"]);
            expectedFirst += job.Shards[k].Rows;
        }
    }

    [Fact]
    public void ShardPlan_IsTheWorkersPlan_WholeBlocksPerShard()
    {
        var spec = Tabular(3).Spec;
        var generator = ShardWork.CreateGenerator(spec, TestData.WineModelJson);
        var plan = SynthJobMapper.Plan(spec, TestData.WineModelJson, 3);
        for (var k = 0; k < 3; k++)
        {
            var p = ShardPlan.For(generator, k, 3);
            Assert.Equal((p.FirstRow, p.RowCount), (plan[k].FirstRow, plan[k].Rows));
            Assert.True(k == 2 || plan[k].Rows % 1000 == 0, "every shard but the last is whole blocks");
        }
    }

    [Fact]
    public void ImageRequest_NeedsNoInput_AndSplitsTheImages()
    {
        var job = SynthJobMapper.Map(new SynthRequest { Spec = new SynthShardSpec { Kind = "images", Images = new Images.ImageOptions { Count = 10 } }, Shards = 3 }, null);
        Assert.Empty(job.Spec.Inputs);
        Assert.Equal([3L, 3, 4], job.Shards.Select(s => s.Rows));
    }

    [Fact]
    public void RequestWhoseModelHasAnotherHash_IsRefused()
    {
        var e = Assert.Throws<SynthInputException>(() => SynthJobMapper.Map(Tabular(2), TestData.WineModelJson + " "));
        Assert.Equal("synth.request.input", e.Code);
        Assert.Equal("synth.request.input", Assert.Throws<SynthInputException>(() => SynthJobMapper.Map(Tabular(2) with { InputCid = null }, TestData.WineModelJson)).Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public void ShardCountOutsideTheMarketsRange_IsRefused(int shards) =>
        Assert.Equal("synth.shards.invalid", Assert.Throws<SynthInputException>(() => SynthJobMapper.Map(Tabular(1) with { Shards = shards }, TestData.WineModelJson)).Code);

    [Theory]
    [InlineData("{\"kind\":\"tabular\"}")]
    [InlineData("{\"kind\":\"nope\",\"rows\":5}")]
    [InlineData("{\"kind\":\"network\",\"rows\":5}")]
    [InlineData("{\"kind\":\"network\",\"network\":{},\"extra\":1}")]
    [InlineData("{\"format\":\"linq-synth-shard/9\",\"kind\":\"network\",\"network\":{}}")]
    [InlineData("{\"kind\":\"network\",\"network\":{\"blockRows\":0}}")]
    [InlineData("{\"kind\":\"sensor\",\"sensor\":{\"blockRows\":2000000000}}")]
    [InlineData("{\"kind\":\"tabular\",\"rows\":10,\"blockRows\":0,\"inputSha256\":\"0000000000000000000000000000000000000000000000000000000000000000\"}")]
    [InlineData("[1,2]")]
    [InlineData("{")]
    public void MalformedShardSpec_IsATypedInputError(string json) =>
        Assert.StartsWith("synth.", Assert.Throws<SynthInputException>(() => SynthShardSpec.FromJson(json)).Code, StringComparison.Ordinal);

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool RandomShardSpecText_NeverCrashes(string text)
    {
        try
        {
            SynthShardSpec.FromJson(text ?? "");
            return true;
        }
        catch (SynthInputException)
        {
            return true;
        }
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool RandomShardStatsAndManifestText_NeverCrash(string text)
    {
        foreach (var parse in new Action[] { () => ShardStats.FromJson(text ?? "", "fuzz"), () => JoinedManifest.FromJson(text ?? "", "fuzz") })
        {
            try
            {
                parse();
            }
            catch (SynthInputException)
            {
            }
        }
        return true;
    }

    [Theory]
    [InlineData("{\"format\":\"linq-synth-shard-stats/1\",\"kind\":\"csv\",\"index\":0,\"count\":1,\"firstRow\":0,\"rows\":1,\"file\":\"../x\",\"bytes\":1,\"sha256\":null,\"specSha256\":null}")]
    [InlineData("{\"format\":\"linq-synth-shard-stats/1\",\"kind\":\"csv\",\"index\":3,\"count\":1,\"firstRow\":0,\"rows\":1,\"file\":\"a.csv\",\"bytes\":1,\"sha256\":\"00\",\"specSha256\":\"00\"}")]
    [InlineData("null")]
    public void ShardStatsWithNullsOrPathsOutsideTheShard_AreRefused(string json) =>
        Assert.Equal("synth.shard.stats", Assert.Throws<SynthInputException>(() => ShardStats.FromJson(json, "test")).Code);
}
