using FsCheck;
using FsCheck.Fluent;

namespace LinqP2P.Ethereum.Tests;

/// <summary>FsCheck generators shared by the Ethereum tests.</summary>
internal static class Generators
{
    public static Gen<byte> Byte => Gen.Choose(0, 255).Select(i => (byte)i);

    public static Gen<byte[]> Bytes(int length) => Gen.ArrayOf(Byte, length);

    public static Gen<byte[]> BytesUpTo(int maxLength) => Gen.Choose(0, maxLength).SelectMany(Bytes);

    public static Gen<PrivateKey> Key =>
        Bytes(32).Where(b => b.Any(x => x != 0) && b[0] != 0xff).Select(b => PrivateKey.FromBytes(b));

    public static Gen<Address> Address => Bytes(20).Select(b => Ethereum.Address.FromBytes(b));

    public static Gen<Hash32> Hash => Bytes(32).Select(b => Hash32.FromBytes(b));

    /// <summary>Draws <paramref name="count"/> values, for differential tests that batch their calls to cast.</summary>
    public static T[] Draw<T>(this Gen<T> gen, int count, int size = 30) => FsCheck.Fluent.Gen.Sample(gen, count, size);
}
