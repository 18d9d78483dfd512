#!/usr/bin/env bash
# `make demo`: the toolchain end to end on the bundled samples.
set -euo pipefail
sbpf=${1:-build/tools/sbpf}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$(dirname "$sbpf")/.." && pwd)
datagen=$build/samples/sbpf-datagen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }
# The first n 8-byte little-endian integers of a file, signed, one line.
int64s() { od -An -t d8 -v -N "$((8 * $2))" "$1" | tr -s ' \n' ' '; echo; }

step "compile a λ function written in C (samples/lambda/stats64.c) to BPF" \
  "$sbpf" compile "$root/samples/lambda/stats64.c" -o "$work/stats64.o"
step "and to its native twin, the reference" \
  "$sbpf" compile --native "$root/samples/lambda/stats64.c" -o "$work/stats64.so"
step "look at the bytecode, with the C source it came from" \
  bash -c "'$sbpf' disasm '$work/stats64.o' | head -n 16"

step "generate 5 MiB of int64 values (seed 1)" "$datagen" stats64 --size 5M -o "$work/stats.in"
step "run it over the file: one invocation per 2 MiB chunk" \
  "$sbpf" run "$work/stats64.o" --input "$work/stats.in" --out "$work/stats.bpf"
"$sbpf" run "$work/stats64.so" --input "$work/stats.in" --out "$work/stats.native" > /dev/null
echo "{max, min, sum} per chunk, BPF:    $(int64s "$work/stats.bpf" 9)"
echo "{max, min, sum} per chunk, native: $(int64s "$work/stats.native" 9)"

printf '\n== every λ sample over generated data, BPF (the engine `sbpf run` picks: the JIT on x86-64) next to its native twin\n'
printf '%-8s %10s %12s  %-24s %s\n' sample input output "first output bytes" "equal to native"
for name in stats32 knn grep bitmap filter extract; do
  "$datagen" "$name" --size 3M --seed 7 -o "$work/$name.in"
  "$sbpf" run "$build/samples/lambda/$name.o" --input "$work/$name.in" --out "$work/$name.bpf" > /dev/null
  "$sbpf" run "$build/samples/lambda/$name.so" --input "$work/$name.in" --out "$work/$name.native" > /dev/null
  equal=$(cmp -s "$work/$name.bpf" "$work/$name.native" && echo yes || echo "NO")
  printf '%-8s %10s %12s  %-24s %s\n' "$name" "$(stat -c %s "$work/$name.in")" "$(stat -c %s "$work/$name.bpf")" \
    "$(od -An -tx1 -N8 "$work/$name.bpf" | tr -d ' \n')" "$equal"
  [ "$equal" = yes ]
done

printf '\n== C in the shapes real code takes, each on the interpreter and the JIT next to its native twin\n'
printf '%-48s %-8s %s\n' program engine "equal to native"
"$datagen" grep --size 1M --seed 7 -o "$work/text.in"
for program in "$root/tests/clang_loops/row_count.c:loops clang enters through their condition" \
               "$root/tests/tools/cli/inputs/global_pointers.c:global data holding addresses (string tables)"; do
  source=${program%%:*} what=${program#*:}
  name=$(basename "$source" .c)
  "$sbpf" compile "$source" -o "$work/$name.o" && "$sbpf" compile --native "$source" -o "$work/$name.so"
  "$sbpf" run "$work/$name.so" --input "$work/text.in" --out "$work/$name.native" > /dev/null
  for engine in interp jit; do
    "$sbpf" run "$work/$name.o" --engine "$engine" --input "$work/text.in" --out "$work/$name.bpf" > /dev/null
    equal=$(cmp -s "$work/$name.bpf" "$work/$name.native" && echo yes || echo "NO")
    printf '%-48s %-8s %s\n' "$what" "$engine" "$equal"
    [ "$equal" = yes ]
  done
done

step "build a BPF-KV database of 100,000 keys (0, 2, 4, ...)" \
  "$sbpf" xrp build-db "$work/kv.db" --keys 100000 --stride 2
step "look keys up through the XRP function samples/xrp/bpfkv_get.c (one request, 5 reads a key)" \
  "$sbpf" xrp get "$work/kv.db" 0 31337 31338 199998 200000
step "scan [1000, 1010] through samples/xrp/bpfkv_range.c" \
  "$sbpf" xrp scan "$work/kv.db" 1000 1010 --end-inclusive
step "the XRP paper's lookup experiment on a modelled Optane P5800X: four paths, trees of depth 1 to 6" \
  "$sbpf" xrp bench --profile p5800x --path all --depth 1-6 --requests 2000 --db-dir "$work"

step "an out-of-bounds access is stopped with the source line (exit 1 expected)" \
  bash -c "printf 'ldxdw %%r0, [%%r1+8]\nexit\n' > '$work/oob.s' && '$sbpf' run '$work/oob.s' --mem 00 || echo \"exit code \$?\""

step "the bpf_conformance suite through the plugin contract" \
  "$build/tests/conformance/conformance_runner" --plugin "$sbpf" --plugin-arg conformance-plugin \
  --cpu v4 --groups default,callx "$root/../shared/conformance/tests"
if [ "$(uname -m)" = x86_64 ]; then
  step "the same suite through the x86-64 JIT" \
    "$build/tests/conformance/conformance_runner" --plugin "$sbpf" --plugin-arg conformance-plugin --plugin-arg --jit \
    --cpu v4 --groups default,callx "$root/../shared/conformance/tests"
  step "the native code of stats64's first instructions" \
    bash -c "'$sbpf' jit '$work/stats64.o' --dump --no-bytes | grep -v '^; /' | grep -m1 -A12 '^; 0:'"
fi
step "the same code for the device's cores: the arm64 JIT, cross-compiled on this host" \
  bash -c "'$sbpf' jit '$work/stats64.o' --arch arm64 --dump --no-bytes | grep -v '^; /' | grep -m1 -A12 '^; 0:'"
step "what crosses to the device: a verified program image (the device verifies it again)" \
  bash -c "'$sbpf' verify '$work/stats64.o' --emit-image '$work/stats64.img' && '$sbpf' disasm '$work/stats64.img' | head -5"
if command -v qemu-aarch64 > /dev/null && [ -x "$root/build-aarch64/tools/sbpf" ]; then
  device_sbpf=("$root/cmake/qemu-aarch64.sh" "$root/build-aarch64/tools/sbpf")
  step "the device's twin: the same C for aarch64" \
    "$sbpf" compile --native --target aarch64 "$root/samples/lambda/stats64.c" -o "$work/stats64.aarch64.so"
  step "the device's sbpf (make device) runs the image through its arm64 JIT under qemu-aarch64" \
    bash -c "${device_sbpf[*]@Q} run '$work/stats64.img' --input '$work/stats.in' --out '$work/stats.device' --engine jit && ${device_sbpf[*]@Q} run '$work/stats64.aarch64.so' --input '$work/stats.in' --out '$work/stats.device-twin' > /dev/null && cmp '$work/stats.device' '$work/stats.device-twin' && cmp '$work/stats.device' '$work/stats.native' && echo 'equal to the aarch64 twin on the device and to the x86-64 twin here, byte for byte'"
fi
step "the device model's profiles (device_model/profiles): what the experiments run on" \
  "$sbpf" device profiles

step "λ-IO: stats64 through the λ API, on the modelled CSD's cores (λ-read commands; the device verifies the program itself)" \
  "$sbpf" run "$work/stats64.o" --input "$work/stats.in" --on device --out "$work/stats.on-device"
step "and by λ-IO's scheduler, which profiles the first requests of each window on both sides" \
  "$sbpf" run "$work/stats64.o" --input "$work/stats.in" --on auto --interval 2 --samples 1 --out "$work/stats.auto"
cmp "$work/stats.on-device" "$work/stats.native" && cmp "$work/stats.auto" "$work/stats.native" &&
  echo "both equal to the native twin's output, byte for byte"
if command -v qemu-aarch64 > /dev/null && [ -x "$root/build-aarch64/tools/sbpf" ]; then
  step "the device as its own process: the device build's sbpf under qemu-aarch64 takes the λ-reads (arm64 JIT)" \
    "$sbpf" run "$work/stats64.o" --input "$work/stats.in" --on device --device qemu --out "$work/stats.qemu"
  cmp "$work/stats.qemu" "$work/stats.native" && echo "equal to the native twin's output, and the same report as in-process"
fi
step "λ-IO's experiment on the model: grep's small output wins on the device once the link is slow enough" \
  "$sbpf" sim lambda-io --workload grep --requests 60 --size 256K --interval 30 --samples 3 \
  --sweep link-mb-per-s=100:700:300
step "every workload, host against device against auto (more with --requests, --threads, --sweep, --plot)" \
  "$sbpf" sim lambda-io --requests 40 --size 512K --interval 20 --samples 3
