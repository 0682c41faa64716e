using LinqP2P.Mesh;

namespace LinqP2P.Fuzz;

/// <summary>The mesh link decoders (SPEC.md §8.8). Each must end in a value or a <see cref="MeshException"/>.</summary>
internal static class MeshTargets
{
    [FuzzTarget("mesh-header")]
    private static void Header(byte[] input)
    {
        try
        {
            var header = MeshHeader.Decode(input);
            if (!header.Encode().AsSpan().SequenceEqual(input))
            {
                throw new InvalidOperationException("a decoded mesh header does not re-encode to the same bytes");
            }
        }
        catch (MeshException)
        {
        }
        try
        {
            MeshReply.Decode(input);
        }
        catch (MeshException)
        {
        }
    }
}
