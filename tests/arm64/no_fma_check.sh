#!/usr/bin/env bash
# Usage: no_fma_check.sh ARM64_BUILD_DIR
# Fails when the arm64 archives of the exact code paths (the k-means engine, the kmeans and sin
# functions' libraries) hold a fused multiply-add: GCC 12 contracts `a * b + c` into fmadd on
# aarch64 even under -std=c++20, and Java never fuses, so one FMA would change result bits.
# zs_kmeans is built with -ffp-contract=off; this checks that the flag reached the code.
# Exit 77 (skipped): no arm64 build, or no aarch64-linux-gnu-objdump.
set -uo pipefail
build=${1:?usage: no_fma_check.sh ARM64_BUILD_DIR}
objdump=aarch64-linux-gnu-objdump
archives=(libzs_kmeans.a libzs_kmeans_function.a libzs_sin_function.a)
non_exact="^fast_assignment"

command -v "$objdump" >/dev/null || { echo "skipped: $objdump missing (binutils-aarch64-linux-gnu)"; exit 77; }
[ -f "$build/lib/${archives[0]}" ] || { echo "skipped: no arm64 build in $build (make arm64)"; exit 77; }

status=0
for archive in "${archives[@]}"; do
  path="$build/lib/$archive"
  [ -f "$path" ] || { echo "missing: $path"; status=1; continue; }
  # fmadd/fmsub/fnmadd/fnmsub (scalar) and fmla/fmls (vector) fuse a multiply and an add.
  # fast_assignment (the opt-in "mode":"fast", not exact by design) may fuse: its member is
  # left out.
  fused=$("$objdump" -d "$path" | awk -v skip="$non_exact" '
    / file format / { member = $1 }
    member !~ skip && /\t(fn?m(add|sub)|fml[as])\t/ { n++ }
    END { print n + 0 }')
  echo "$archive: $fused fused multiply-add instruction(s)"
  [ "$fused" -eq 0 ] || status=1
done
exit $status
