using System.Runtime.CompilerServices;

namespace LinqP2P.Synth.Tabular;

/// <summary>
/// 64-bit fingerprints of rows and of grid cells, used by the privacy guard. A row is tokenised column by
/// column (a level index, the bits of a number, or its grid cell) and the tokens are folded with the
/// SplitMix64 finaliser starting from the model's salt (SPEC.md §9.4).
/// </summary>
public static class RowFingerprint
{
    public const long MissingToken = unchecked((long)0x8000_0000_0000_0001UL);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Fold(ulong h, long token)
    {
        var z = h ^ (ulong)token;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The exact token of a number: its bits, with -0 folded into +0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long NumberToken(double v) =>
        double.IsNaN(v) ? MissingToken : BitConverter.DoubleToInt64Bits(v == 0 ? 0.0 : v);

    /// <summary>The grid cell of a number: floor((v - origin) / width), or its bits when width is 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CellToken(double v, double origin, double width) =>
        double.IsNaN(v) ? MissingToken : width > 0 ? (long)Math.Floor((v - origin) / width) : NumberToken(v);
}
