namespace LinqP2P.TestKit;

/// <summary>Locations in the checkout and of the pinned tools that scripts/setup.sh installs.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The repository root: the nearest parent folder holding LinqP2P.sln.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The folder of pinned tool binaries (anvil, forge, cast, node, solc).</summary>
    public static string ToolsBin => Path.Combine(Root, ".tools", "bin");

    /// <summary>The npm packages installed from scripts/toolchain/package.json.</summary>
    public static string NodeModules => Path.Combine(Root, ".tools", "node_modules");

    /// <summary>The full path of a pinned tool, failing with the fix when scripts/setup.sh has not run.</summary>
    public static string Tool(string name)
    {
        var path = Path.Combine(ToolsBin, name);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"{name} is not installed at {path}: run scripts/setup.sh first.");
        }
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LinqP2P.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("LinqP2P.sln was not found above " + AppContext.BaseDirectory);
    }
}
