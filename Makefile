# The two commands (README): `make demo` and `make test`. Both install what
# they need from Debian packages first (cmake/install-deps.sh).

JOBS ?= $(shell nproc)
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
DEVICE_BUILD ?= build-aarch64
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-release test-large test-sanitize device bench bench-device fuzz csmith install clean

all: build

deps:
	@bash cmake/install-deps.sh

# Release-style build with g++ (the default compiler).
configure = cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSBPF_WERROR=ON $(CMAKE_FLAGS)
build: deps
	$(configure)
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	@bash samples/demo.sh $(BUILD)/tools/sbpf

# Every test, twice: the g++ build, then a clang-19 build with
# AddressSanitizer and UndefinedBehaviorSanitizer, then the device build's
# tests under qemu (make device). Tests labelled `large` (64 MiB inputs, the
# verifier's exhaustive domain check, csmith beyond its first seeds) run
# apart, with `make test-large`, which CI runs too: the same code runs in
# `make test` at smaller sizes, and `make test` stays within its 30 minutes
# on two cores.
test: test-release test-sanitize device

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --label-exclude large

test-large: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --label-regex large
	if [ -d $(DEVICE_BUILD) ]; then \
	  cd $(DEVICE_BUILD) && SBPF_QEMU_CPU=max ctest --output-on-failure -j$(JOBS) --label-regex large; \
	fi

test-sanitize: deps
	CC=clang-19 CXX=clang++-19 cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Debug \
	  -DSBPF_SANITIZE=ON -DSBPF_WERROR=ON -DSBPF_BUILD_BENCH=OFF $(CMAKE_FLAGS)
	cmake --build $(SANITIZE_BUILD) -j$(JOBS)
	cd $(SANITIZE_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j$(JOBS) --label-exclude large

# The device build (cmake/aarch64.cmake): aarch64 with the cross toolchain,
# its tests under qemu-user twice, with LSE atomics (-cpu max) and without
# (-cpu cortex-a53), skipping `large`; the second run skips what does not
# depend on the CPU too (tests/CMakeLists.txt). They compare with the host
# build's samples and csmith's programs checked there, so the host's sbpf,
# samples and csmith harness are built first. Release:
# debug information costs half as much compile time again, on every clone.
configure_device = cmake -S . -B $(DEVICE_BUILD) -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64.cmake -DCMAKE_BUILD_TYPE=Release \
  -DSBPF_WERROR=ON -DSBPF_HOST_BUILD_DIR=$(abspath $(BUILD)) $(CMAKE_FLAGS)
device: deps
	$(configure)
	cmake --build $(BUILD) -j$(JOBS) --target sbpf samples sbpf-datagen csmith_differential
	$(configure_device)
	cmake --build $(DEVICE_BUILD) -j$(JOBS)
	cd $(DEVICE_BUILD) && SBPF_QEMU_CPU=max ctest --output-on-failure -j$(JOBS) --label-exclude large
	cd $(DEVICE_BUILD) && SBPF_QEMU_CPU=cortex-a53 ctest --output-on-failure -j$(JOBS) --label-exclude 'large|cpu_independent'

# Benchmarks (Google Benchmark); not part of `make test`.
bench: build
	$(BUILD)/bench/interpreter_bench
	$(BUILD)/bench/lambda_samples_bench
	$(BUILD)/bench/verifier_bench

# The λ samples' benchmark on the device build under qemu (-cpu max): the
# arm64 JIT and interpreter against the aarch64 twins, on DEVICE_BENCH_BYTES
# of data, and arm64 compile time (x86-64's is the host's to measure).
# Google Benchmark for arm64 is unpacked from Debian's packages into the
# device build (cmake/install-deps.sh).
DEVICE_BENCH_BYTES ?= 8388608
DEVICE_BENCH_DEPS = $(abspath $(DEVICE_BUILD))/bench-deps
bench-device:
	@bash cmake/install-deps.sh --device-bench $(DEVICE_BENCH_DEPS)
	$(configure)
	cmake --build $(BUILD) -j$(JOBS) --target sbpf samples sbpf-datagen
	$(configure_device) -DSBPF_DEVICE_BENCH_DEPS=$(DEVICE_BENCH_DEPS)
	cmake --build $(DEVICE_BUILD) -j$(JOBS) --target lambda_samples_bench
	SBPF_BENCH_INPUT_BYTES=$(DEVICE_BENCH_BYTES) bash cmake/qemu-aarch64.sh $(DEVICE_BUILD)/bench/lambda_samples_bench \
	  --benchmark_filter=-JitCompile/x86_64

# Long fuzzing (the clang + sanitizer build): FUZZ_SECONDS per target, then
# csmith's programs for CSMITH_SEEDS.
FUZZ_SECONDS ?= 600
fuzz: test-sanitize
	for f in bytecode_fuzzer assembler_fuzzer elf_fuzzer image_fuzzer verifier_differential_fuzzer jit_differential_fuzzer; do \
	  mkdir -p $(SANITIZE_BUILD)/fuzz-corpus/$$f && \
	  $(SANITIZE_BUILD)/tests/fuzz/$$f -max_total_time=$(FUZZ_SECONDS) $(SANITIZE_BUILD)/fuzz-corpus/$$f || exit 1; \
	done
	$(MAKE) csmith BUILD=$(SANITIZE_BUILD) NO_BUILD=1

# Differential testing on csmith's random programs (tests/csmith/), the
# release build: CSMITH_SEEDS=FIRST:LAST, CSMITH_FLAGS for more options
# (csmith_differential --help). Bugs are copied to $(BUILD)/csmith-findings.
CSMITH_SEEDS ?= 1:1000
CSMITH_FLAGS ?= --prove-every 4 --prove-timeout 300
csmith: $(if $(NO_BUILD),,build)
	$(BUILD)/tests/csmith/csmith_differential --seeds $(CSMITH_SEEDS) $(CSMITH_FLAGS) \
	  --findings $(BUILD)/csmith-findings --quiet

# The sbpf command, the samples and SDK, and the libraries with their
# headers and CMake package (find_package(sbpf)).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(DEVICE_BUILD)
