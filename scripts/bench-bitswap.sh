#!/usr/bin/env bash
# Bitswap throughput on loopback: a 64 MiB file (unixfs-v1-2025, 64 raw 1 MiB leaves) fetched whole by a
# fresh C# requester (new host, dial, Noise, Yamux, session) from our C# provider and from a Helia 7 node
# (tests/js/helia-peer.mjs) in the same run, each with the requester's Yamux window at 256 KiB (the
# spec's default) and 16 MiB. BenchmarkDotNet, in-process job, median of 5. Prints MB/s and the ratios.
# Usage: scripts/bench-bitswap.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[ -e tests/js/node_modules ] || ln -sfn "$root/.tools/node_modules" tests/js/node_modules
art="$root/.tools/bench/bitswap"
rm -rf "$art"; mkdir -p "$art"
echo "running BenchmarkDotNet (about 3 minutes; log: $art/dotnet.log)" >&2
dotnet run -c Release --project tests/LinqP2P.Benchmarks -- --filter '*BitswapThroughput*' \
  --exporters csv --artifacts "$art" > "$art/dotnet.log" 2>&1 || { tail -40 "$art/dotnet.log"; exit 1; }
python3 - "$(ls "$art"/results/*BitswapThroughput*-report.csv)" <<'PY'
import csv, sys
scale = {"s": 1, "ms": 1e-3, "μs": 1e-6, "us": 1e-6}
rate = {}
for row in csv.DictReader(open(sys.argv[1])):
    if row["Median"] in ("NA", ""):
        sys.exit(f"{row['Direction']} window {row['YamuxWindowKiB']} KiB failed: see the log")
    value, unit = row["Median"].replace(",", "").split()
    rate[(row["Direction"], int(row["YamuxWindowKiB"]))] = 64 * 1024 * 1024 / 1e6 / (float(value) * scale[unit])
print(f"{'provider -> C# requester':28} {'256 KiB window':>15} {'16 MiB window':>15}")
for d in ("C#->C#", "Helia->C#"):
    print(f"{d:28} {rate[(d, 256)]:10.1f} MB/s {rate[(d, 16384)]:10.1f} MB/s")
for w in (256, 16384):
    print(f"ratio C#->C# / Helia->C# ({w} KiB window): {rate[('C#->C#', w)] / rate[('Helia->C#', w)]:.2f}")
print(f"goal C#->C# >= 200 MB/s: {'met' if max(rate[('C#->C#', 256)], rate[('C#->C#', 16384)]) >= 200 else 'not met'}")
PY
