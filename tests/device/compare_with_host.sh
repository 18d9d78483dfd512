#!/usr/bin/env bash
# compare_with_host.sh HOST_BUILD DEVICE_SBPF KIND/NAME SIZE...
#
# A sample's image (made by the host build) on the device: the device's
# sbpf verifies it and disassembles it as the host does; for a λ sample, for
# each SIZE, it runs it on the data the host generates (seed 1) with every
# engine the device has, and fails unless the output equals, byte for byte,
# the sample's aarch64 twin run by the device's sbpf, which must itself equal
# the x86-64 twin's on the host. DEVICE_SBPF is a command (the emulator and
# the device's sbpf).
set -euo pipefail
host=$1 device_sbpf=$2 sample=$3
shift 3
host_sbpf=$host/tools/sbpf
datagen=$host/samples/sbpf-datagen
image=$host/samples/$sample.img
device_twin=$host/samples/$sample.aarch64.so
for f in "$host_sbpf" "$datagen" "$image" "$device_twin"; do
  if [ ! -e "$f" ]; then
    echo "FAIL $f is missing: build the host's sbpf and samples first (make device does)"
    exit 1
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The device verifies what the host verified, and reads the same program.
$device_sbpf verify "$image" > "$work/device.verify"
"$host_sbpf" verify "$image" > "$work/host.verify"
if ! diff <(sed 's/; [0-9.]* ms)$/)/' "$work/host.verify") <(sed 's/; [0-9.]* ms)$/)/' "$work/device.verify"); then
  echo "FAIL $sample: the device's verdict differs from the host's"
  exit 1
fi
$device_sbpf disasm --annotate "$image" > "$work/device.s"
"$host_sbpf" disasm --annotate "$image" > "$work/host.s"
if ! diff <(grep -v '^# ' "$work/host.s") <(grep -v '^# ' "$work/device.s"); then
  echo "FAIL $sample: the device disassembles the image differently"
  exit 1
fi
echo "ok   $sample: verified and disassembled as on the host: $(cat "$work/device.verify")"

# The engines the device has: the interpreter and the arm64 JIT.
engines=(interp jit)
name=${sample#*/}
for size in "$@"; do
  "$datagen" "$name" --size "$size" --seed 1 -o "$work/in"
  "$host_sbpf" run "$host/samples/$sample.so" --input "$work/in" --out "$work/host-twin" > /dev/null
  $device_sbpf run "$device_twin" --input "$work/in" --out "$work/native" > /dev/null
  if ! cmp -s "$work/native" "$work/host-twin"; then
    echo "FAIL $sample, $size input bytes: the aarch64 twin's output differs from the x86-64 twin's"
    cmp "$work/native" "$work/host-twin" || true
    exit 1
  fi
  for engine in "${engines[@]}"; do
    $device_sbpf run "$image" --engine "$engine" --input "$work/in" --out "$work/device" > "$work/summary"
    if ! cmp -s "$work/device" "$work/native"; then
      echo "FAIL $sample, $size input bytes: the device's output under --engine $engine differs from the aarch64 twin's"
      cmp "$work/device" "$work/native" || true
      exit 1
    fi
    echo "ok   $sample, $size input bytes, $engine: $(cat "$work/summary"), equal to the aarch64 twin's (and the x86-64 twin's)"
  done
done
