#!/usr/bin/env bash
# Builds a small "busybox" OCI image and imports it into a Skiff node's image store.
#
# Where the image comes from: NOT from Docker Hub. Its only layer holds the statically linked
# /bin/busybox of this machine's Debian package `busybox-static` (installed by
# scripts/install-deps.sh), one symlink per applet that binary lists, and a minimal /etc
# (passwd, group, hosts skeleton). It is named docker.io/library/busybox:latest (and
# :<busybox version>) so that pod specs saying `image: busybox` run it without any registry;
# the image config records its origin in its history and labels. The layer, config and manifest
# are written by hand below (tar, gzip, sha256sum): no other tool and no network is involved,
# and the result is reproducible for a given busybox-static version.
#
# Usage: scripts/make-busybox-image.sh [--data-dir DIR] [--output FILE] [--name REF]...
#                                       [--no-import] [--examples] [--if-missing]
#   --data-dir DIR  the node data directory to import into (default: skiff's default)
#   --output FILE   where to write the OCI archive (default: a temporary file, removed after)
#   --name REF      names to import it under (repeatable; default busybox:latest and
#                   busybox:<version>)
#   --examples      also name it busybox:1.36 and busybox:1.37, the tags examples/ and the
#                   tutorial use (the content stays this Debian build whatever the tag says)
#   --if-missing    do nothing when every name is already in the store
#   --no-import     only write the archive (needs --output)
# SKIFF_BIN selects the skiff binary (default: build/dev/cmd/skiff/skiff, else `skiff`).
set -euo pipefail

data_dir=""
output=""
names=()
import=1
examples=0
if_missing=0
while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) data_dir="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --name) names+=("$2"); shift 2 ;;
    --no-import) import=0; shift ;;
    --examples) examples=1; shift ;;
    --if-missing) if_missing=1; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "make-busybox-image: unknown argument $1" >&2; exit 2 ;;
  esac
done

busybox=/bin/busybox
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
  echo "make-busybox-image: Debian's busybox-static is not installed (scripts/install-deps.sh)" >&2
  exit 1
fi
deb_version=$(dpkg-query -W -f='${Version}' busybox-static)
version=$(echo "$deb_version" | sed -e 's/^[0-9]*://' -e 's/-.*//')  # 1:1.35.0-4+b1 -> 1.35.0
[ ${#names[@]} -gt 0 ] || names=("busybox:latest" "busybox:$version")
[ "$examples" = 0 ] || names+=("busybox:1.36" "busybox:1.37")
if [ "$import" = 0 ] && [ -z "$output" ]; then
  echo "make-busybox-image: --no-import needs --output" >&2
  exit 2
fi

skiff="${SKIFF_BIN:-}"
if [ -z "$skiff" ]; then
  here=$(cd "$(dirname "$0")/.." && pwd)
  if [ -x "$here/build/dev/cmd/skiff/skiff" ]; then skiff="$here/build/dev/cmd/skiff/skiff"; else skiff=skiff; fi
fi
if [ "$if_missing" = 1 ] && [ "$import" = 1 ]; then
  have=$("$skiff" image ${data_dir:+--data-dir "$data_dir"} ls 2>/dev/null | awk 'NR>1 {print $1":"$2}')
  missing=0
  for name in "${names[@]}"; do
    case "$name" in */*) full="$name" ;; *) full="docker.io/library/$name" ;; esac
    grep -qxF "$full" <<<"$have" || missing=1
  done
  [ "$missing" = 1 ] || exit 0
fi

case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac
# Reproducible: every timestamp is the packaged binary's.
epoch=$(stat -c %Y "$busybox")
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,proc,sys,dev,run,var/log,tmp}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
install -m 0755 "$busybox" "$root/bin/busybox"
# One symlink per applet, where the binary itself says the applet lives (perl, from Debian's
# essential perl-base, makes them all in one process).
"$busybox" --list-full | grep -v '^bin/busybox$' | sed "s|^|$root/|" |
  perl -ne 'chomp; symlink("/bin/busybox", $_) or die "symlink $_: $!\n"'
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
nogroup:x:65534:
GROUP
printf '127.0.0.1\tlocalhost\n' >"$root/etc/hosts"
find "$root" -exec touch -h -d "@$epoch" {} +

layout="$work/layout"
mkdir -p "$layout/blobs/sha256"
put_blob() {  # FILE -> prints its digest hex, stores it in the layout
  local hex
  hex=$(sha256sum "$1" | cut -d' ' -f1)
  mv "$1" "$layout/blobs/sha256/$hex"
  echo "$hex"
}
size_of() { stat -c %s "$layout/blobs/sha256/$1"; }

tar --sort=name --numeric-owner --owner=0 --group=0 --mtime="@$epoch" --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -C "$root" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -9 "$work/layer.tar"
layer=$(put_blob "$work/layer.tar.gz")

cat >"$work/config.json" <<CONFIG
{"architecture":"$arch","os":"linux","created":"$created",
"config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],
"Labels":{"org.opencontainers.image.title":"busybox","org.opencontainers.image.version":"$version",
"org.opencontainers.image.description":"Debian busybox-static $deb_version on a minimal root, built by Skiff's scripts/make-busybox-image.sh (not the Docker Hub image)"}},
"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
"history":[{"created":"$created","created_by":"scripts/make-busybox-image.sh: /bin/busybox from Debian busybox-static $deb_version, applet symlinks, minimal /etc"}]}
CONFIG
config=$(put_blob "$work/config.json")

cat >"$work/manifest.json" <<MANIFEST
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config","size":$(size_of "$config")},
"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:$layer","size":$(size_of "$layer")}]}
MANIFEST
manifest=$(put_blob "$work/manifest.json")

cat >"$layout/index.json" <<INDEX
{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",
"digest":"sha256:$manifest","size":$(size_of "$manifest"),
"annotations":{"org.opencontainers.image.ref.name":"${names[0]}"}}]}
INDEX
echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

archive="${output:-$work/busybox-oci.tar}"
tar --sort=name --numeric-owner --owner=0 --group=0 --mtime="@$epoch" -C "$layout" \
  -cf "$archive" oci-layout index.json blobs
echo "make-busybox-image: busybox $version (Debian $deb_version), manifest sha256:$manifest, layer $(size_of "$layer") bytes${output:+ -> $output}"

[ "$import" = 1 ] || exit 0
for name in "${names[@]}"; do
  "$skiff" image ${data_dir:+--data-dir "$data_dir"} import --name "$name" "$archive"
done
