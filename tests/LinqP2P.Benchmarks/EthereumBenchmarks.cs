using BenchmarkDotNet.Attributes;
using LinqP2P.Ethereum;
using LinqP2P.Ethereum.Abi;
using LinqP2P.Ethereum.Rlp;
using LinqP2P.Ethereum.Transactions;

namespace LinqP2P.Benchmarks;

/// <summary>The Ethereum hot paths a provider hits per bid and per block: hashing, signing, recovery, tx and ABI codecs.</summary>
[MemoryDiagnoser]
public class EthereumBenchmarks
{
    private readonly byte[] _kilobyte = new byte[1024];
    private readonly PrivateKey _key = PrivateKey.Parse("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
    private Hash32 _digest;
    private Signature _signature;
    private byte[] _rawTransaction = [];
    private byte[] _abiData = [];
    private IReadOnlyList<AbiType> _abiTypes = [];

    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_kilobyte);
        _digest = Keccak256.Hash(_kilobyte);
        _signature = _key.Sign(_digest);
        _rawTransaction = new Eip1559Transaction
        {
            ChainId = 1,
            Nonce = 7,
            To = _key.Address,
            GasLimit = 100_000,
            MaxFeePerGas = 30_000_000_000,
            MaxPriorityFeePerGas = 1_000_000_000,
            Data = AbiFunction.Parse("transfer(address,uint256)").EncodeCall(_key.Address, 1000),
        }.Sign(_key).Encode();
        _abiTypes = AbiType.ParseList("(uint256,address,bytes32[],(string,uint8[3]))");
        _abiData = AbiCodec.Encode(_abiTypes, [5, _key.Address, new object[] { _digest, _digest }, new object[] { "eu-west", new object[] { 1, 2, 3 } }]);
    }

    [Benchmark]
    public Hash32 Keccak1KiB() => Keccak256.Hash(_kilobyte);

    [Benchmark]
    public Signature Sign() => _key.Sign(_digest);

    [Benchmark]
    public Address Recover() => _signature.RecoverAddress(_digest);

    [Benchmark]
    public Address DecodeTransactionAndRecoverSender() => SignedTransaction.Decode(_rawTransaction).RecoverSender();

    [Benchmark]
    public RlpItem DecodeRlp() => RlpDecoder.Decode(_rawTransaction.AsSpan(1));

    [Benchmark]
    public object[] AbiDecode() => AbiCodec.Decode(_abiTypes, _abiData);
}
