#!/usr/bin/env bash
# Builds the synthetic data worker image (SPEC.md §9.9) from this repository's own code:
#   linq/synth-worker:<version>          (version = the shard spec format, "1")
#   linq/synth-worker:<version>-<hash12> (the same image, pinned to its inputs)
# `dotnet publish` makes a self-contained linux-x64 folder; the rootfs holds it under /app plus only the
# shared libraries it links (found with ldd), /etc/passwd with nobody, /tmp and /linq/{in,out}; then
# `docker import` (no registry, no base image). Idempotent: the image carries the hash of its inputs
# (sources of Core, Synth and the worker, the package versions, this recipe) and nothing is rebuilt
# when that hash is current. Prints the image reference on the last line.
# Env: LINQ_SYNTH_IMAGE (default linq/synth-worker), LINQ_SYNTH_IMAGE_FORCE=1 to rebuild.
# `--save FILE` also writes the image as a `docker save` tarball, for providers that do not have it:
# `linq ipfs add FILE` gives the CID to request with `linq synth ... --image ipfs://CID`.
set -euo pipefail
save=""
if [ "${1:-}" = "--save" ]; then
  save="${2:?build-synth-image: --save needs a file name}"
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
name="${LINQ_SYNTH_IMAGE:-linq/synth-worker}"
version=1
recipe=2   # bump when the rootfs layout below changes

command -v docker >/dev/null || { echo "build-synth-image: docker CLI missing: run scripts/setup.sh" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "build-synth-image: dockerd does not answer: start it (scripts/setup.sh)" >&2; exit 1; }

hash="$(
  cd "$root"
  {
    find src/LinqP2P.Core src/LinqP2P.Synth src/LinqP2P.Synth.Worker -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.json' \) \
      -not -path '*/bin/*' -not -path '*/obj/*' -print0 | sort -z | xargs -0 sha256sum
    sha256sum Directory.Build.props Directory.Packages.props global.json
    echo "recipe $recipe version $version"
  } | sha256sum | cut -d' ' -f1
)"
image="$name:$version"
pinned="$name:$version-${hash:0:12}"
current="$(docker image inspect --format '{{ index .Config.Labels "org.linqp2p.content-hash" }}' "$pinned" 2>/dev/null || true)"
if [ "$current" = "$hash" ] && [ "${LINQ_SYNTH_IMAGE_FORCE:-0}" != 1 ]; then
  docker tag "$pinned" "$image"
  echo "$pinned is up to date" >&2
  [ -z "$save" ] || { docker save "$image" -o "$save"; echo "saved $image to $save" >&2; }
  echo "$image"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "build-synth-image: publishing the worker (self-contained, linux-x64)..." >&2
dotnet publish "$root/src/LinqP2P.Synth.Worker/LinqP2P.Synth.Worker.csproj" -c Release -r linux-x64 --self-contained true \
  -p:PublishSingleFile=false -p:DebugType=none -p:GenerateDocumentationFile=false -o "$work/app" -nologo -v quiet >&2

rootfs="$work/rootfs"
mkdir -p "$rootfs"/{app,tmp,etc,proc,sys,dev,linq/in,linq/out}
cp -a "$work/app/." "$rootfs/app/"
# Every shared library the apphost and the native parts link, at the path the loader expects.
libs="$( { ldd "$work/app/linq-synth-worker"; find "$work/app" -name '*.so' -exec ldd {} \; ; } 2>/dev/null \
  | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}' | sort -u)"
for lib in $libs; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
# OpenSSL is dlopen'ed by .NET for SHA-256 (ldd cannot see it): copy libssl/libcrypto 3 and what they link.
for so in $(ldconfig -p | awk '/(libssl|libcrypto)\.so\.3 .*x86-64/{print $NF}' | sort -u); do
  for lib in "$so" $(ldd "$so" | awk '/=> \//{print $3}'); do
    mkdir -p "$rootfs$(dirname "$lib")"
    [ -e "$rootfs$lib" ] || cp -L "$lib" "$rootfs$lib"
  done
done
# The dynamic loader's own path (a symlink on merged-/usr systems).
for ld in /lib64/ld-linux-x86-64.so.2; do
  mkdir -p "$rootfs$(dirname "$ld")"
  [ -e "$rootfs$ld" ] || cp -L "$ld" "$rootfs$ld"
done
printf 'root:x:0:0:root:/root:/nonexistent\nnobody:x:65534:65534:nobody:/nonexistent:/nonexistent\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
chmod 1777 "$rootfs/tmp"
chmod -R a+rX "$rootfs"

tar --sort=name --mtime='2026-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner -C "$rootfs" -c . |
  docker import \
    --change "LABEL org.linqp2p.content-hash=$hash" \
    --change "LABEL org.linqp2p.synth-shard-format=linq-synth-shard/$version" \
    --change 'ENV PATH=/app DOTNET_gcServer=0 DOTNET_EnableDiagnostics=0 DOTNET_CLI_TELEMETRY_OPTOUT=1' \
    --change 'WORKDIR /tmp' \
    --change 'ENTRYPOINT ["/app/linq-synth-worker"]' \
    - "$pinned" >/dev/null
docker tag "$pinned" "$image"
echo "built $pinned ($(du -sh "$rootfs" | cut -f1))" >&2
[ -z "$save" ] || { docker save "$image" -o "$save"; echo "saved $image to $save" >&2; }
echo "$image"
