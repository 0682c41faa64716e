// One fuzz target per decoder, chosen by name: `linq-fuzz TARGET` reads inputs the way SharpFuzz
// expects (AFL++ through scripts/fuzz.sh). Each target must turn any byte string into either a value
// or a LinqException; anything else is a crash the fuzzer reports.
using LinqP2P.Fuzz;

if (args.Length != 1 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine("usage: LinqP2P.Fuzz TARGET   (targets: " + string.Join(", ", FuzzTargets.All.Keys) + ")");
    return 2;
}
SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var ms = new MemoryStream();
    stream.CopyTo(ms);
    target(ms.ToArray());
});
return 0;
