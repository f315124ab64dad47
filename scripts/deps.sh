#!/usr/bin/env bash
# Installs every Debian 12 package Stela needs to build, run and test. Idempotent: it calls
# apt-get only when a package is missing, so a second run takes a second.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build ccache pkg-config git
  # libraries (DESIGN.md section 1)
  libicu-dev libstemmer-dev libcld2-dev librocksdb-dev libroaring-dev libsimdjson-dev libzstd-dev
  libboost-dev zlib1g-dev libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  # the quick start (scripts/run.sh)
  python3 curl
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev snowball-data
  # fuzzing (libFuzzer comes with clang's runtime)
  clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The client tests (tests/api/node) need Node.js 18+ and npm: Debian's, unless the machine already
# has both (a NodeSource nodejs package carries its own npm and conflicts with Debian's).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "deps: installing ${missing[*]}" >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
