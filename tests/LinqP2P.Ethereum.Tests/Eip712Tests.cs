using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LinqP2P.Core;
using LinqP2P.Ethereum.Eip712;
using LinqP2P.TestKit;

namespace LinqP2P.Ethereum.Tests;

public sealed class Eip712Tests
{
    private static readonly string[] Atomic = ["uint256", "uint8", "uint64", "int256", "int32", "address", "bool", "bytes32", "bytes4", "bytes", "string"];

    /// <summary>
    /// A random document: struct types S0..Sn where Si may reference later structs (directly or in arrays), a random domain,
    /// and a message that fits, all as the JSON cast reads.
    /// </summary>
    private static Gen<string> Document =>
        from structCount in Gen.Choose(1, 4)
        from fieldTypes in Gen.ArrayOf(Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(FieldType(structCount), n)), structCount)
        from domainMask in Gen.Choose(0, 31)
        from seed in Gen.Choose(0, int.MaxValue)
        select Build(fieldTypes, domainMask, seed);

    private static Gen<(int Struct, string Type)> FieldType(int structCount) =>
        from kind in Gen.Choose(0, 9)
        from atomic in Gen.Elements(Atomic)
        from target in Gen.Choose(0, structCount - 1)
        from arrayLength in Gen.Choose(0, 3)
        select kind switch
        {
            < 6 => (-1, atomic),
            6 => (-1, atomic + (arrayLength == 0 ? "[]" : $"[{arrayLength}]")),
            7 => (target, ""),
            _ => (target, arrayLength == 0 ? "[]" : $"[{arrayLength}]"),
        };

    private static string Build((int Struct, string Type)[][] fields, int domainMask, int seed)
    {
        var random = new Random(seed);
        var types = new JsonObject();
        var names = Enumerable.Range(0, fields.Length).Select(i => "S" + i).ToArray();
        for (var s = 0; s < fields.Length; s++)
        {
            var list = new JsonArray();
            for (var f = 0; f < fields[s].Length; f++)
            {
                var (target, type) = fields[s][f];
                // Only reference structs defined later, so the type graph is acyclic and every message is finite.
                var resolved = target < 0 ? type : target > s ? names[target] + type : "uint256";
                list.Add(new JsonObject { ["name"] = "f" + f, ["type"] = resolved });
            }
            types[names[s]] = list;
        }
        var domainFields = new JsonArray();
        var domain = new JsonObject();
        if ((domainMask & 1) != 0) { domainFields.Add(Field("name", "string")); domain["name"] = "Linq" + random.Next(1000); }
        if ((domainMask & 2) != 0) { domainFields.Add(Field("version", "string")); domain["version"] = random.Next(10).ToString(CultureInfo.InvariantCulture); }
        if ((domainMask & 4) != 0) { domainFields.Add(Field("chainId", "uint256")); domain["chainId"] = random.Next(1, 100000); }
        if ((domainMask & 8) != 0) { domainFields.Add(Field("verifyingContract", "address")); domain["verifyingContract"] = Hex.Encode(RandomBytes(random, 20)); }
        if ((domainMask & 16) != 0) { domainFields.Add(Field("salt", "bytes32")); domain["salt"] = Hex.Encode(RandomBytes(random, 32)); }
        types["EIP712Domain"] = domainFields;
        var document = new JsonObject
        {
            ["types"] = types,
            ["primaryType"] = "S0",
            ["domain"] = domain,
            ["message"] = Value(types, "S0", random, 0),
        };
        return document.ToJsonString();
    }

    private static JsonObject Field(string name, string type) => new() { ["name"] = name, ["type"] = type };

    private static JsonNode? Value(JsonObject types, string type, Random random, int depth)
    {
        if (type.EndsWith(']'))
        {
            var open = type.LastIndexOf('[');
            var lengthText = type[(open + 1)..^1];
            var count = lengthText.Length == 0 ? random.Next(0, 3) : int.Parse(lengthText, CultureInfo.InvariantCulture);
            var array = new JsonArray();
            for (var i = 0; i < count; i++)
            {
                array.Add(Value(types, type[..open], random, depth + 1));
            }
            return array;
        }
        if (types[type] is JsonArray fields)
        {
            var obj = new JsonObject();
            foreach (var field in fields)
            {
                obj[field!["name"]!.GetValue<string>()] = Value(types, field["type"]!.GetValue<string>(), random, depth + 1);
            }
            return obj;
        }
        return type switch
        {
            "uint256" => random.Next(3) == 0 ? JsonValue.Create(random.Next()) : JsonValue.Create(new BigInteger(RandomBytes(random, 32), isUnsigned: true).ToString(CultureInfo.InvariantCulture)),
            "uint8" => JsonValue.Create(random.Next(256)),
            "uint64" => JsonValue.Create(((ulong)random.NextInt64()).ToString(CultureInfo.InvariantCulture)),
            "int256" => JsonValue.Create((new BigInteger(RandomBytes(random, 32)) >> 1).ToString(CultureInfo.InvariantCulture)),
            "int32" => JsonValue.Create(random.Next(int.MinValue, int.MaxValue)),
            "address" => JsonValue.Create(Hex.Encode(RandomBytes(random, 20))),
            "bool" => JsonValue.Create(random.Next(2) == 1),
            "bytes32" => JsonValue.Create(Hex.Encode(RandomBytes(random, 32))),
            "bytes4" => JsonValue.Create(Hex.Encode(RandomBytes(random, 4))),
            "bytes" => JsonValue.Create(Hex.Encode(RandomBytes(random, random.Next(0, 70)))),
            "string" => JsonValue.Create("text " + random.Next() + " ✓"),
            _ => throw new InvalidOperationException(type),
        };
    }

    private static byte[] RandomBytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }

    [Fact]
    public async Task Sign_EqualsCastWalletSignData()
    {
        var cases = Gen.Zip(Document, Generators.Key).Draw(60);
        var dir = Directory.CreateTempSubdirectory("eip712-");
        try
        {
            var files = cases.Select((c, i) =>
            {
                var path = Path.Combine(dir.FullName, $"{i}.json");
                File.WriteAllText(path, c.Item1);
                return path;
            }).ToArray();
            var expected = await Cast.RunManyAsync(Enumerable.Range(0, cases.Length).ToArray(), i =>
                ["wallet", "sign", "--private-key", Hex.Encode(cases[i].Item2.ExportBytes()), "--data", "--from-file", files[i]]);
            for (var i = 0; i < cases.Length; i++)
            {
                var typed = TypedData.Parse(cases[i].Item1);
                var ours = typed.Sign(cases[i].Item2);
                Assert.True(expected[i] == ours.ToString(), $"{cases[i].Item1}\ncast {expected[i]}\nours {ours}");
                Assert.Equal(cases[i].Item2.Address, typed.RecoverSigner(Signature.Parse(expected[i])));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The EIP's own example ("Mail" from Cow to Bob), with its domain separator and digest checked by cast's signature.</summary>
    [Fact]
    public async Task EipExample_BuiltInCSharp_MatchesTheJsonDocumentAndCast()
    {
        var json = """
        {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
          "Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
          "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},
         "primaryType":"Mail",
         "domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
         "message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},"to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}}
        """;
        var fromJson = TypedData.Parse(json);
        var person = new[] { new TypedDataField("name", "string"), new TypedDataField("wallet", "address") };
        var fromCode = new TypedData(
            new Eip712Domain { Name = "Ether Mail", Version = "1", ChainId = 1, VerifyingContract = Address.Parse("0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC") },
            new Dictionary<string, IReadOnlyList<TypedDataField>>
            {
                ["Person"] = person,
                ["Mail"] = [new("from", "Person"), new("to", "Person"), new("contents", "string")],
            },
            "Mail",
            new Dictionary<string, object?>
            {
                ["from"] = new Dictionary<string, object?> { ["name"] = "Cow", ["wallet"] = Address.Parse("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826") },
                ["to"] = new Dictionary<string, object?> { ["name"] = "Bob", ["wallet"] = Address.Parse("0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB") },
                ["contents"] = "Hello, Bob!",
            });
        Assert.Equal("Mail(Person from,Person to,string contents)Person(string name,address wallet)", fromCode.EncodeType("Mail"));
        Assert.Equal(fromJson.SigningHash(), fromCode.SigningHash());
        Assert.Equal(fromJson.DomainSeparator(), fromCode.DomainSeparator());
        // The type hash is Keccak-256 of the type string; ask cast rather than trusting our own Keccak twice.
        Assert.Equal(await Cast.RunAsync("keccak", fromCode.EncodeType("Mail")), fromCode.TypeHash("Mail").ToString());

        var key = PrivateKey.Parse(Hex.Encode(Keccak256.Hash("cow").Span));
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, json);
            var expected = await Cast.RunAsync("wallet", "sign", "--private-key", Hex.Encode(key.ExportBytes()), "--data", "--from-file", path);
            Assert.Equal(expected, fromCode.Sign(key).ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Property(MaxTest = 50)]
    public bool Sign_RecoversTheSigner(NonNegativeInt nonce, byte[] seed)
    {
        var key = PrivateKey.FromBytes(Keccak256.Hash(seed).Span);
        var typed = new TypedData(
            new Eip712Domain { Name = "LinqP2P", Version = "1", ChainId = 31337 },
            new Dictionary<string, IReadOnlyList<TypedDataField>> { ["Bid"] = [new("jobId", "uint256"), new("price", "uint256"), new("shards", "bytes32[]")] },
            "Bid",
            new Dictionary<string, object?> { ["jobId"] = nonce.Get, ["price"] = new BigInteger(seed.Length), ["shards"] = new[] { Keccak256.Hash(seed) } });
        return typed.RecoverSigner(typed.Sign(key)) == key.Address;
    }

    [Theory]
    [InlineData("""{"types":{"A":[{"name":"x","type":"uint256"}]},"primaryType":"B","domain":{},"message":{"x":1}}""")]
    [InlineData("""{"types":{"A":[{"name":"x","type":"Nope"}]},"primaryType":"A","domain":{},"message":{"x":1}}""")]
    [InlineData("""{"types":{"A":[{"name":"x","type":"uint256"}]},"primaryType":"A","domain":{"foo":1},"message":{"x":1}}""")]
    [InlineData("""{"types":{"A":[{"name":"x","type":"uint256[x]"}]},"primaryType":"A","domain":{},"message":{"x":[]}}""")]
    [InlineData("""{"types":[],"primaryType":"A","domain":{},"message":{}}""")]
    [InlineData("""not json""")]
    public void Parse_RejectsInvalidDocuments(string json) =>
        Assert.Equal("eth.eip712.invalid", Assert.Throws<InvalidInputException>(() => TypedData.Parse(json)).Code);

    [Theory]
    [InlineData("""{"x":256}""", "uint8")]
    [InlineData("""{"x":"0xzz"}""", "bytes")]
    [InlineData("""{"x":"0x0102"}""", "bytes4")]
    [InlineData("""{}""", "uint8")]
    [InlineData("""{"x":[1]}""", "uint8[2]")]
    public void SigningHash_RejectsValuesThatDoNotFitTheirType(string message, string type)
    {
        var json = $$"""{"types":{"A":[{"name":"x","type":"{{type}}"}]},"primaryType":"A","domain":{"chainId":1},"message":{{message}}}""";
        var typed = TypedData.Parse(json);
        Assert.Equal("eth.eip712.invalid", Assert.Throws<InvalidInputException>(() => typed.SigningHash()).Code);
    }

    [Property(MaxTest = 200)]
    public void Parse_OfRandomText_ThrowsOnlyTypedErrors(string text)
    {
        try
        {
            TypedData.Parse(text ?? "").SigningHash();
        }
        catch (InvalidInputException)
        {
        }
    }
}
