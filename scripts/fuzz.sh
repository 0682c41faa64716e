#!/usr/bin/env bash
# Runs one fuzz target of tests/LinqP2P.Fuzz (see FuzzTargets.cs) under AFL++ with SharpFuzz.
#   scripts/fuzz.sh TARGET [SECONDS]      e.g. scripts/fuzz.sh p2p-yamux 300
# Needs: afl-fuzz (Debian package afl++) and the SharpFuzz.CommandLine dotnet tool (`sharpfuzz`).
# Findings land in .tools/fuzz/TARGET/out; crashes are in out/default/crashes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}"
seconds="${2:-60}"

command -v afl-fuzz >/dev/null || { echo "afl-fuzz is missing: apt-get install afl++" >&2; exit 2; }
command -v sharpfuzz >/dev/null || [ -x "$HOME/.dotnet/tools/sharpfuzz" ] || {
  echo "sharpfuzz is missing: dotnet tool install --global SharpFuzz.CommandLine" >&2; exit 2; }
sharpfuzz="$(command -v sharpfuzz || echo "$HOME/.dotnet/tools/sharpfuzz")"

work="$root/.tools/fuzz/$target"
out="$work/bin"
mkdir -p "$work/in" "$work/out"
# A fresh output folder: sharpfuzz refuses to instrument an assembly twice.
rm -rf "$out"
dotnet publish "$root/tests/LinqP2P.Fuzz" -c Release -o "$out" --nologo -v q
# Instrument the assemblies under test (not the harness or the framework).
for dll in LinqP2P.Libp2p.dll LinqP2P.Multiformats.dll LinqP2P.Ipfs.dll LinqP2P.Ipfs.Bitswap.dll LinqP2P.Ipfs.Http.dll \
  LinqP2P.Artifacts.dll LinqP2P.Mesh.dll LinqP2P.Market.dll LinqP2P.Synth.Jobs.dll; do
  [ -f "$out/$dll" ] || continue
  "$sharpfuzz" "$out/$dll"
done
# A few seeds so AFL starts from valid shapes.
[ -n "$(ls -A "$work/in")" ] || {
  printf '\x13/multistream/1.0.0\n' > "$work/in/multistream"
  printf '\x00\x01\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00' > "$work/in/yamux"
  printf '\x04\x7f\x00\x00\x01\x06\x0f\xa1' > "$work/in/multiaddr"
  printf '\x08\x01\x12\x20aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' > "$work/in/key"
  # Bitswap: a want-have (send-dont-have) for a raw CIDv1 plus one payload block with its prefix.
  printf '\x0a\x2e\x0a\x2c\x0a\x24\x01\x55\x12\x20aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\x10\x01\x20\x01\x28\x01\x1a\x0b\x0a\x04\x01\x55\x12\x20\x12\x03abc' > "$work/in/bitswap"
  printf '\x01\x05job-1\x00\x00\x00\x01\x1b\x59' > "$work/in/mesh-header"
}
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1
exec afl-fuzz -V "$seconds" -i "$work/in" -o "$work/out" -t 5000 -m none \
  -- dotnet "$out/LinqP2P.Fuzz.dll" "$target"
