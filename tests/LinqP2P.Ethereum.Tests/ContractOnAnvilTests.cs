using System.Numerics;
using System.Text.Json;
using LinqP2P.Core;
using LinqP2P.Ethereum.Abi;
using LinqP2P.Ethereum.Transactions;
using LinqP2P.TestKit;

namespace LinqP2P.Ethereum.Tests;

/// <summary>
/// A contract compiled by solc and deployed on a real anvil with transactions we build and sign ourselves: the JSON ABI
/// parser, selectors, call data, return data, event logs (indexed dynamic values included) and revert data all meet the EVM.
/// </summary>
public sealed class MarketContractFixture : IAsyncLifetime
{
    public const string Source = """
        // SPDX-License-Identifier: MIT
        pragma solidity ^0.8.20;
        contract Market {
            struct Meta { string region; uint8[3] gpus; }
            struct Bid { address provider; uint96 price; bytes32[] shards; Meta meta; }
            event BidPlaced(uint256 indexed jobId, address indexed provider, Bid bid);
            event Named(string indexed label, uint256[] indexed ids, Meta indexed meta, bytes note);
            event Anon(uint256 indexed a, bytes32 indexed b) anonymous;
            error EscrowNotFunded(uint256 jobId, address requester);
            error BadBids(Bid[] bids);
            uint256 public fee;
            constructor(address, uint256 fee_) payable { fee = fee_; }
            function place(uint256 jobId, Bid calldata bid) external returns (bool ok, uint256 id) {
                emit BidPlaced(jobId, bid.provider, bid);
                return (true, jobId + 1);
            }
            function place(uint256, Bid[] calldata bids, bytes calldata) external pure { revert BadBids(bids); }
            function quote(int128, bytes4, Meta[2][] memory metas) external pure returns (Meta memory) { return metas[0][1]; }
            function emitAll(string memory label, uint256[] memory ids, Meta memory meta) external {
                emit Named(label, ids, meta, hex"1234");
                emit Anon(7, bytes32(uint256(9)));
            }
            function probe(uint8 which) external view returns (bytes memory) {
                try this.fail(which) { return ""; } catch (bytes memory data) { return data; }
            }
            function fail(uint8 which) external view {
                if (which == 0) revert EscrowNotFunded(42, msg.sender);
                if (which == 1) require(false, "bid too low");
                if (which == 2) { uint256 z = which - 2; require(1 / z > 0); }
                if (which == 3) { uint8[] memory a = new uint8[](1); require(a[which] == 0); }
                revert();
            }
            receive() external payable {}
            fallback() external {}
        }
        """;

    private ulong _nonce;

    public AnvilProcess Anvil { get; private set; } = null!;

    public Solc.Contract Compiled { get; private set; } = null!;

    public ContractAbi Abi { get; private set; } = null!;

    public PrivateKey Sender { get; } = PrivateKey.Generate();

    public Address Contract { get; private set; }

    public async Task InitializeAsync()
    {
        var compile = Solc.CompileAsync(Source, "Market");
        Anvil = await AnvilProcess.StartAsync();
        Compiled = await compile;
        Abi = ContractAbi.Parse(Compiled.Abi);
        await Anvil.FundAsync(Sender.Address.ToString());
        var receipt = await SendAsync(null, [.. Hex.Decode(Compiled.Bytecode), .. Abi.EncodeConstructorArguments(Sender.Address, 250)]);
        Contract = Address.Parse(receipt.GetProperty("contractAddress").GetString()!);
    }

    /// <summary>Signs an EIP-1559 transaction ourselves, publishes the raw bytes and returns the receipt.</summary>
    public async Task<JsonElement> SendAsync(Address? to, byte[] data)
    {
        var tx = new Eip1559Transaction
        {
            ChainId = 31337,
            Nonce = _nonce++,
            To = to,
            Data = data,
            GasLimit = 5_000_000,
            MaxFeePerGas = 100_000_000_000,
            MaxPriorityFeePerGas = 1_000_000_000,
        };
        var signed = tx.Sign(Sender);
        await Cast.RunAsync("publish", "--rpc-url", Anvil.RpcUrl, Hex.Encode(signed.Encode()));
        var json = await Cast.RunAsync("receipt", "--json", "--rpc-url", Anvil.RpcUrl, signed.Hash.ToString());
        var receipt = JsonDocument.Parse(json).RootElement.Clone();
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
        return receipt;
    }

    /// <summary>Signs a legacy EIP-155 transaction ourselves, publishes it and returns the receipt.</summary>
    public async Task<JsonElement> SendLegacyAsync(Address? to, byte[] data, BigInteger value)
    {
        var tx = new LegacyTransaction { ChainId = 31337, Nonce = _nonce++, To = to, Data = data, Value = value, GasLimit = 1_000_000, GasPrice = 100_000_000_000 };
        var signed = tx.Sign(Sender);
        await Cast.RunAsync("publish", "--rpc-url", Anvil.RpcUrl, Hex.Encode(signed.Encode()));
        var receipt = JsonDocument.Parse(await Cast.RunAsync("receipt", "--json", "--rpc-url", Anvil.RpcUrl, signed.Hash.ToString())).RootElement.Clone();
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
        return receipt;
    }

    /// <summary>eth_call with our call data; returns the raw return data.</summary>
    public async Task<byte[]> CallAsync(byte[] data) =>
        Hex.Decode(await Cast.RunAsync("call", "--rpc-url", Anvil.RpcUrl, "--from", Sender.Address.ToString(), Contract.ToString(), Hex.Encode(data)));

    public async Task DisposeAsync() => await Anvil.DisposeAsync();
}

public sealed class ContractOnAnvilTests(MarketContractFixture market) : IClassFixture<MarketContractFixture>
{
    private static readonly object[] SampleMeta = ["eu-west", new object[] { new BigInteger(1), new BigInteger(2), new BigInteger(3) }];

    [Fact]
    public void JsonAbi_SelectorsEqualSolcMethodIdentifiers()
    {
        Assert.Equal(market.Compiled.MethodIdentifiers.Count, market.Abi.Functions.Count);
        foreach (var f in market.Abi.Functions)
        {
            Assert.True(market.Compiled.MethodIdentifiers.TryGetValue(f.Signature, out var selector), $"solc has no {f.Signature}");
            Assert.Equal(selector, Hex.Encode(f.Selector, prefix: false));
        }
    }

    [Fact]
    public void JsonAbi_ReadsConstructorOverloadsTuplesAndSpecialFunctions()
    {
        var abi = market.Abi;
        Assert.Equal(["address", "uint256"], abi.ConstructorInputs.Select(p => p.Type.ToString()));
        Assert.Equal("payable", abi.ConstructorStateMutability);
        Assert.True(abi.HasReceive);
        Assert.True(abi.HasFallback);
        Assert.Equal("eth.abi.ambiguous", Assert.Throws<InvalidInputException>(() => abi.GetFunction("place")).Code);
        var place = abi.GetFunction("place(uint256,(address,uint96,bytes32[],(string,uint8[3])))");
        var bid = Assert.IsType<AbiTupleType>(place.Inputs[1].Type);
        Assert.Equal(["provider", "price", "shards", "meta"], bid.Names);
        Assert.Equal("struct Market.Bid", place.Inputs[1].InternalType);
        Assert.Equal(["ok", "id"], place.Outputs.Select(o => o.Name));
        Assert.True(abi.GetFunction("quote").IsReadOnly);
        Assert.True(abi.GetEvent("Anon").Anonymous);
        Assert.Equal("BadBids((address,uint96,bytes32[],(string,uint8[3]))[])", abi.GetError("BadBids").Signature);
    }

    [Fact]
    public async Task Transaction_WithTupleArguments_EmitsALogWeDecode()
    {
        var place = market.Abi.GetFunction("place(uint256,(address,uint96,bytes32[],(string,uint8[3])))");
        object[] bid = [market.Sender.Address, new BigInteger(1234), new object[] { Keccak256.Hash("a").ToArray(), Keccak256.Hash("b").ToArray() }, SampleMeta];
        var receipt = await market.SendAsync(market.Contract, place.EncodeCall(77, bid));
        var log = receipt.GetProperty("logs")[0];
        var decoded = market.Abi.TryDecodeLog(Topics(log), Hex.Decode(log.GetProperty("data").GetString()!));
        Assert.NotNull(decoded);
        Assert.Equal("BidPlaced", decoded.Event.Name);
        Assert.Equal(new BigInteger(77), decoded["jobId"]);
        Assert.Equal(market.Sender.Address, decoded["provider"]);
        Assert.True(AbiValues.AreEqual(bid, decoded["bid"]));

        var output = place.DecodeOutput(await market.CallAsync(place.EncodeCall(77, bid)));
        Assert.Equal([true, new BigInteger(78)], output);
    }

    [Fact]
    public async Task IndexedDynamicValues_AreTheHashesSolidityPutsInTopics()
    {
        var emitAll = market.Abi.GetFunction("emitAll");
        object[] ids = [new BigInteger(5), new BigInteger(6), new BigInteger(7)];
        var receipt = await market.SendAsync(market.Contract, emitAll.EncodeCall("gpu-α", ids, SampleMeta));
        var logs = receipt.GetProperty("logs");
        var named = market.Abi.GetEvent("Named");
        var topics = Topics(logs[0]);
        Assert.Equal(named.Topic0, topics[0]);
        Assert.Equal(AbiEvent.EncodeTopic(AbiStringType.Instance, "gpu-α"), topics[1]);
        Assert.Equal(AbiEvent.EncodeTopic(named.Inputs[1].Type, ids), topics[2]);
        Assert.Equal(AbiEvent.EncodeTopic(named.Inputs[2].Type, SampleMeta), topics[3]);
        var decoded = named.DecodeLog(topics, Hex.Decode(logs[0].GetProperty("data").GetString()!));
        Assert.Equal(topics[1], decoded["label"]);
        Assert.Equal(new byte[] { 0x12, 0x34 }, decoded["note"]);

        var anon = market.Abi.GetEvent("Anon").DecodeLog(Topics(logs[1]), Hex.Decode(logs[1].GetProperty("data").GetString()!));
        Assert.Equal(new BigInteger(7), anon["a"]);
        Assert.Equal(Hash32.FromBytes(AbiCodec.EncodeSingle(new AbiIntegerType(false, 256), 9)).ToArray(), anon["b"]);
    }

    [Fact]
    public async Task LegacyTransaction_WithValue_IsAcceptedAndCreditsTheContract()
    {
        var before = BigInteger.Parse(await Cast.RunAsync("balance", "--rpc-url", market.Anvil.RpcUrl, market.Contract.ToString()), System.Globalization.CultureInfo.InvariantCulture);
        var receipt = await market.SendLegacyAsync(market.Contract, [], 12345);
        Assert.Equal(market.Sender.Address, Address.Parse(receipt.GetProperty("from").GetString()!));
        var after = BigInteger.Parse(await Cast.RunAsync("balance", "--rpc-url", market.Anvil.RpcUrl, market.Contract.ToString()), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(before + 12345, after);
    }

    [Fact]
    public async Task StaticCall_DecodesNestedStructArrayReturnData()
    {
        var quote = market.Abi.GetFunction("quote");
        object[] other = ["us-east", new object[] { new BigInteger(0), new BigInteger(0), new BigInteger(9) }];
        object[] metas = [new object[] { other, SampleMeta }];
        var result = quote.DecodeOutput(await market.CallAsync(quote.EncodeCall(-5, new byte[] { 1, 2, 3, 4 }, metas)));
        Assert.True(AbiValues.AreEqual(SampleMeta, result[0]));
    }

    [Theory]
    [InlineData(0, "EscrowNotFunded")]
    [InlineData(1, "Error")]
    [InlineData(2, "Panic")]
    [InlineData(3, "Panic")]
    [InlineData(4, null)]
    public async Task RevertData_DecodesIntoATypedException(int which, string? errorName)
    {
        var probe = market.Abi.GetFunction("probe");
        var revertData = (byte[])probe.DecodeOutput(await market.CallAsync(probe.EncodeCall(which)))[0];
        var e = market.Abi.DecodeRevert(revertData);
        Assert.Equal("eth.revert", e.Code);
        Assert.Equal(errorName, e.ErrorName);
        switch (which)
        {
            case 0:
                Assert.Equal(new BigInteger(42), e.Arguments[0]);
                Assert.Equal(market.Contract, e.Arguments[1]); // the contract called itself through this.fail
                break;
            case 1:
                Assert.Equal("bid too low", e.Reason);
                break;
            case 2:
                Assert.Equal(new BigInteger(0x12), e.PanicCode);
                break;
            case 3:
                Assert.Equal(new BigInteger(0x32), e.PanicCode);
                break;
            default:
                Assert.Empty(e.RevertData);
                break;
        }
    }

    [Fact]
    public async Task RevertWithStructArray_IsDecodedFromAFailedCall()
    {
        var place = market.Abi.GetFunction("place(uint256,(address,uint96,bytes32[],(string,uint8[3]))[],bytes)");
        object[] bid = [Address.Zero, new BigInteger(1), Array.Empty<object>(), SampleMeta];
        var result = await Cast.TryRunAsync("call", "--rpc-url", market.Anvil.RpcUrl, market.Contract.ToString(), Hex.Encode(place.EncodeCall(1, new object[] { bid }, Array.Empty<byte>())));
        Assert.NotEqual(0, result.ExitCode);
        // cast reports the revert data as the last 0x… word of its error message.
        var data = result.Stderr.Split([' ', '"', '\n', ','], StringSplitOptions.RemoveEmptyEntries).Last(w => w.StartsWith("0x", StringComparison.Ordinal) && w.Length > 10);
        var e = market.Abi.DecodeRevert(Hex.Decode(data));
        Assert.Equal("BadBids", e.ErrorName);
        Assert.True(AbiValues.AreEqual(new object[] { new object[] { bid } }, e.Arguments.ToArray()));
    }

    private static Hash32[] Topics(JsonElement log) => [.. log.GetProperty("topics").EnumerateArray().Select(t => Hash32.Parse(t.GetString()!))];
}
