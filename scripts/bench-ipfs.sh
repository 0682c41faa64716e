#!/usr/bin/env bash
# UnixFS import throughput: our importer (BenchmarkDotNet, Release) against ipfs-unixfs-importer 17
# under Node 22, on the same file, in the same run. Both feed a blockstore that keeps nothing, so the
# figure is chunking + hashing + encoding. Prints MB/s for each side and the ratio per profile.
#   scripts/bench-ipfs.sh            # 256 MiB of random bytes
#   SIZE_MIB=1024 scripts/bench-ipfs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-256}
NODE=.tools/bin/node
[ -x "$NODE" ] || { echo "node 22 is missing: run scripts/setup.sh first" >&2; exit 1; }
WORK=$(mktemp -d /tmp/bench-ipfs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
head -c $((SIZE_MIB << 20)) /dev/urandom > "$WORK/content.bin"

echo "== js: ipfs-unixfs-importer 17 ($SIZE_MIB MiB)" >&2
(cd tests/js && "../../$NODE" ipfs-bench.mjs "$WORK/content.bin" 5) > "$WORK/js.jsonl"

echo "== dotnet: LinqP2P.Ipfs UnixFsImporter ($SIZE_MIB MiB)" >&2
LINQ_BENCH_IPFS_FILE="$WORK/content.bin" dotnet run -c Release --project tests/LinqP2P.Benchmarks -- \
  --filter '*IpfsImportBenchmarks*' --job short --inProcess --exporters json --artifacts "$WORK/bdn" >&2

"$NODE" - "$WORK" <<'JS'
const fs = require('node:fs')
const path = require('node:path')
const work = process.argv[2]
const js = Object.fromEntries(fs.readFileSync(path.join(work, 'js.jsonl'), 'utf8').trim().split('\n').map(l => JSON.parse(l)).map(r => [r.profile, r]))
const dir = path.join(work, 'bdn', 'results')
const file = fs.readdirSync(dir).find(f => f.endsWith('.json'))
const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
console.log('profile          ours MB/s   js MB/s   ratio')
for (const b of report.Benchmarks) {
  const profile = b.Parameters.replace(/^Profile=/, '')
  const ours = b.Statistics.Median / 1e6 // ms
  const theirs = js[profile].medianMs
  const mb = js[profile].bytes / 1e6
  console.log(`${profile.padEnd(16)} ${(mb / (ours / 1000)).toFixed(0).padStart(9)} ${(mb / (theirs / 1000)).toFixed(0).padStart(9)}   ${(theirs / ours).toFixed(2)}x`)
}
JS
