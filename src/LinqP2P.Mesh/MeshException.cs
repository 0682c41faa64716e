using LinqP2P.Core;

namespace LinqP2P.Mesh;

/// <summary>
/// A mesh link could not be set up or was broken: a malformed header or reply (<c>mesh.header.*</c>,
/// <c>mesh.reply.*</c>), a refusal by the remote node (<c>mesh.refused.*</c>, see <see cref="MeshStatus"/>),
/// or a container network namespace that could not be entered (<c>mesh.netns.*</c>). See SPEC.md §8.8.
/// </summary>
public sealed class MeshException : LinqException
{
    public MeshException(string code, string message, bool retryable = false, Exception? inner = null)
        : base("mesh." + code, message, retryable, inner) { }
}
