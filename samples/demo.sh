#!/usr/bin/env bash
# `make demo`: the toolchain end to end on the bundled samples.
set -euo pipefail
sbpf=${1:-build/tools/sbpf}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$(dirname "$sbpf")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "assemble a sample" "$sbpf" asm "$root/samples/asm/sum_words.s" -o "$work/sum_words.bin"
step "disassemble it back" "$sbpf" disasm "$work/sum_words.bin"
# 1..8 as little-endian 64-bit words: the sum is 36.
mem=""
for i in 1 2 3 4 5 6 7 8; do mem+=$(printf '%02x00000000000000' "$i"); done
step "run it on 64 bytes of memory (expect 36)" "$sbpf" run "$work/sum_words.bin" --mem "$mem"

printf 'storage functions run next to the data.\n' > "$work/input.txt"
step "run a λ function over a file" "$sbpf" run "$root/samples/asm/lambda_upcase.s" --input "$work/input.txt" --out "$work/output.txt"
printf 'output: '; cat "$work/output.txt"

step "an out-of-bounds access is stopped with the pc (exit 1 expected)" \
  bash -c "printf 'ldxdw %%r0, [%%r1+8]\nexit\n' > '$work/oob.s' && '$sbpf' run '$work/oob.s' --mem 00 || echo \"exit code \$?\""

step "the bpf_conformance suite through the plugin contract" \
  "$build/tests/conformance/conformance_runner" --plugin "$sbpf" --plugin-arg conformance-plugin \
  --cpu v4 --groups default,callx "$root/../shared/conformance/tests"
