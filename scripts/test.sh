#!/usr/bin/env bash
# Every test of the project: set-up, Solidity (forge: unit, fuzz, invariant), .NET (unit, property,
# differential against cast, interop against js-libp2p/Helia, integration against anvil and dockerd),
# and the style check. Ends with one line "tests: N passed, N failed, N skipped".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/.tools/bin:$PATH"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

scripts/setup.sh

log="$(mktemp -d)"
passed=0; failed=0; skipped=0; status=0

if [ -d contracts/src ]; then
  echo; echo "==> forge test (contracts)"
  fuzz_runs="${FOUNDRY_FUZZ_RUNS:-}"
  [ -n "${CI:-}" ] && [ -z "$fuzz_runs" ] && export FOUNDRY_PROFILE=ci
  if (cd contracts && forge test) 2>&1 | tee "$log/forge.txt"; then :; else status=1; fi
  line="$(grep -E '^Ran [0-9]+ test suites' "$log/forge.txt" | tail -1 || true)"
  if [ -n "$line" ]; then
    p=$(sed -E 's/.*: ([0-9]+) tests passed.*/\1/' <<<"$line"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line"); s=$(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$line")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  else
    echo "forge printed no summary line"; status=1
  fi
fi

echo; echo "==> dotnet build"
dotnet build LinqP2P.sln --nologo -clp:ErrorsOnly 2>&1 | tee "$log/build.txt" || status=1

echo; echo "==> dotnet test"
if dotnet test LinqP2P.sln --no-build --nologo 2>&1 | tee "$log/test.txt"; then :; else status=1; fi
while read -r line; do
  f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$line"); p=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$line"); s=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$line")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
done < <(grep -E '(Passed|Failed)! +- Failed: ' "$log/test.txt" || true)

echo; echo "==> dotnet format --verify-no-changes"
dotnet format LinqP2P.sln --verify-no-changes --no-restore || { echo "style drift: run 'dotnet format LinqP2P.sln'"; status=1; }

echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
