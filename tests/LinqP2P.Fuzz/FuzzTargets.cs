using System.Reflection;

namespace LinqP2P.Fuzz;

/// <summary>Marks a static <c>void M(byte[] input)</c> method as the fuzz target named <see cref="Name"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FuzzTargetAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Every fuzz target in this assembly. Each subsystem keeps its targets in a file of its own
/// (EthereumTargets.cs, Libp2pTargets.cs, ...) as static methods marked with <see cref="FuzzTargetAttribute"/>.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = typeof(FuzzTargets).Assembly
        .GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
        .Select(m => (Method: m, Attribute: m.GetCustomAttribute<FuzzTargetAttribute>()))
        .Where(x => x.Attribute is not null)
        .ToDictionary(x => x.Attribute!.Name, x => x.Method.CreateDelegate<Action<byte[]>>(), StringComparer.Ordinal);
}
