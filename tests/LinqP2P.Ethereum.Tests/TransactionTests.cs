using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Ethereum.Transactions;
using LinqP2P.TestKit;

namespace LinqP2P.Ethereum.Tests;

public sealed class TransactionTests
{
    private static Gen<BigInteger> Wei => Gen.OneOf(
        Gen.Choose(0, 1000).Select(i => new BigInteger(i)),
        Generators.BytesUpTo(32).Select(b => new BigInteger(b, isUnsigned: true, isBigEndian: true)));

    /// <summary>Fees: alloy (and so cast) holds gas prices in 128 bits, which real networks never approach.</summary>
    private static Gen<BigInteger> Fee => Gen.OneOf(
        Gen.Choose(0, 1000).Select(i => new BigInteger(i)),
        Generators.BytesUpTo(16).Select(b => new BigInteger(b, isUnsigned: true, isBigEndian: true)));

    private static Gen<ulong> U64 => Gen.OneOf(
        Gen.Choose(0, 100_000).Select(i => (ulong)i),
        Generators.Bytes(8).Select(b => BitConverter.ToUInt64(b) >> (b[0] % 64)));

    private static Gen<Address?> To => Gen.Frequency((1, Gen.Constant<Address?>(null)), (5, Generators.Address.Select(a => (Address?)a)));

    private static Gen<LegacyTransaction> Legacy =>
        from nonce in U64
        from price in Fee
        from gas in U64
        from to in To
        from value in Wei
        from data in Generators.BytesUpTo(80)
        from chain in Gen.Choose(1, 1_000_000)
        select new LegacyTransaction { Nonce = nonce, GasPrice = price, GasLimit = gas, To = to, Value = value, Data = data, ChainId = (ulong)chain };

    private static Gen<AccessListEntry> AccessEntry =>
        Gen.Zip(Generators.Address, Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Generators.Hash, n)))
            .Select(p => new AccessListEntry(p.Item1, p.Item2));

    private static Gen<Eip1559Transaction> Dynamic =>
        from chain in Gen.Choose(1, 1_000_000)
        from nonce in U64
        from tip in Fee
        from cap in Fee
        from gas in U64
        from to in To
        from value in Wei
        from data in Generators.BytesUpTo(80)
        from access in Gen.Choose(0, 2).SelectMany(n => Gen.ArrayOf(AccessEntry, n))
        select new Eip1559Transaction
        {
            ChainId = (ulong)chain,
            Nonce = nonce,
            MaxPriorityFeePerGas = tip,
            MaxFeePerGas = cap,
            GasLimit = gas,
            To = to,
            Value = value,
            Data = data,
            AccessList = access,
        };

    public static Arbitrary<Transaction> Transactions() => Gen.OneOf(Legacy.Select(t => (Transaction)t), Dynamic.Select(t => (Transaction)t)).ToArbitrary();

    public static Arbitrary<PrivateKey> Keys() => Generators.Key.ToArbitrary();

    [Fact]
    public async Task LegacyEip155_RawBytes_EqualCastMktx()
    {
        var cases = Gen.Zip(Legacy, Generators.Key).Draw(60);
        var expected = await Cast.RunManyAsync(cases, c =>
        {
            var (tx, key) = c;
            return [
                "mktx", "--private-key", Hex.Encode(key.ExportBytes()), "--legacy", "--chain", Dec(tx.ChainId!.Value),
                "--nonce", Dec(tx.Nonce), "--gas-limit", Dec(tx.GasLimit), "--gas-price", Dec(tx.GasPrice), "--value", Dec(tx.Value),
                .. Target(tx),
            ];
        });
        for (var i = 0; i < cases.Length; i++)
        {
            var signed = cases[i].Item1.Sign(cases[i].Item2);
            Assert.True(expected[i] == Hex.Encode(signed.Encode()), $"{cases[i].Item1}\ncast {expected[i]}\nours {Hex.Encode(signed.Encode())}");
        }
    }

    [Fact]
    public async Task Eip1559_RawBytes_EqualCastMktx()
    {
        var cases = Gen.Zip(Dynamic, Generators.Key).Draw(60);
        var expected = await Cast.RunManyAsync(cases, c =>
        {
            var (tx, key) = c;
            var accessList = JsonSerializer.Serialize(tx.AccessList.Select(e => new { address = e.Address.ToString(), storageKeys = e.StorageKeys.Select(k => k.ToString()) }));
            return [
                "mktx", "--private-key", Hex.Encode(key.ExportBytes()), "--chain", Dec(tx.ChainId),
                "--nonce", Dec(tx.Nonce), "--gas-limit", Dec(tx.GasLimit), "--gas-price", Dec(tx.MaxFeePerGas),
                "--priority-gas-price", Dec(tx.MaxPriorityFeePerGas), "--value", Dec(tx.Value), "--access-list", accessList,
                .. Target(tx),
            ];
        });
        for (var i = 0; i < cases.Length; i++)
        {
            var signed = cases[i].Item1.Sign(cases[i].Item2);
            Assert.True(expected[i] == Hex.Encode(signed.Encode()), $"{cases[i].Item1}\ncast {expected[i]}\nours {Hex.Encode(signed.Encode())}");
        }
    }

    [Fact]
    public async Task Decode_AgreesWithCastDecodeTransaction()
    {
        var cases = Gen.Zip(Gen.OneOf(Legacy.Select(t => (Transaction)t), Dynamic.Select(t => (Transaction)t)), Generators.Key).Draw(60);
        var raws = cases.Select(c => c.Item1.Sign(c.Item2).Encode()).ToArray();
        var outputs = await Cast.RunManyAsync(raws, r => ["decode-transaction", Hex.Encode(r)]);
        for (var i = 0; i < cases.Length; i++)
        {
            // cast prints the JSON object as a JSON string.
            var text = outputs[i].StartsWith('"') ? JsonSerializer.Deserialize<string>(outputs[i])! : outputs[i];
            using var doc = JsonDocument.Parse(text);
            var json = doc.RootElement;
            var decoded = SignedTransaction.Decode(raws[i]);
            Assert.Equal(Address.Parse(json.GetProperty("signer").GetString()!), decoded.RecoverSender());
            Assert.Equal(cases[i].Item2.Address, decoded.RecoverSender());
            Assert.Equal(Hash32.Parse(json.GetProperty("hash").GetString()!), decoded.Hash);
            Assert.Equal(Hex.DecodeQuantity(json.GetProperty("nonce").GetString()!), new BigInteger(decoded.Transaction.Nonce));
            Assert.Equal(Hex.DecodeQuantity(json.GetProperty("value").GetString()!), decoded.Transaction.Value);
            Assert.Equal(json.GetProperty("input").GetString(), Hex.Encode(decoded.Transaction.Data));
            Assert.Equal(Hex.DecodeQuantity(json.GetProperty("r").GetString()!), decoded.Signature.R);
            Assert.Equal(Hex.DecodeQuantity(json.GetProperty("s").GetString()!), decoded.Signature.S);
        }
    }

    [Property(MaxTest = 100, Arbitrary = [typeof(TransactionTests)])]
    public bool Decode_RoundTripsEncodeAndRecoversTheSender(Transaction tx, PrivateKey key)
    {
        var signed = tx.Sign(key);
        var raw = signed.Encode();
        var decoded = SignedTransaction.Decode(raw);
        return decoded.RecoverSender() == key.Address
            && decoded.Encode().AsSpan().SequenceEqual(raw)
            && decoded.Hash == signed.Hash
            && decoded.Transaction.SigningHash() == tx.SigningHash()
            && RebuiltEncoding(decoded).AsSpan().SequenceEqual(raw);
    }

    [Property(MaxTest = 300)]
    public void Decode_OfRandomBytes_ThrowsOnlyDecodeErrors(byte[] raw, bool typed)
    {
        try
        {
            SignedTransaction.Decode(typed ? [0x02, .. raw] : raw);
        }
        catch (EthereumDecodeException)
        {
        }
    }

    [Property(MaxTest = 200, Arbitrary = [typeof(TransactionTests)])]
    public void Decode_OfCorruptedTransaction_ThrowsOnlyDecodeErrors(Transaction tx, PrivateKey key, int position, byte value)
    {
        var raw = tx.Sign(key).Encode();
        raw[Math.Abs(position % raw.Length)] = value;
        try
        {
            SignedTransaction.Decode(raw);
        }
        catch (EthereumDecodeException)
        {
        }
    }

    [Fact]
    public void Decode_RejectsHighS()
    {
        var key = PrivateKey.Generate();
        var tx = new Eip1559Transaction { ChainId = 1, GasLimit = 21000, To = key.Address, MaxFeePerGas = 10 };
        var low = key.Sign(tx.SigningHash());
        var high = new Signature(low.R, Secp256k1.NumericsN - low.S, (byte)(low.RecoveryId ^ 1));
        var raw = new SignedTransaction(tx, high).Encode();
        var e = Assert.Throws<EthereumDecodeException>(() => SignedTransaction.Decode(raw));
        Assert.Equal(DecodeError.NonCanonical, e.Error);
        Assert.Equal("eth.tx.non-canonical", e.Code);
    }

    [Fact]
    public void Decode_RejectsUnsupportedTypesAndTrailingBytes()
    {
        Assert.Equal(DecodeError.Malformed, Assert.Throws<EthereumDecodeException>(() => SignedTransaction.Decode([0x03, 0xc0])).Error);
        var raw = new LegacyTransaction { ChainId = 1, GasLimit = 21000 }.Sign(PrivateKey.Generate()).Encode();
        Assert.Equal(DecodeError.TrailingBytes, Assert.Throws<EthereumDecodeException>(() => SignedTransaction.Decode([.. raw, 0])).Error);
    }

    [Fact]
    public void PreEip155Legacy_UsesV27Or28AndRoundTrips()
    {
        var key = PrivateKey.Generate();
        var signed = new LegacyTransaction { Nonce = 1, GasPrice = 5, GasLimit = 21000, To = key.Address, Value = 9 }.Sign(key);
        Assert.True(signed.LegacyV == 27 || signed.LegacyV == 28);
        var decoded = SignedTransaction.Decode(signed.Encode());
        Assert.Null(((LegacyTransaction)decoded.Transaction).ChainId);
        Assert.Equal(key.Address, decoded.RecoverSender());
    }

    private static byte[] RebuiltEncoding(SignedTransaction decoded) => new SignedTransaction(decoded.Transaction, decoded.Signature).Encode();

    private static string[] Target(Transaction tx) =>
        tx.To is { } to ? [to.ToString(), .. tx.Data.Length > 0 ? new[] { Hex.Encode(tx.Data) } : []] : ["--create", Hex.Encode(tx.Data)];

    private static string Dec(BigInteger v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Dec(ulong v) => v.ToString(CultureInfo.InvariantCulture);
}
