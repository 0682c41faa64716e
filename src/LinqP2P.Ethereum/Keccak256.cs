using Org.BouncyCastle.Crypto.Digests;

namespace LinqP2P.Ethereum;

/// <summary>
/// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01), not the NIST SHA3-256 padding (0x06).
/// </summary>
public static class Keccak256
{
    /// <summary>The digest of <paramref name="data"/>.</summary>
    public static Hash32 Hash(ReadOnlySpan<byte> data)
    {
        var output = new byte[32];
        Hash(data, output);
        return Hash32.FromOwned(output);
    }

    /// <summary>Writes the digest of <paramref name="data"/> into the first 32 bytes of <paramref name="destination"/>.</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        digest.DoFinal(destination);
    }

    /// <summary>The digest of the UTF-8 bytes of <paramref name="text"/> (as <c>cast keccak "text"</c> computes).</summary>
    public static Hash32 Hash(string text) => Hash(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>An incremental hasher for data that arrives in pieces.</summary>
    public sealed class Incremental
    {
        private readonly KeccakDigest _digest = new(256);

        public void Append(ReadOnlySpan<byte> data) => _digest.BlockUpdate(data);

        /// <summary>Returns the digest and resets the hasher.</summary>
        public Hash32 Finish()
        {
            var output = new byte[32];
            _digest.DoFinal(output);
            return Hash32.FromOwned(output);
        }
    }
}
