# The device build (ARCHITECTURE.md, "Device side"): what runs on the
# device's cores — isa/, verifier/ without Z3, jit/, runtime/, and the
# device's `sbpf` — with no LLVM, libbpf or Z3. The top-level CMakeLists.txt
# includes this file instead of the host build when SBPF_DEVICE_BUILD is on
# (cross compiling with cmake/aarch64.cmake turns it on).
#
# What needs clang or libbpf stays on the host: the device reads programs as
# images (`sbpf verify PROG --emit-image OUT.img` on the host), assembly or
# raw bytecode.

# Release is -O2 here, as the host's RelWithDebInfo: at -O3, GCC 12 warns
# falsely about std::string concatenation (-Wrestrict, GCC bug 105329), in
# GoogleTest too.
set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG")
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG")

# The device never proves (--prove is a host option).
set(SBPF_WITH_Z3 OFF)

# The host build whose samples (objects, images, native twins), sbpf and
# data generator the device's tests and benchmark use. `make device` builds
# what they need there first and passes it.
set(SBPF_HOST_BUILD_DIR "" CACHE PATH "The host build the device tests compare against (make device sets it)")

# Google Benchmark for aarch64, unpacked from Debian's arm64 packages by
# `cmake/install-deps.sh --device-bench DIR` (make bench-device): not
# installed, as libc6:arm64 would come with it and meet the cross
# toolchain's own C library under qemu. Without it, no benchmark.
set(SBPF_DEVICE_BENCH_DEPS "" CACHE PATH "Debian's arm64 Google Benchmark, unpacked (make bench-device sets it)")
set(benchmark_root ${SBPF_DEVICE_BENCH_DEPS}/usr)
set(benchmark_library ${benchmark_root}/lib/aarch64-linux-gnu/libbenchmark.so)
if(SBPF_DEVICE_BENCH_DEPS AND SBPF_HOST_BUILD_DIR AND EXISTS ${benchmark_library})
  add_library(benchmark::benchmark SHARED IMPORTED)
  set_target_properties(benchmark::benchmark PROPERTIES
    IMPORTED_LOCATION ${benchmark_library} INTERFACE_INCLUDE_DIRECTORIES ${benchmark_root}/include)
  set(SBPF_BUILD_BENCH ON)
else()
  set(SBPF_BUILD_BENCH OFF)
endif()

# nlohmann/json is headers only, the same for every architecture: the
# host's serve, through a directory that holds nothing else (its own CMake
# package would put the host's whole /usr/include ahead of the sysroot's).
set(host_headers ${CMAKE_BINARY_DIR}/host-headers)
file(MAKE_DIRECTORY ${host_headers})
file(CREATE_LINK /usr/include/nlohmann ${host_headers}/nlohmann SYMBOLIC)
file(WRITE ${host_headers}/nlohmann_jsonConfig.cmake "
if(NOT TARGET nlohmann_json::nlohmann_json)
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${host_headers})
endif()
")
set(nlohmann_json_DIR ${host_headers} CACHE PATH "nlohmann/json's CMake package" FORCE)

# Host tools the tests drive (they run on the build machine, not under qemu).
find_program(SBPF_FILECHECK NAMES FileCheck-19 FileCheck PATHS /usr/lib/llvm-19/bin)

add_subdirectory(isa)
add_subdirectory(verifier)
add_subdirectory(jit)
add_subdirectory(device_model)
add_subdirectory(runtime)
add_subdirectory(frontend)
add_subdirectory(tools)

enable_testing()
add_subdirectory(tests)
if(SBPF_BUILD_BENCH)
  add_subdirectory(bench)
endif()
