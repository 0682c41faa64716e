using LinqP2P.Contracts.Codegen;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: LinqP2P.Contracts.Codegen <forge out folder> <output folder>");
    return 2;
}
var forgeOut = args[0];
var output = args[1];
if (!Directory.Exists(forgeOut))
{
    Console.Error.WriteLine($"codegen: {forgeOut} does not exist; run `forge build` in contracts/ (scripts/setup.sh installs forge).");
    return 1;
}
Directory.CreateDirectory(output);
var artifacts = ForgeArtifact.FindDeployable(forgeOut);
if (artifacts.Count == 0)
{
    Console.Error.WriteLine($"codegen: no deployable contract of contracts/src was found in {forgeOut}.");
    return 1;
}
var written = new HashSet<string>(StringComparer.Ordinal);
foreach (var artifact in artifacts)
{
    var path = Path.Combine(output, artifact.Name + ".g.cs");
    var code = new BindingWriter(artifact).Write();
    // Rewrite only what changed, so the compiler's own incrementality keeps working.
    if (!File.Exists(path) || File.ReadAllText(path) != code)
    {
        File.WriteAllText(path, code);
    }
    written.Add(Path.GetFullPath(path));
}
foreach (var stale in Directory.GetFiles(output, "*.g.cs").Where(f => !written.Contains(Path.GetFullPath(f))))
{
    File.Delete(stale);
}
Console.WriteLine($"codegen: {artifacts.Count} bindings ({string.Join(", ", artifacts.Select(a => a.Name))}) in {output}");
return 0;
