namespace LinqP2P.Ipfs.Bitswap.Tests;

internal static class TestContent
{
    /// <summary>Deterministic pseudo-random bytes (so every run fetches the same DAG).</summary>
    public static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
