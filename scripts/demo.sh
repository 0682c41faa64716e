#!/usr/bin/env bash
# The main job on the embedded default: a local devnet. (Grows with each issue; see README.md.)
# Installs what is missing, brings up anvil with the settlement contracts deployed and three staked node
# wallets, prints the addresses, and leaves the devnet running.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
export PATH="$root/.tools/bin:$PATH"
dotnet run --project src/LinqP2P.Cli -- version

# A devnet left from an earlier demo is stopped first, so the demo always starts clean.
scripts/testnet.sh down >/dev/null 2>&1 || true
scripts/testnet.sh up "${LINQ_DEMO_NODES:-3}"

echo
echo "The devnet keeps running (manifest: testnet/run/devnet.json, log: testnet/run/anvil.log)."
echo "  status: scripts/testnet.sh status"
echo "  stop:   scripts/testnet.sh down"
