#!/usr/bin/env bash
# Sampling throughput and fit time of the Gaussian-copula table (10 numeric + 5 categorical columns),
# LinqP2P (BenchmarkDotNet, one core) against the NumPy/SciPy peer on the same sample in the same run.
# Usage: scripts/bench-synth.sh            (prints the figures and their ratio)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
# Pin everything to one core so "per core" means one core for both sides.
cpu=${BENCH_CPU:-0}
taskset -c "$cpu" dotnet run -c Release --project tests/LinqP2P.Benchmarks -- \
  --filter '*SynthSamplingBenchmarks*' --job short --exporters json --artifacts "$out" >"$out/bdn.log"
report=$(ls "$out"/results/*SynthSamplingBenchmarks*-report-full-compressed.json)
peer=$(OPENBLAS_NUM_THREADS=1 taskset -c "$cpu" /usr/bin/python3 scripts/bench-synth-peer.py "${TMPDIR:-/tmp}/linq-synth-bench-sample.csv")
/usr/bin/python3 - "$report" "$peer" <<'PY'
import json, sys
report = json.load(open(sys.argv[1])); peer = json.loads(sys.argv[2])
stats = {b["Method"]: b["Statistics"] for b in report["Benchmarks"]}
ns_per_row = stats["SampleRow"]["Median"]
fit_ms = stats["Fit"]["Median"] / 1e6
rows = 1e9 / ns_per_row
print(f"LinqP2P sampling : {rows/1e6:.2f} M rows/s/core ({ns_per_row:.0f} ns/row)")
print(f"NumPy peer       : {peer['rows_per_second']/1e6:.2f} M rows/s/core (numpy {peer['numpy']})")
print(f"ratio            : {rows/peer['rows_per_second']:.2f}x the peer")
print(f"fit (1,000 rows) : LinqP2P {fit_ms:.1f} ms, peer {peer['fit_seconds']*1e3:.1f} ms, ratio {peer['fit_seconds']*1e3/fit_ms:.2f}x faster")
PY
