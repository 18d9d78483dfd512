#!/bin/bash
# The arm64 JIT's tests on aarch64, under qemu-user, until the device build
# (cmake/aarch64.cmake, build-aarch64/) runs them through ctest: cross-compiles
# what they need with aarch64-linux-gnu-g++ (no LLVM, libbpf or Z3), then runs
# them with -cpu max (LSE atomics) and -cpu cortex-a53 (none):
#   - jit_test: the differential test (the shared program generator) and the
#     abort tests, the arm64 JIT against the interpreter;
#   - arm64_backend_test and a64_encoding_test;
#   - the conformance suite through the plugin contract, interpreter and JIT
#     (the host's conformance_runner calls the aarch64 plugin through qemu).
# usage: run_tests.sh [OUT_DIR] (HOST_BUILD: a host build with conformance_runner)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../../../.." && pwd)
OUT=${1:-$SRC/build-arm64-qemu}
HOST_BUILD=${HOST_BUILD:-$SRC/build}
CONFORMANCE=${SBPF_CONFORMANCE_DIR:-$SRC/../shared/conformance}
SYSROOT=/usr/aarch64-linux-gnu
GTEST=/usr/src/googletest/googletest
JOBS=${JOBS:-2}
CXX=(aarch64-linux-gnu-g++)
command -v ccache > /dev/null && CXX=(ccache aarch64-linux-gnu-g++)
FLAGS=(-std=c++20 -O2 -Wall -Wextra -Werror -I"$SRC" -I"$OUT/include" -isystem "$GTEST/include")

mkdir -p "$OUT/obj" "$OUT/include"
cmake -DINPUT="$SRC/tests/jit/arm64/a64_encodings.txt" -DOUTPUT="$OUT/include/a64_encodings_table.inc" \
  -P "$SRC/tests/jit/arm64/embed_text.cmake"

cd "$SRC"
library=(isa/*.cpp jit/*.cpp jit/x86_64/*.cpp jit/arm64/*.cpp runtime/*.cpp
         tests/jit/engine_comparison.cpp tests/jit/arm64/qemu/guard_prover_unavailable.cpp)
for f in verifier/*.cpp tests/program_generator/*.cpp; do
  case "$f" in
    verifier/guard_prover.cpp | verifier/json_report.cpp | verifier/sarif_report.cpp | *_test.cpp) ;;
    *) library+=("$f") ;;
  esac
done
library=("${library[@]/jit\/native_disassembler.cpp}")
jit_test=(tests/jit/jit_differential_test.cpp tests/jit/jit_abort_test.cpp tests/jit/code_buffer_test.cpp
          tests/jit/executable_memory_test.cpp tests/jit/constant_blinding_test.cpp)
backend_test=(tests/jit/arm64/arm64_backend_test.cpp)
encoding_test=(tests/jit/arm64/a64_encoding_test.cpp)
plugin=(tools/command_line.cpp tools/conformance_plugin_command.cpp tests/jit/arm64/qemu/conformance_plugin_main.cpp)

object() { echo "$OUT/obj/$(echo "$1" | tr / _).o"; }
compile() {
  local o
  o=$(object "$1")
  if [ ! -f "$o" ] || [ "$1" -nt "$o" ] || [ -n "${REBUILD:-}" ]; then
    "${CXX[@]}" "${FLAGS[@]}" -c "$1" -o "$o"
  fi
}
export -f compile object
export OUT
export CXX_LINE="${CXX[*]}" FLAGS_LINE="${FLAGS[*]}"
all=()
for f in "${library[@]}" "${jit_test[@]}" "${backend_test[@]}" "${encoding_test[@]}" "${plugin[@]}"; do
  [ -n "$f" ] && all+=("$f")
done
# Headers change too: rebuild everything unless the objects are newer than every header.
newest_header=$(find isa verifier jit runtime tests/jit tests/program_generator tools -name '*.h' -newer "$OUT/obj/.stamp" 2>/dev/null | head -1 || true)
if [ ! -f "$OUT/obj/.stamp" ] || [ -n "$newest_header" ]; then export REBUILD=1; fi
printf '%s\n' "${all[@]}" | xargs -P "$JOBS" -I{} bash -c \
  'CXX=($CXX_LINE); FLAGS=($FLAGS_LINE); compile "$1"' _ {}
touch "$OUT/obj/.stamp"

gtest_obj="$OUT/obj/gtest-all.o"
[ -f "$gtest_obj" ] || "${CXX[@]}" -std=c++20 -O2 -I"$GTEST" -I"$GTEST/include" -c "$GTEST/src/gtest-all.cc" -o "$gtest_obj"
[ -f "$OUT/obj/gtest_main.o" ] || "${CXX[@]}" -std=c++20 -O2 -I"$GTEST/include" -c "$GTEST/src/gtest_main.cc" -o "$OUT/obj/gtest_main.o"

objects() { for f in "$@"; do [ -n "$f" ] && object "$f"; done; }
mapfile -t lib_objs < <(objects "${library[@]}")
link() {
  local name=$1
  shift
  aarch64-linux-gnu-g++ -o "$OUT/$name" "$@" "${lib_objs[@]}" -pthread
}
mapfile -t o < <(objects "${jit_test[@]}")
link jit_test "${o[@]}" "$gtest_obj" "$OUT/obj/gtest_main.o"
mapfile -t o < <(objects "${backend_test[@]}")
link arm64_backend_test "${o[@]}" "$gtest_obj" "$OUT/obj/gtest_main.o"
mapfile -t o < <(objects "${encoding_test[@]}")
link a64_encoding_test "${o[@]}" "$gtest_obj" "$OUT/obj/gtest_main.o"
mapfile -t o < <(objects "${plugin[@]}")
link conformance_plugin "${o[@]}"

cat > "$OUT/conformance_plugin.sh" << WRAPPER
#!/bin/sh
exec qemu-aarch64 -L $SYSROOT "$OUT/conformance_plugin" "\$@"
WRAPPER
chmod +x "$OUT/conformance_plugin.sh"

status=0
for cpu in max cortex-a53; do
  export QEMU_CPU=$cpu
  echo "=== qemu-aarch64 -cpu $cpu"
  for t in a64_encoding_test arm64_backend_test jit_test; do
    if qemu-aarch64 -L "$SYSROOT" "$OUT/$t" --gtest_brief=1 > "$OUT/$t.$cpu.log" 2>&1; then
      echo "$t: $(grep -E '^\[  PASSED' "$OUT/$t.$cpu.log" || echo passed)"
    else
      echo "$t: FAILED (see $OUT/$t.$cpu.log)"
      status=1
    fi
  done
  for engine in interp jit; do
    if "$HOST_BUILD/tests/conformance/conformance_runner" --plugin "$OUT/conformance_plugin.sh" \
        --plugin-arg --engine --plugin-arg "$engine" --cpu v4 --groups default,callx "$CONFORMANCE/tests" \
        > "$OUT/conformance.$engine.$cpu.log" 2>&1; then
      echo "conformance $engine: $(tail -1 "$OUT/conformance.$engine.$cpu.log")"
    else
      echo "conformance $engine: FAILED: $(tail -1 "$OUT/conformance.$engine.$cpu.log") (see $OUT/conformance.$engine.$cpu.log)"
      status=1
    fi
  done
done
exit $status
