#!/usr/bin/env bash
# Builds the local test images the execution tests run (no registry is reachable here):
#   linq-test/busybox:1  a rootfs of Debian's busybox-static with applet symlinks, no shell config.
# Idempotent: the image carries a label with the hash of its inputs (the busybox binary, the applet
# list and this script's recipe version) and is rebuilt only when that hash differs.
set -euo pipefail

image="${LINQ_TEST_IMAGE:-linq-test/busybox:1}"
busybox="${BUSYBOX:-/bin/busybox}"
recipe=2   # bump when the rootfs layout below changes
applets=(sh ash echo cat sleep sha256sum yes dd head tail ls id env printf wc tr mkdir rm ln
         touch wget nc ip ifconfig grep sed awk seq true false test kill ps cut sort uname stat
         readlink find cp mv chmod xargs tee df mount)

[ -x "$busybox" ] || { echo "build-test-images: $busybox is missing: apt-get install busybox-static" >&2; exit 1; }
command -v docker >/dev/null || { echo "build-test-images: docker CLI missing: run scripts/setup.sh" >&2; exit 1; }

hash="$( { sha256sum "$busybox" | cut -d' ' -f1; echo "$recipe ${applets[*]}"; } | sha256sum | cut -d' ' -f1)"
current="$(docker image inspect --format '{{ index .Config.Labels "org.linqp2p.content-hash" }}' "$image" 2>/dev/null || true)"
if [ "$current" = "$hash" ]; then
  echo "$image is up to date ($hash)"
  exit 0
fi

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{bin,tmp,etc,proc,sys,dev,linq/in,linq/out}
cp "$busybox" "$rootfs/bin/busybox"
for a in "${applets[@]}"; do ln -s busybox "$rootfs/bin/$a"; done
# nobody must exist for `id` to print names; the executor runs jobs as 65534:65534 regardless.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
chmod 1777 "$rootfs/tmp"

# Fixed mtimes make the tarball (and so the image id) depend on the content only.
tar --sort=name --mtime='2026-01-01 00:00:00Z' --owner=0 --group=0 --numeric-owner -C "$rootfs" -c . |
  docker import \
    --change "LABEL org.linqp2p.content-hash=$hash" \
    --change 'ENV PATH=/bin' \
    --change 'CMD ["/bin/sh"]' \
    - "$image" >/dev/null
echo "built $image ($hash)"
