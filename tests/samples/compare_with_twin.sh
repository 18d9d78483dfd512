#!/usr/bin/env bash
# compare_with_twin.sh SBPF DATAGEN SAMPLES_DIR NAME SIZE...
#
# For each SIZE: generates NAME's data (seed 1), runs the BPF object with the
# interpreter and with the JIT (where the host has one), and the native twin,
# through the same λ runtime, and fails unless the outputs are byte-identical.
# Then the same through the λ API on the device model, on the host, on the
# device and in auto mode (a window of two requests, the first profiled on
# both sides), equal to the twin's too.
set -euo pipefail
sbpf=$1 datagen=$2 samples=$3 name=$4
shift 4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
engines=(interp)
if [ "$(uname -m)" = x86_64 ]; then engines+=(jit); fi
# check WHAT ARGS...: runs `sbpf run ARGS --input IN --out OUT` and fails
# unless OUT equals the native twin's output.
check() {
  local what=$1
  shift
  "$sbpf" run "$@" --input "$work/in" --out "$work/bpf" > "$work/bpf.summary"
  if ! cmp -s "$work/bpf" "$work/native"; then
    echo "FAIL $name, $size input bytes: the output with $what differs from the native twin's"
    cmp "$work/bpf" "$work/native" || true
    exit 1
  fi
  echo "ok   $name, $size input bytes, $what: $(tail -n 1 "$work/bpf.summary"), equal to the native twin's"
}
for size in "$@"; do
  "$datagen" "$name" --size "$size" --seed 1 -o "$work/in"
  "$sbpf" run "$samples/lambda/$name.so" --input "$work/in" --out "$work/native" > /dev/null
  for engine in "${engines[@]}"; do
    check "--engine $engine" "$samples/lambda/$name.o" --engine "$engine"
  done
  for on in host device auto; do
    check "--on $on" "$samples/lambda/$name.o" --on "$on" --interval 2 --samples 1
  done
done
