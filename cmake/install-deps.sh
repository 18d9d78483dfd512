#!/usr/bin/env bash
# Installs every build and test dependency of sbpf from Debian 12 packages.
# Packages already present are skipped, so a second run costs one dpkg query.
#
#   install-deps.sh --device-bench DIR
#
# also unpacks Debian's arm64 Google Benchmark into DIR for the device
# build's benchmark (make bench-device). It is unpacked, not installed:
# installing it would install libc6:arm64 beside the cross toolchain's own C
# library, and qemu-user's programs could then load one's loader with the
# other's libc.
set -euo pipefail

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

device_bench_dir=""
if [ "${1:-}" = "--device-bench" ]; then
  if [ -z "${2:-}" ]; then echo "usage: install-deps.sh [--device-bench DIR]" >&2; exit 2; fi
  device_bench_dir=$2
fi

unpack_device_bench() {
  local dir=$1
  if [ -e "$dir/usr/lib/aarch64-linux-gnu/libbenchmark.so" ]; then return; fi
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -qq
  fi
  mkdir -p "$dir/debs"
  (cd "$dir/debs" && apt-get download -qq libbenchmark-dev:arm64 libbenchmark1debian:arm64)
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir"; done
  echo "install-deps: Google Benchmark for arm64 unpacked in $dir"
}

packages=(
  cmake make g++ pkg-config
  clang-19 llvm-19-dev llvm-19-tools lld-19 libclang-rt-19-dev libzstd-dev
  libbpf-dev libelf-dev zlib1g-dev
  nlohmann-json3-dev libz3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  liburing-dev
  qemu-user g++-aarch64-linux-gnu googletest
  csmith libcsmith-dev
  gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ -n "$device_bench_dir" ]; then unpack_device_bench "$device_bench_dir"; fi
