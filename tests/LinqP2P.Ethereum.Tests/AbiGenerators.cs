using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using LinqP2P.Ethereum.Abi;

namespace LinqP2P.Ethereum.Tests;

/// <summary>Random ABI types, values that fit them, and the text cast reads and writes for them.</summary>
internal static class AbiGenerators
{
    private static readonly Gen<AbiType> Elementary = Gen.OneOf(
        Gen.Choose(1, 32).Select(n => (AbiType)new AbiIntegerType(false, n * 8)),
        Gen.Choose(1, 32).Select(n => (AbiType)new AbiIntegerType(true, n * 8)),
        Gen.Constant((AbiType)AbiAddressType.Instance),
        Gen.Constant((AbiType)AbiBoolType.Instance),
        Gen.Choose(1, 32).Select(n => (AbiType)new AbiFixedBytesType(n)),
        Gen.Constant((AbiType)AbiBytesType.Instance),
        Gen.Constant((AbiType)AbiStringType.Instance));

    public static Gen<AbiType> Type(int depth) =>
        depth <= 0
            ? Elementary
            : Gen.Frequency(
                (4, Elementary),
                (1, Type(depth - 1).Select(t => (AbiType)new AbiArrayType(t, null))),
                (1, Gen.Zip(Type(depth - 1), Gen.Choose(1, 3)).Select(p => (AbiType)new AbiArrayType(p.Item1, p.Item2))),
                (1, Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Type(depth - 1), n)).Select(c => (AbiType)new AbiTupleType(c))));

    public static Gen<AbiType[]> TypeList => Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(Type(2), n));

    public static Gen<object> Value(AbiType type) => type switch
    {
        AbiIntegerType it => Integer(it).Select(v => (object)v),
        AbiAddressType => Generators.Address.Select(a => (object)a),
        AbiBoolType => Gen.Elements(true, false).Select(b => (object)b),
        AbiFixedBytesType fb => Generators.Bytes(fb.Size).Select(b => (object)b),
        AbiBytesType => Generators.BytesUpTo(70).Select(b => (object)b),
        // cast reads strings inside arrays and tuples without quotes, so keep them to letters and digits that cannot look like hex.
        AbiStringType => Gen.Choose(0, 30).SelectMany(n => Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".ToCharArray()), n))
            .Select(cs => (object)("s" + new string(cs))),
        AbiArrayType { Length: { } k } at => Gen.ArrayOf(Value(at.Element), k).Select(v => (object)v),
        AbiArrayType at => Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Value(at.Element), n)).Select(v => (object)v),
        AbiTupleType tt => tt.Components.Select(Value).ToArray() is var gens ? Gen.CollectToArray(gens).Select(v => (object)v) : throw new InvalidOperationException(),
        _ => throw new NotSupportedException(type.ToString()),
    };

    private static Gen<BigInteger> Integer(AbiIntegerType type)
    {
        var min = type.Signed ? -(BigInteger.One << (type.Bits - 1)) : BigInteger.Zero;
        var max = type.Signed ? (BigInteger.One << (type.Bits - 1)) - 1 : (BigInteger.One << type.Bits) - 1;
        var random = Generators.Bytes(type.Bits / 8).Select(b =>
        {
            var v = new BigInteger(b, isUnsigned: true, isBigEndian: true);
            return type.Signed ? v - (BigInteger.One << (type.Bits - 1)) : v;
        });
        return Gen.Frequency((1, Gen.Elements(min, max, BigInteger.Zero, BigInteger.One)), (4, random));
    }

    public static Gen<(AbiType[] Types, object[] Values)> TypesAndValues =>
        TypeList.SelectMany(types => Gen.CollectToArray(types.Select(Value)).Select(values => (types, values)));

    /// <summary>A value as a <c>cast abi-encode</c> argument.</summary>
    public static string CastArgument(AbiType type, object value) => type switch
    {
        AbiIntegerType => ((BigInteger)value).ToString(CultureInfo.InvariantCulture),
        AbiAddressType => ((Address)value).ToLowerString(),
        AbiBoolType => (bool)value ? "true" : "false",
        AbiFixedBytesType or AbiBytesType => Hex.Encode((byte[])value),
        AbiStringType => (string)value,
        AbiArrayType at => "[" + string.Join(",", ((object[])value).Select(v => CastArgument(at.Element, v))) + "]",
        AbiTupleType tt => "(" + string.Join(",", ((object[])value).Select((v, i) => CastArgument(tt.Components[i], v))) + ")",
        _ => throw new NotSupportedException(type.ToString()),
    };

    /// <summary>True when cast's <c>abi-decode --json</c> rendering of a value equals ours.</summary>
    public static bool MatchesCastJson(AbiType type, object ours, JsonElement cast) => type switch
    {
        AbiIntegerType => BigInteger.Parse(cast.ValueKind == JsonValueKind.String ? cast.GetString()! : cast.GetRawText(), CultureInfo.InvariantCulture) == (BigInteger)ours,
        AbiAddressType => cast.GetString() == ((Address)ours).ToString(),
        AbiBoolType => cast.GetBoolean() == (bool)ours,
        AbiFixedBytesType or AbiBytesType => string.Equals(cast.GetString(), Hex.Encode((byte[])ours), StringComparison.OrdinalIgnoreCase),
        AbiStringType => cast.GetString() == (string)ours,
        AbiArrayType at => cast.GetArrayLength() == ((object[])ours).Length
            && cast.EnumerateArray().Zip((object[])ours).All(p => MatchesCastJson(at.Element, p.Second, p.First)),
        AbiTupleType tt => cast.GetArrayLength() == tt.Components.Count
            && cast.EnumerateArray().Select((c, i) => MatchesCastJson(tt.Components[i], ((object[])ours)[i], c)).All(x => x),
        _ => false,
    };
}
