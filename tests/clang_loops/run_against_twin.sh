#!/usr/bin/env bash
# run_against_twin.sh SBPF DATAGEN SOURCE.c
#
# Compiles a λ function to BPF and to its native twin, then runs the BPF on
# every engine (the interpreter, the JIT) with each verifier option (the
# verifier's annotations, --prove's, everything checked) over inputs of
# several sizes, and fails unless each output equals the twin's byte for
# byte.
set -euo pipefail
sbpf=$1 datagen=$2 source=$3
name=$(basename "$source" .c)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$sbpf" compile "$source" -o "$work/$name.o"
"$sbpf" compile --native "$source" -o "$work/$name.so"
variants=("--engine interp" "--engine interp --no-verify")
if [ "$(uname -m)" = x86_64 ]; then variants+=("--engine jit" "--engine jit --no-verify"); fi
# --prove verifies with Z3 on every run (about a second per guard): its
# variants run on the largest input only.
proved=("--engine interp --prove")
if [ "$(uname -m)" = x86_64 ]; then proved+=("--engine jit --prove"); fi

# Runs the BPF object with each option set in turn over $work/in; fails
# unless every output equals the native twin's.
check() {
  local label=$1 variant
  shift
  "$sbpf" run "$work/$name.so" --input "$work/in" --out "$work/native" > /dev/null
  for variant in "$@"; do
    # shellcheck disable=SC2086 # a variant is several words
    "$sbpf" run "$work/$name.o" $variant --input "$work/in" --out "$work/bpf" > /dev/null
    if ! cmp -s "$work/bpf" "$work/native"; then
      echo "FAIL $name, $label, $variant: the output differs from the native twin's"
      cmp -l "$work/bpf" "$work/native" | head -5 || true
      exit 1
    fi
  done
  echo "ok   $name, $label: $* equal to the native twin"
}

# Text rows (repeated bytes, runs) and binary rows (anything), at sizes that
# are empty, ragged, and many rows long.
for kind in grep knn; do
  for size in 0 777 4100 70000; do
    "$datagen" "$kind" --size "$size" --seed 7 -o "$work/in"
    check "$kind data, $size bytes" "${variants[@]}"
  done
done
check "knn data, 70000 bytes" "${proved[@]}"
