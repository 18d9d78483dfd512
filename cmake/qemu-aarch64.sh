#!/bin/sh
# Runs an aarch64 program under qemu-user with the cross sysroot's
# libraries: CMAKE_CROSSCOMPILING_EMULATOR of the device build
# (cmake/aarch64.cmake). SBPF_QEMU_CPU chooses the CPU: `max` (default,
# with LSE atomics) or `cortex-a53` (without; an LSE instruction is SIGILL).
exec qemu-aarch64 -L /usr/aarch64-linux-gnu -cpu "${SBPF_QEMU_CPU:-max}" "$@"
