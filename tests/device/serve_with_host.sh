#!/usr/bin/env bash
# serve_with_host.sh HOST_BUILD DEVICE_SBPF NAME SIZE...
#
# The device as its own process: the host's `sbpf run --on device|auto
# --device qemu` starts the device's sbpf (DEVICE_SBPF: the emulator and the
# device build's sbpf) as `sbpf device serve`, downloads λ sample NAME's
# image to it and runs the input through its arm64 JIT. For each SIZE, the
# output and the report (the model's time, the link's bytes) must equal, byte
# for byte, those of the same run with the device in the host's process.
set -euo pipefail
host=$1 device_sbpf=$2 name=$3
shift 3
host_sbpf=$host/tools/sbpf
datagen=$host/samples/sbpf-datagen
image=$host/samples/lambda/$name.img
for f in "$host_sbpf" "$datagen" "$image"; do
  if [ ! -e "$f" ]; then
    echo "FAIL $f is missing: build the host's sbpf and samples first (make device does)"
    exit 1
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for size in "$@"; do
  "$datagen" "$name" --size "$size" --seed 1 -o "$work/in"
  for on in device auto; do
    run=("$host_sbpf" run "$image" --input "$work/in" --on "$on" --interval 2 --samples 1 --cache-ratio 0)
    "${run[@]}" --out "$work/model.out" > "$work/model.txt"
    "${run[@]}" --device qemu --device-command "$device_sbpf" --out "$work/process.out" > "$work/process.txt"
    if ! cmp -s "$work/model.out" "$work/process.out" || ! cmp -s "$work/model.txt" "$work/process.txt"; then
      echo "FAIL $name, $size input bytes, --on $on: the device process differs from the device in-process"
      diff "$work/model.txt" "$work/process.txt" || true
      cmp "$work/model.out" "$work/process.out" || true
      exit 1
    fi
    echo "ok   $name, $size input bytes, --on $on through the device process: $(tail -n 1 "$work/process.txt")"
  done
done
