#!/usr/bin/env bash
# Throughput of one Noise+Yamux stream on loopback: our C# stack (two in-process hosts, BenchmarkDotNet)
# against two js-libp2p 3 nodes measured in the same run. Prints both MB/s, the ratio, and the memory of
# one idle connection (both ends). Usage: scripts/bench-libp2p.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
art="$root/.tools/bench/libp2p"
rm -rf "$art"; mkdir -p "$art"
dotnet run -c Release --project tests/LinqP2P.Benchmarks -- --filter '*Libp2pThroughput*' \
  --exporters csv --artifacts "$art" > "$art/dotnet.log" 2>&1 || { tail -40 "$art/dotnet.log"; exit 1; }
csv="$(ls "$art"/results/*Libp2pThroughput*-report.csv)"
# BenchmarkDotNet writes the mean with its unit, e.g. "812.3 ms" or "1.204 s".
mean="$(python3 - "$csv" <<'PY'
import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
value, unit = row["Mean"].replace(",", "").split()
print(float(value) * {"s": 1, "ms": 1e-3, "μs": 1e-6, "us": 1e-6}[unit])
PY
)"
idle="$(grep -o 'IDLE_CONNECTION_BYTES=[0-9-]*' "$art/dotnet.log" | head -1 | cut -d= -f2)"
js="$(cd tests/js && "$root/.tools/bin/node" libp2p-bench.mjs 64)"
python3 - "$mean" "$js" "$idle" <<'PY'
import json, sys
cs = 64 * 1024 * 1024 / 1e6 / float(sys.argv[1])
js = json.loads(sys.argv[2])["mbps"]
print(f"C# (LinqP2P.Libp2p) one stream : {cs:8.1f} MB/s")
print(f"js-libp2p 3 one stream         : {js:8.1f} MB/s")
print(f"ratio C#/js                    : {cs / js:8.2f}")
print(f"memory per idle connection     : {int(sys.argv[3]) / 1024:8.1f} KiB (both ends, managed heap)")
PY
