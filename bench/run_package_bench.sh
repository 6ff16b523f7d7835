#!/bin/bash
# The packaging benchmark: `zerostart package` for echo, sin and kmeans on x86_64
# and (when an arm64 build is there) arm64; package and bootstrap sizes; cold starts of each
# package measured by `zerostart bench` (arm64 under qemu-user-static: emulated figures).
# Writes docs/benchmarks/package-results.json and docs/benchmarks/package.md.
#
#   bench/run_package_bench.sh [BUILD_DIR [ARM64_BUILD_DIR]]   (defaults: build, build-arm64)
#
# Needs BUILD_DIR/bin/{zerostart,echo,sin,kmeans} and, for the arm64 rows,
# ARM64_BUILD_DIR/bin/{echo,sin,kmeans} (scripts/build-arm64.sh) and qemu-aarch64-static.
# Environment: ZS_BENCH_OUT_DIR (default docs/benchmarks), ZS_BENCH_COLD_REPEATS (default 10).
# shellcheck source=bench/preamble.sh
source "$(dirname "$0")/preamble.sh" "${1:-}"

arm64="${2:-$repo/build-arm64}"
repeats="${ZS_BENCH_COLD_REPEATS:-10}"
qemu="$(command -v qemu-aarch64-static || true)"

for f in zerostart echo sin kmeans; do
  [ -x "$build/bin/$f" ] || { log "$build/bin/$f is missing (build $build first)"; exit 1; }
done
functions=()
add() {  # name arch binary payload
  functions+=("$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1:]))' "$@")")
}
for arch_dir in "x86_64 $build" "arm64 $arm64"; do
  read -r arch dir <<< "$arch_dir"
  if [ "$arch" = arm64 ] && { [ ! -x "$dir/bin/echo" ] || [ -z "$qemu" ]; }; then
    log "no arm64 build in $dir or no qemu-aarch64-static: x86_64 only"
    continue
  fi
  add echo "$arch" "$dir/bin/echo" '{"hello":"world"}'
  add sin "$arch" "$dir/bin/sin" '{"iterations":1000}'
  add kmeans "$arch" "$dir/bin/kmeans" '{"n":1000,"d":2,"k":4}'
done

spec="$(mktemp "${TMPDIR:-/tmp}/zs-package-spec.XXXXXX")"
trap 'rm -f "$spec"' EXIT
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) vCPU; kernel $(uname -r)"
python3 - "$spec" "$repeats" "$qemu" "$machine" "$(git -C "$repo" rev-parse HEAD 2> /dev/null || echo unknown)" \
  "$0 $*" "${functions[@]}" <<'PY'
import json, sys, time
spec, repeats, qemu, machine, commit, command, *functions = sys.argv[1:]
json.dump({"functions": [json.loads(f) for f in functions], "cold_repeats": int(repeats),
           "qemu": qemu,
           "run": {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "load_before": open("/proc/loadavg").read().strip(), "machine": machine,
                   "commit": commit, "command": command}}, open(spec, "w"))
PY
mkdir -p "$out_dir"
python3 "$repo/bench/package_bench.py" "$out_dir/package-results.json" "$out_dir/package.md" \
  "$build/bin/zerostart" "$spec"
log "written: $out_dir/package-results.json, $out_dir/package.md"
