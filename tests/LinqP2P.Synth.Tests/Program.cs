using LinqP2P.Synth.Tests;

// Not a test: the entry point used when this assembly runs as a separate process, so determinism tests
// can compare bytes produced by another process (and another JIT run) with their own.
return await ShardRunner.MainAsync(args);
