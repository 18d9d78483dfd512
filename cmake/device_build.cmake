# The device build (ARCHITECTURE.md, "Device side"): what runs on the
# device's cores — isa/, verifier/ without Z3, jit/, runtime/, and the
# device's `sbpf` — with no LLVM, libbpf or Z3. The top-level CMakeLists.txt
# includes this file instead of the host build when SBPF_DEVICE_BUILD is on
# (cross compiling with cmake/aarch64.cmake turns it on).
#
# What needs clang or libbpf stays on the host: the device reads programs as
# images (`sbpf verify PROG --emit-image OUT.img` on the host), assembly or
# raw bytecode.

# The device never proves (--prove is a host option) and has no benchmarks.
set(SBPF_WITH_Z3 OFF)
set(SBPF_BUILD_BENCH OFF)

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
add_subdirectory(runtime)
add_subdirectory(frontend)
add_subdirectory(tools)

enable_testing()
add_subdirectory(tests)
