#!/usr/bin/env bash
# The main job on the embedded default: a local devnet. (Grows with each issue; see README.md.)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh
export PATH="$root/.tools/bin:$PATH"
dotnet run --project src/LinqP2P.Cli -- version
