#!/usr/bin/env bash
# Cross-compiles the function binaries (echo, sin, kmeans) for arm64 (AWS Graviton) into
# BUILD_DIR/bin (default build-arm64): static and stripped like the x86_64 ones, with Debian's
# g++-aarch64-linux-gnu (cmake/toolchains/aarch64-linux-gnu.cmake) and ZS_FUNCTIONS_ONLY=ON, so
# nothing but what Lambda runs is configured or compiled. Parallel jobs: $JOBS, else nproc.
# tests/arm64 runs the results under qemu-aarch64-static against the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-arm64}
jobs=${JOBS:-$(nproc)}

if ! command -v aarch64-linux-gnu-g++ >/dev/null; then
  echo "build-arm64: aarch64-linux-gnu-g++ not found (scripts/install-deps.sh installs g++-aarch64-linux-gnu)" >&2
  exit 1
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DZS_FUNCTIONS_ONLY=ON \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchains/aarch64-linux-gnu.cmake" >/dev/null
cmake --build "$build" -j"$jobs" --target echo sin kmeans
