#!/bin/bash
# The concurrency benchmark: the pool of execution environments of `zerostart serve`, driven by
# zs_concurrency_bench (bench/concurrency/main.cc, whose header explains every figure):
#   1. N invokes that sleep 500 ms sent at once, N = 2, 4, 16, 64 (`--concurrency N --no-limits`):
#      all cold, then all warm, against 500 ms + the slowest Init Duration + 10 %;
#   2. 1,000 echo invokes sent at once over 1,000 open connections at `--concurrency 100`, with
#      and without cgroups: each answered once (200 or 429), each 200 in exactly one REPORT;
#   3. warm latency of one client, frozen or not, with and without cgroups, beside the build in
#      ZS_BEFORE_BIN (rounds alternating);
#   4. what a thaw adds to the round trip to a frozen process (SIGSTOP, cgroup freezer);
#   5. serve's memory, threads and descriptors per idle environment.
# Prints Markdown tables and writes the raw figures to docs/benchmarks/concurrency-results.json.
#
#   bench/run_concurrency.sh [BUILD_DIR]      (default: build; takes about a minute)
#
# Builds what it needs in BUILD_DIR (a Release build): zerostart, echo, faulty and
# zs_concurrency_bench. Environment overrides:
#   ZS_BEFORE_BIN=dir     a bin/ directory of another build (zerostart + echo, e.g. of the commit
#                         before a change): its warm invokes are measured in the same run
#   ZS_CONCURRENCY_ARGS   extra arguments for zs_concurrency_bench (e.g. "--warm-rounds 3")
#   ZS_BENCH_OUT_DIR=dir  where concurrency-results.json goes (default docs/benchmarks)
# shellcheck source=bench/preamble.sh
source "$(dirname "$0")/preamble.sh" "${1:-}"

before="${ZS_BEFORE_BIN:-}"

# The benchmark-only program is outside `all`: build it (a no-op when everything is up to date).
cmake --build "$build" --target zerostart echo faulty zs_concurrency_bench > /dev/null
require "$bin/zerostart" "$bin/echo" "$bin/faulty" "$bin/zs_concurrency_bench"
if [ -n "$before" ]; then
  for f in zerostart echo; do
    [ -x "$before/$f" ] || { log "ZS_BEFORE_BIN: $before/$f is missing"; exit 1; }
  done
fi

# zs_concurrency_bench stops the serves it started when it gets a stop signal; pass ours on.
driver=""
# shellcheck disable=SC2317  # called by the traps
stop_driver() {
  if [ -n "$driver" ] && kill -0 "$driver" 2>/dev/null; then
    kill -TERM "$driver" 2>/dev/null || true
    wait "$driver" 2>/dev/null || true
  fi
}
trap stop_driver EXIT
trap 'stop_driver; exit 130' INT TERM HUP

commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit + uncommitted changes"
fi
command="bench/run_concurrency.sh ${1:-build}"
[ -n "${ZS_CONCURRENCY_ARGS:-}" ] && command="ZS_CONCURRENCY_ARGS=\"$ZS_CONCURRENCY_ARGS\" $command"
[ -n "$before" ] && command="ZS_BEFORE_BIN=$before $command"
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
if grep -qw hypervisor /proc/cpuinfo; then cpu="$cpu, virtual machine"; fi

echo "## Run"
echo
echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- Commit: $commit"
echo "- Machine: CPU \`$cpu\`, $(nproc) CPUs; kernel $(uname -r); $(c++ --version | head -n1)"
echo "- Command: \`$command\`"
echo "- Load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

mkdir -p "$out_dir"
args=(--bin "$bin" --json "$out_dir/concurrency-results.json"
      --note "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)" --note "commit=$commit" --note "command=$command")
[ -n "$before" ] && args+=(--before-bin "$before")
log "zs_concurrency_bench ${args[*]} ${ZS_CONCURRENCY_ARGS:-}"
# shellcheck disable=SC2086  # ZS_CONCURRENCY_ARGS is a list of arguments
"$bin/zs_concurrency_bench" "${args[@]}" ${ZS_CONCURRENCY_ARGS:-} &
driver=$!
status=0
wait "$driver" || status=$?
driver=""
echo "- Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
log "raw figures: $out_dir/concurrency-results.json"
exit "$status"
