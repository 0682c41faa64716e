#!/usr/bin/env bash
# Gossipsub propagation on loopback, C# against js-libp2p measured in the same run:
#   1. C#: 50 Libp2pHost + GossipsubService nodes in one process over TCP + Noise + Yamux (BenchmarkDotNet
#      GossipsubTcpMesh; mean = time until the last of 49 nodes has the message; p50/p99 per delivery),
#   2. js: 50 @libp2p/gossipsub 17 nodes in one Node process, same topology rule (ring + random, degree 8),
#   3. C# in-process routers with no sockets (GossipsubPropagation): CPU cost only, labelled as such.
# Usage: scripts/bench-gossipsub.sh [nodes=50] [js-messages=200]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
nodes="${1:-50}"
messages="${2:-200}"
out="$(mktemp -d)"

echo "==> C# (TCP loopback, $nodes nodes) and C# in-process routers"
dotnet run -c Release --project tests/LinqP2P.Benchmarks -- --filter '*GossipsubTcpMesh*' '*GossipsubPropagation*' \
  --artifacts "$out/bdn" | tee "$out/cs.txt" | grep -E '^// gossipsub|^\|' || true

echo "==> js-libp2p @libp2p/gossipsub 17 (TCP loopback, $nodes nodes, $messages messages at 20/s)"
(cd tests/js && "$root/.tools/bin/node" gossipsub-bench.mjs --nodes "$nodes" --degree 8 --messages "$messages" --rate 20) | tee "$out/js.txt"

cs_line="$(grep -E '^// gossipsub tcp N=[0-9]+:' "$out/cs.txt" | tail -1 || true)"
js_line="$(tail -1 "$out/js.txt")"
cs_p50="$(sed -E 's/.* p50=([0-9.]+) ms.*/\1/' <<<"$cs_line")"
cs_p99="$(sed -E 's/.* p99=([0-9.]+) ms.*/\1/' <<<"$cs_line")"
js_p50="$(sed -E 's/.*"p50Ms":([0-9.]+).*/\1/' <<<"$js_line")"
js_p99="$(sed -E 's/.*"p99Ms":([0-9.]+).*/\1/' <<<"$js_line")"
echo
echo "gossipsub $nodes-node loopback mesh: C# p50 ${cs_p50} ms p99 ${cs_p99} ms | js p50 ${js_p50} ms p99 ${js_p99} ms"
awk -v a="$cs_p99" -v b="$js_p99" 'BEGIN { if (a > 0) printf "p99 ratio js/C# = %.2f\n", b / a }'
