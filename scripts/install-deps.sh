#!/usr/bin/env bash
# Installs the Debian packages Skiff needs to build, test and run. Idempotent: quiet and fast
# when everything is already present. Nothing is fetched from anywhere but Debian's archive.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libabsl-dev libsqlite3-dev libssl-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
  libarchive-dev libjemalloc-dev zlib1g-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-kubernetes python3-yaml sqlite3 curl procps
  # Node agent: containers (runc), pod networks (CNI bridge/host-local/loopback), the busybox
  # image built from Debian's static busybox, skopeo + a local registry for pull tests.
  runc containernetworking-plugins iproute2 busybox-static skopeo docker-registry
  # Registry pulls: the system CA store; the pull tests make certificates with the openssl CLI
  # and bcrypt htpasswd entries with libcrypt.
  ca-certificates openssl libcrypt-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
