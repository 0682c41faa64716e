using System.Globalization;
using System.Text;

namespace LinqP2P.Ethereum;

/// <summary>EIP-191 version 0x45 ("personal_sign") message hashing.</summary>
public static class PersonalMessage
{
    /// <summary>Keccak-256("\x19Ethereum Signed Message:\n" + decimal length + message).</summary>
    public static Hash32 Hash(ReadOnlySpan<byte> message)
    {
        var prefix = Encoding.ASCII.GetBytes("\u0019Ethereum Signed Message:\n" + message.Length.ToString(CultureInfo.InvariantCulture));
        var hasher = new Keccak256.Incremental();
        hasher.Append(prefix);
        hasher.Append(message);
        return hasher.Finish();
    }

    /// <summary>The address that signed <paramref name="message"/> as a personal message.</summary>
    public static Address RecoverSigner(ReadOnlySpan<byte> message, Signature signature) => signature.RecoverAddress(Hash(message));
}
