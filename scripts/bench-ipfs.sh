#!/usr/bin/env bash
# UnixFS import throughput: our importer against ipfs-unixfs-importer 17 under Node 22, on the same
# file, in the same run, alternating the two sides for ROUNDS rounds so that load from other processes
# hits both alike. Both feed a blockstore that keeps nothing, so the figure is chunking + hashing +
# encoding of bytes already in memory (the js side gets 1 MiB slices of one buffer, ours ImportBytesAsync
# of the whole buffer: both without copying). Prints median wall-clock MB/s and CPU time of each side and the ratios per profile.
#   scripts/bench-ipfs.sh                      # 256 MiB of random bytes, 3 rounds
#   SIZE_MIB=1024 ROUNDS=5 scripts/bench-ipfs.sh
# (tests/LinqP2P.Benchmarks/IpfsImportBenchmarks.cs is the BenchmarkDotNet view of our side alone.)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-256}
ROUNDS=${ROUNDS:-3}
NODE=.tools/bin/node
[ -x "$NODE" ] || { echo "node 22 is missing: run scripts/setup.sh first" >&2; exit 1; }
WORK=$(mktemp -d /tmp/bench-ipfs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
head -c $((SIZE_MIB << 20)) /dev/urandom > "$WORK/content.bin"

# Our side as a .NET 10 file-based app on the Release build of LinqP2P.Ipfs.
cat > "$WORK/bench.cs" <<CS
#:project $PWD/src/LinqP2P.Ipfs/LinqP2P.Ipfs.csproj
#:property Configuration=Release
using System.Diagnostics;
using LinqP2P.Ipfs.Blocks;
using LinqP2P.Ipfs.Importing;
var content = File.ReadAllBytes(args[0]);
var runs = int.Parse(args[1]);
foreach (var name in new[] { "unixfs-v1-2025", "unixfs-v0-2015" })
{
    var times = new List<(double Wall, double Cpu, string Cid)>();
    for (var r = 0; r <= runs; r++)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = await new UnixFsImporter(new MemoryBlockStore(discard: true), ImportProfile.Parse(name)).ImportBytesAsync(content);
        var wall = sw.Elapsed.TotalMilliseconds;
        var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        if (r > 0) times.Add((wall, used, result.Cid.ToString())); // the first run warms up the JIT
    }
    times.Sort();
    var m = times[times.Count / 2];
    Console.WriteLine($"{{\"profile\":\"{name}\",\"cid\":\"{m.Cid}\",\"bytes\":{content.Length},\"medianMs\":{m.Wall:F1},\"cpuMs\":{m.Cpu:F1}}}");
}
CS
echo "building the .NET side..." >&2
dotnet build "$WORK/bench.cs" >/dev/null

for round in $(seq "$ROUNDS"); do
  echo "round $round/$ROUNDS" >&2
  (cd tests/js && "../../$NODE" ipfs-bench.mjs "$WORK/content.bin" 3) >> "$WORK/js.jsonl"
  dotnet run --no-build "$WORK/bench.cs" -- "$WORK/content.bin" 3 >> "$WORK/ours.jsonl"
done

"$NODE" - "$WORK" "$SIZE_MIB" "$ROUNDS" <<'JS'
const fs = require('node:fs')
const path = require('node:path')
const [work, sizeMib, rounds] = process.argv.slice(2)
const load = f => fs.readFileSync(path.join(work, f), 'utf8').trim().split('\n').map(l => JSON.parse(l))
const median = xs => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const js = load('js.jsonl')
const ours = load('ours.jsonl')
console.log(`UnixFS import of ${sizeMib} MiB, ${rounds} alternating rounds, median of each side (${new Date().toISOString()})`)
console.log('profile            ours MB/s  js MB/s  wall ratio   ours CPU ms  js CPU ms  CPU ratio  same CID')
for (const profile of ['unixfs-v1-2025', 'unixfs-v0-2015']) {
  const o = ours.filter(r => r.profile === profile)
  const j = js.filter(r => r.profile === profile)
  const mb = o[0].bytes / 1e6
  const ow = median(o.map(r => r.medianMs)); const jw = median(j.map(r => r.medianMs))
  const oc = median(o.map(r => r.cpuMs)); const jc = median(j.map(r => r.cpuMs))
  const same = o.every(r => r.cid === j[0].cid) && j.every(r => r.cid === j[0].cid)
  console.log(`${profile.padEnd(18)} ${(mb / ow * 1000).toFixed(0).padStart(9)} ${(mb / jw * 1000).toFixed(0).padStart(8)} ${(jw / ow).toFixed(2).padStart(10)}x ${oc.toFixed(0).padStart(13)} ${jc.toFixed(0).padStart(10)} ${(jc / oc).toFixed(2).padStart(9)}x  ${same}`)
}
JS
