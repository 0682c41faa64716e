using System.Text;
using LinqP2P.Artifacts;
using LinqP2P.Core;
using LinqP2P.Ipfs.Http.UnixFs;

namespace LinqP2P.Fuzz;

internal static class IpfsHttpTargets
{
    [FuzzTarget("ipfs-http-path")]
    private static void ContentPath(byte[] input)
    {
        try
        {
            var (_, segments) = UnixFsPath.Parse(Encoding.UTF8.GetString(input));
            if (segments.Any(s => s is "." or ".." || s.Contains('/', StringComparison.Ordinal)))
            {
                throw new InvalidOperationException("a parsed path kept an unsafe segment");
            }
        }
        catch (LinqException)
        {
        }
    }

    [FuzzTarget("artifacts-image-manifest")]
    private static void ImageManifest(byte[] input)
    {
        try
        {
            ImageArtifacts.ParseManifest(input);
        }
        catch (ImageArtifactException)
        {
        }
    }

    [FuzzTarget("artifacts-image-archive")]
    private static void ImageArchive(byte[] input)
    {
        try
        {
            ImageArtifacts.ReadManifestAsync(new MemoryStream(input), CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (ImageArtifactException)
        {
        }
    }
}
