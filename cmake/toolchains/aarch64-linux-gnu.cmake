# Cross-compiling for arm64 (AWS Graviton) with Debian's g++-aarch64-linux-gnu:
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake \
#         -DZS_FUNCTIONS_ONLY=ON
# (scripts/build-arm64.sh does exactly this). The target's glibc, libstdc++ and libgcc (static
# archives included) live in /usr/aarch64-linux-gnu; the one host package used is nlohmann_json,
# which is header-only: its headers are in /usr/include, the cross compiler's last include dir.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # build tools run on the host
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)    # never link an x86_64 library
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)    # header-only nlohmann_json from /usr/share/cmake

# Lets ctest / add_test / gtest discovery run target binaries, where they are built at all.
if(EXISTS /usr/bin/qemu-aarch64-static)
  set(CMAKE_CROSSCOMPILING_EMULATOR /usr/bin/qemu-aarch64-static)
endif()
