#!/usr/bin/env bash
# The local multi-node testnet (SPEC.md §4):
#   scripts/testnet.sh up [N]   start anvil, deploy the contracts, fund and stake N node wallets (default 3)
#   scripts/testnet.sh status   show the devnet, its head block and the node stakes
#   scripts/testnet.sh down     stop exactly the anvil `up` started (safe to run twice)
# State goes to testnet/run/ (git-ignored). LINQ_DEVNET_PORT overrides anvil's port (default 8545, 0 = any free).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/.tools/bin:$PATH"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

usage() { echo "usage: scripts/testnet.sh up [N] | status | down" >&2; exit 2; }
[ $# -ge 1 ] || usage

linq_dll="$root/src/LinqP2P.Cli/bin/Debug/net10.0/linq.dll"
build() { dotnet build src/LinqP2P.Cli --nologo -v q -clp:ErrorsOnly >/dev/null; }
linq() { dotnet "$linq_dll" "$@"; }

case "$1" in
  up)
    nodes="${2:-3}"
    [[ "$nodes" =~ ^[0-9]+$ ]] || usage
    build
    linq devnet up --nodes "$nodes" --port "${LINQ_DEVNET_PORT:-8545}" --dir testnet/run
    ;;
  status)
    [ -f "$linq_dll" ] || build
    linq devnet status --dir testnet/run
    ;;
  down)
    [ -f "$linq_dll" ] || build
    linq devnet down --dir testnet/run
    ;;
  *) usage ;;
esac
