#!/usr/bin/env bash
# Speed-up from 1 to K shards (default 4) of one synthetic data job, each shard a worker container run
# the way a provider runs it (no network, read-only rootfs, uid 65534, no capabilities, 1 CPU each), all
# shards of a run started at once on this docker host. Both runs are measured in the same invocation and
# their joined bytes are compared (the dataset must not depend on the shard count).
# Usage: scripts/bench-synth-shards.sh [ROWS] [K]        (KIND=network|transactions|sensor, REPEAT=3)
# The testnet variant (shards on separate provider nodes) needs the market engine: not measured here.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-2000000}"
k="${2:-4}"
kind="${KIND:-network}"
repeat="${REPEAT:-3}"
image="$(scripts/build-synth-image.sh 2>/dev/null | tail -n1)"
case "$kind" in
  network)      spec="{\"kind\":\"network\",\"seed\":1,\"network\":{\"rows\":$rows,\"days\":365}}" ;;
  transactions) spec="{\"kind\":\"transactions\",\"seed\":1,\"transactions\":{\"rows\":$rows,\"days\":30}}" ;;
  sensor)       spec="{\"kind\":\"sensor\",\"seed\":1,\"sensor\":{\"sensors\":10,\"steps\":$((rows / 10))}}" ;;
  *) echo "bench-synth-shards: KIND must be network, transactions or sensor" >&2; exit 2 ;;
esac
work="$(mktemp -d)"
ids=()
cleanup() { [ ${#ids[@]} -eq 0 ] || docker rm -f "${ids[@]}" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

# run SHARDS TAG: starts every shard at once, waits for all, prints wall seconds; outputs in $work/TAG/shard-i
run() {
  local shards="$1" tag="$2" i start end
  ids=()
  for ((i = 0; i < shards; i++)); do
    mkdir -p "$work/$tag/shard-$i" && chmod 777 "$work/$tag/shard-$i"
  done
  start=$(date +%s.%N)
  for ((i = 0; i < shards; i++)); do
    ids+=("$(docker run -d --network none --read-only --cap-drop ALL --security-opt no-new-privileges \
      --user 65534:65534 --pids-limit 256 --memory 1g --memory-swap 1g --cpus 1 \
      --tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m -v "$work/$tag/shard-$i:/linq/out" \
      -e LINQ_JOB_ID=bench -e LINQ_SHARD_INDEX="$i" -e LINQ_SHARD_COUNT="$shards" -e SYNTH_SPEC="$spec" "$image")")
  done
  for id in "${ids[@]}"; do
    code="$(docker wait "$id")"
    [ "$code" = 0 ] || { docker logs "$id" >&2; echo "bench-synth-shards: a shard exited $code" >&2; exit 1; }
  done
  end=$(date +%s.%N)
  docker rm "${ids[@]}" >/dev/null
  ids=()
  echo "$end - $start" | bc -l
}

# joined SHARDS TAG: SHA-256 of the shards' CSVs joined in order (one header)
joined() {
  local shards="$1" tag="$2" i
  { for ((i = 0; i < shards; i++)); do
      f=$(ls "$work/$tag/shard-$i"/part-*.csv)
      if [ "$i" = 0 ]; then cat "$f"; else tail -n +2 "$f"; fi
    done; } | sha256sum | cut -d' ' -f1
}

load="$(cut -d' ' -f1-3 /proc/loadavg)"
best1=""; bestk=""
for ((r = 1; r <= repeat; r++)); do
  t1=$(run 1 "one-$r"); tk=$(run "$k" "k-$r")
  [ "$(joined 1 "one-$r")" = "$(joined "$k" "k-$r")" ] || { echo "bench-synth-shards: 1-shard and $k-shard datasets differ" >&2; exit 1; }
  printf 'run %d: 1 shard %.2f s, %d shards %.2f s\n' "$r" "$t1" "$k" "$tk"
  best1=$(printf '%s\n' $best1 "$t1" | sort -g | head -n1); bestk=$(printf '%s\n' $bestk "$tk" | sort -g | head -n1)
  rm -rf "$work/one-$r" "$work/k-$r"
done
cores=$(nproc)
printf 'load average before the runs: %s\n' "$load"
printf '%s, %d rows, image %s, %d cores on this host\n' "$kind" "$rows" "$image" "$cores"
printf '1 shard : %.2f s (%.2f M rows/s)\n' "$best1" "$(echo "$rows / $best1 / 1000000" | bc -l)"
printf '%d shards: %.2f s (%.2f M rows/s)\n' "$k" "$bestk" "$(echo "$rows / $bestk / 1000000" | bc -l)"
printf 'speed-up: %.2fx (ideal %dx with %d free cores; joined bytes identical)\n' "$(echo "$best1 / $bestk" | bc -l)" "$([ "$k" -lt "$cores" ] && echo "$k" || echo "$cores")" "$cores"
