using BenchmarkDotNet.Running;

// Run one group with: dotnet run -c Release --project tests/LinqP2P.Benchmarks -- --filter '*Name*'
// Scripts under scripts/bench-*.sh run the peer (js-libp2p, ipfs-unixfs-importer, docker run) in the
// same run and report the ratio.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
