#!/bin/bash
# The streaming benchmark: streamed responses through `zerostart serve` as a caller sees them
# (time to first byte, throughput with and without the bandwidth cap, on the
# InvokeWithResponseStream and Function URL paths), and the warm buffered invoke of `echo`
# beside them. Prints Markdown tables; docs/benchmarks/streaming.md explains every figure.
#
#   bench/run_streaming.sh [BUILD_DIR]       (default: build; takes about 1 minute)
#
# Builds what it needs in BUILD_DIR (a Release build): zerostart, echo, zs_stream_bench and
# zs_stream_bench_function. Environment overrides:
#   ZS_BASELINE_BIN=dir   a bin/ directory of another build (zerostart + echo, e.g. of the
#                         commit before a change): its warm invokes are measured in the same
#                         run, rounds alternating with this build's
#   ZS_STREAM_BENCH_ARGS  extra arguments for zs_stream_bench (e.g. "--invokes 20")
#   ZS_WARM_COUNT=N       invokes per warm round (default 10000; 3 rounds)
# shellcheck source=bench/preamble.sh
source "$(dirname "$0")/preamble.sh" "${1:-}"

baseline="${ZS_BASELINE_BIN:-}"
warm_count="${ZS_WARM_COUNT:-10000}"
payload='{"k":"abcdefgh"}'  # 16 bytes, as docs/benchmarks/foundation.md
raw="$(mktemp -d "${TMPDIR:-/tmp}/zs-stream-bench.XXXXXX")"

# The benchmark-only programs are outside `all`: build them (a no-op when they are up to date).
cmake --build "$build" --target zerostart echo zs_stream_bench zs_stream_bench_function > /dev/null
require "$bin/zerostart" "$bin/echo" "$bin/zs_stream_bench" "$bin/zs_stream_bench_function"
if [ -n "$baseline" ]; then
  for f in zerostart echo; do
    [ -x "$baseline/$f" ] || { log "ZS_BASELINE_BIN: $baseline/$f is missing"; exit 1; }
  done
fi

servers=()
stop_servers() {
  for pid in "${servers[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  servers=()
}
trap 'stop_servers; rm -rf "$raw"' EXIT

# serve BIN_DIR: `zerostart serve --port 0 -- echo` from BIN_DIR in the background (stdout, the
# START/END/REPORT lines, to /dev/null as in the foundation benchmark); sets $port.
serve() {
  "$1/zerostart" serve --port 0 --no-limits --timeout 120 -- "$1/echo" > /dev/null 2> "$raw/serve.log" &
  servers+=($!)
  for _ in $(seq 1 200); do
    port="$(sed -n 's|^zerostart: serving .* on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$raw/serve.log" | head -n1)"
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  log "zerostart serve did not become ready:"; cat "$raw/serve.log" >&2
  exit 1
}

# warm BIN_DIR: one round (a fresh emulator): 500 warm-up invokes, then $warm_count sequential
# invokes over one kept-open connection; prints "p50 p90 rate".
warm() {
  serve "$1"
  "$1/zerostart" invoke --port "$port" --payload "$payload" --count 500 --quiet > /dev/null
  local text
  text="$("$1/zerostart" invoke --port "$port" --payload "$payload" --count "$warm_count" --quiet)"
  stop_servers
  local p50 p90 rate
  p50="$(sed -n 's/^latency: p50 \([0-9.]*\) us.*/\1/p' <<< "$text")"
  p90="$(sed -n 's/.*p90 \([0-9.]*\) us.*/\1/p' <<< "$text")"
  rate="$(sed -n 's/.*: \([0-9]*\) invokes\/s$/\1/p' <<< "$text")"
  echo "$p50 $p90 $rate"
}

median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
# CPU seconds used on the whole machine so far (user, nice, system, irq, softirq; /proc/stat).
machine_cpu_s() { awk -v hz="$(getconf CLK_TCK)" '/^cpu /{ printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat; }
# CPU seconds used by this script's finished children (the benchmark's processes).
# (`times` must run in this shell, not in a pipeline's subshell: a fork starts from zero.)
own_cpu_s() {
  times > "$raw/times"
  # The last line is "<user>m<s>s <system>m<s>s" of the children.
  tail -n1 "$raw/times" |
    awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } printf "%.2f", s }'
}

lscpu_field() { lscpu | sed -n "s/^$1: *//p" | head -n1; }
cpu="$(lscpu_field 'Model name') (family $(lscpu_field 'CPU family'), model $(lscpu_field 'Model'))"
if grep -qw hypervisor /proc/cpuinfo; then cpu="$cpu, virtual machine"; fi
compiler="$(c++ --version | head -n1)"
echo "## Run"
echo
echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- Commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(
  [ -n "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ] && echo " + uncommitted changes")"
echo "- Machine: $cpu, $(nproc) CPUs; kernel $(uname -r); $compiler"
command="bench/run_streaming.sh ${1:-build}"
[ -n "${ZS_STREAM_BENCH_ARGS:-}" ] && command="ZS_STREAM_BENCH_ARGS=\"$ZS_STREAM_BENCH_ARGS\" $command"
[ -n "$baseline" ] && command="ZS_BASELINE_BIN=$baseline $command"
echo "- Command: $command"
echo "- Load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
machine0="$(machine_cpu_s)"
own_cpu_s > "$raw/own0"
started="$(date +%s.%N)"

log "streamed responses (zs_stream_bench)"
# shellcheck disable=SC2086  # ZS_STREAM_BENCH_ARGS is a list of arguments
"$bin/zs_stream_bench" --zerostart "$bin/zerostart" --function "$bin/zs_stream_bench_function" \
  ${ZS_STREAM_BENCH_ARGS:-}

log "warm buffered invokes of echo (3 rounds of $warm_count${baseline:+, alternating with the baseline})"
current=()
previous=()
for _ in 1 2 3; do
  current+=("$(warm "$bin")")
  if [ -n "$baseline" ]; then previous+=("$(warm "$baseline")"); fi
done
echo
echo "### Warm buffered invoke of \`echo\` (16-byte payload, one kept-open connection, $warm_count invokes per round)"
echo
echo "| build | p50 per round | median p50 | p90 (median round) | invokes/s (median round) |"
echo "|---|---|---|---|---|"
# row LABEL ROUND...: one table row from the rounds' "p50 p90 rate" lines.
row() {
  local label="$1"
  shift
  local p50s=() line med p50 p90 rate
  for line in "$@"; do p50s+=("${line%% *}"); done
  med="$(median3 "${p50s[@]}")"
  for line in "$@"; do
    read -r p50 p90 rate <<< "$line"
    [ "$p50" = "$med" ] || continue
    echo "| $label | $(printf '%s, ' "${p50s[@]}" | sed 's/, $//') µs | **$med µs** | $p90 µs | $rate |"
    break
  done
}
row "this build ($bin)" "${current[@]}"
if [ -n "$baseline" ]; then row "baseline ($baseline)" "${previous[@]}"; fi
echo
echo "- Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# What other jobs on the machine used meanwhile: all CPU time minus the benchmark's own.
own_cpu_s > "$raw/own1"
awk -v m0="$machine0" -v m1="$(machine_cpu_s)" -v o0="$(cat "$raw/own0")" -v o1="$(cat "$raw/own1")" -v t0="$started" \
    -v t1="$(date +%s.%N)" -v n="$(nproc)" 'BEGIN {
  wall = t1 - t0; other = (m1 - m0) - (o1 - o0); if (other < 0) other = 0
  printf "- CPU time over the %.0f s of measurement: the benchmark %.1f s, other processes %.1f s", wall, o1 - o0, other
  printf " (%.0f %% of %d CPUs)\n", 100 * other / (wall * n), n }'
