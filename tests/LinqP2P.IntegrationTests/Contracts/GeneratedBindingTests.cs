using System.Numerics;
using LinqP2P.Contracts;
using LinqP2P.Ethereum;
using LinqP2P.TestKit;

namespace LinqP2P.IntegrationTests.Contracts;

/// <summary>The generated bindings checked against cast, which reads the same signatures independently.</summary>
public sealed class GeneratedBindingTests
{
    private static async Task<string> CastAsync(params string[] args)
    {
        var result = await ExternalProcess.RunAsync(RepoPaths.Tool("cast"), args);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return result.StdoutTrimmed;
    }

    [Fact]
    public async Task EncodeLock_MatchesCastCalldata()
    {
        var spec = Keccak256.Hash("spec");
        var calldata = JobEscrow.EncodeLock(spec, 1_700_000_000, 86_400, [1, 2], [BigInteger.Pow(10, 19), 5]);
        var expected = await CastAsync("calldata", "lock(bytes32,uint64,uint64,uint64[],uint96[])", spec.ToString(), "1700000000", "86400", "[1,2]", "[10000000000000000000,5]");
        Assert.Equal(expected, Hex.Encode(calldata));
    }

    [Fact]
    public async Task EncodeRegister_WithAStructArgument_MatchesCastCalldata()
    {
        var caps = new ProviderRegistry.Capabilities(16, 65_536, "RTX 4090", 24_576, 2_000, "eu-west", 1, [0xab, 0xcd]);
        var calldata = ProviderRegistry.EncodeRegister(7, caps);
        var expected = await CastAsync("calldata", "register(uint256,(uint16,uint32,string,uint32,uint32,string,uint8,bytes))",
            "7", "(16,65536,\"RTX 4090\",24576,2000,\"eu-west\",1,0xabcd)");
        Assert.Equal(expected, Hex.Encode(calldata));
    }

    [Fact]
    public async Task EventTopic_MatchesCastSigEvent()
    {
        var expected = await CastAsync("sig-event", "JobLocked(uint256,address,bytes32,uint32,uint256,uint64,uint64)");
        Assert.Equal(expected, JobEscrow.JobLockedTopic.ToString());
    }

    [Fact]
    public void Bytecode_IsEmbeddedForEveryContract()
    {
        foreach (var hex in new[] { LnqToken.BytecodeHex, LinqTimelock.BytecodeHex, LinqGovernor.BytecodeHex, ProviderRegistry.BytecodeHex,
            RewardPool.BytecodeHex, JobEscrow.BytecodeHex, DisputeCourt.BytecodeHex })
        {
            Assert.True(Hex.TryDecode(hex, out var code) && code.Length > 1_000, "the creation bytecode is missing or not hex");
        }
    }
}
