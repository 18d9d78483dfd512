#!/usr/bin/env bash
# Installs every build and test dependency of sbpf from Debian 12 packages.
# Packages already present are skipped, so a second run costs one dpkg query.
set -euo pipefail

packages=(
  cmake make g++ pkg-config
  clang-19 llvm-19-dev llvm-19-tools lld-19 libclang-rt-19-dev libzstd-dev
  libbpf-dev libelf-dev zlib1g-dev
  nlohmann-json3-dev libz3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  liburing-dev
  qemu-user g++-aarch64-linux-gnu googletest
  csmith libcsmith-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
