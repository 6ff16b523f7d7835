#!/bin/bash
# The "Foundation" benchmark: zerostart's runtime, emulator and reference functions measured in
# ONE run beside the peers available on this machine. Writes
# docs/benchmarks/foundation-results.json and prints a Markdown table (docs/benchmarks/foundation.md
# explains every figure and how it is taken).
#
#   bench/run_foundation_bench.sh [BUILD_DIR]       (default: build; takes 1-2 minutes)
#
# Needs a Release build of BUILD_DIR (bin/{echo,kmeans,sin,zerostart,zs_loopback_rtt} and
# bench/peers/classes), python3; for the peers: node + tests/interop/node_modules
# (scripts/install-interop.sh), curl, a JDK and /usr/share/java/commons-math3.jar. A missing
# peer is reported as such, not silently dropped. Environment overrides:
#   ZS_BENCH_OUT=path.json   where the results go (default docs/benchmarks/foundation-results.json)
#   ZS_BENCH_COLD=N          cold starts per runtime (default 20)
#   ZS_COMMONS_MATH_JAR=jar  Commons Math 3.6.1 (default /usr/share/java/commons-math3.jar)
# shellcheck source=bench/preamble.sh
source "$(dirname "$0")/preamble.sh" "${1:-}"

classes="$build/bench/peers/classes"
jar="${ZS_COMMONS_MATH_JAR:-/usr/share/java/commons-math3.jar}"
out="${ZS_BENCH_OUT:-$repo/docs/benchmarks/foundation-results.json}"
raw="$(mktemp -d "${TMPDIR:-/tmp}/zs-bench.XXXXXX")"
ric_bootstrap="$repo/tests/interop/ric/bootstrap"
curl_bootstrap="$repo/tests/interop/curl_echo_bootstrap.sh"
java_bootstrap="$repo/bench/peers/java_echo_bootstrap.sh"
# JVM flags for a short-lived function (C1 only, serial GC, the default CDS archive): the JVM's
# best case for start-up; the plain `java` launch is measured as well.
jvm_fast=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto)
# AWS's C++ runtime, built from the sources aws-lambda-ric bundles (bench/peers/
# build_aws_lambda_cpp_echo.sh; built here on first use, 1-2 minutes, unless ZS_BENCH_NO_BUILD=1).
alc_dir="$build/bench/aws-lambda-cpp"
alc_echo="$alc_dir/aws-lambda-cpp-echo"
payload='{"k":"abcdefgh"}'  # 16 bytes

# The benchmark-only programs are outside `all`: build them (a no-op when they are up to date).
cmake --build "$build" --target bench_tools > /dev/null
require "$bin/echo" "$bin/kmeans" "$bin/sin" "$bin/zerostart" "$bin/zs_loopback_rtt"

servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$raw"
}
trap cleanup EXIT

have_alc() { [ -x "$alc_echo" ]; }
have_node() { command -v node > /dev/null && [ -f "$repo/tests/interop/node_modules/aws-lambda-ric/rapid-client.node" ]; }
have_java() { command -v java > /dev/null && [ -f "$classes/JavaEcho.class" ]; }
have_curl() { command -v curl > /dev/null; }
skip() { printf '{"label":"%s","skipped":"%s"}\n' "$1" "$2"; }

# serve NAME FUNCTION [ARGS...]: starts `zerostart serve --port 0` in the background; sets
# $port once the emulator says it is serving.
serve() {
  local name="$1"
  shift
  # stdout (START/END/REPORT lines, the function's own output) is dropped: writing it to a
  # terminal or pipe would be part of what is measured.
  "$bin/zerostart" serve --port 0 --no-limits --timeout 120 -- "$@" > /dev/null 2> "$raw/serve-$name.log" &
  servers+=($!)
  for _ in $(seq 1 200); do
    port="$(sed -n 's|^zerostart: serving .* on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$raw/serve-$name.log" | head -n1)"
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  log "zerostart serve $* did not become ready:"; cat "$raw/serve-$name.log" >&2
  exit 1
}
stop_servers() {
  for pid in "${servers[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null || true; done
  servers=()
}
# invoke PAYLOAD [COUNT]: COUNT > 1 prints latency statistics, 1 prints the response body.
invoke() {
  if [ "${2:-1}" -gt 1 ]; then
    timeout 300 "$bin/zerostart" invoke --port "$port" --payload "$1" --count "$2" --quiet
  else
    timeout 300 "$bin/zerostart" invoke --port "$port" --payload "$1"
  fi
}
# CPU ticks (user + system, children reaped so far included) of a process, from /proc/PID/stat
# (fields 14-17, counted after the parenthesised command name).
ticks() { sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | awk '{ print $12 + $13 + $14 + $15 }' || echo 0; }
# warm LABEL COUNT WARMUP FUNCTION [ARGS...]: sequential invokes of the 16-byte payload through
# the emulator over one kept-open connection, after WARMUP invokes (the first starts the
# function). Also records the CPU time the emulator, the function (with its children) and the
# invoking client spent, to tell where the time of an invoke goes.
warm() {
  local label="$1" count="$2" warmup="$3"
  shift 3
  serve "$label" "$@"
  invoke "$payload" "$warmup" > /dev/null
  local serve_pid="${servers[-1]}"
  local fn_pid
  fn_pid="$(cat /proc/"$serve_pid"/task/*/children | tr ' ' '\n' | grep -m1 . || true)"
  local serve0 fn0 serve1 fn1 text client=""
  serve0="$(ticks "$serve_pid")"
  fn0="$(ticks "$fn_pid")"
  if [ -x /usr/bin/time ]; then
    text="$(/usr/bin/time -f '%U %S' -o "$raw/time" timeout 300 "$bin/zerostart" invoke --port "$port" \
            --payload "$payload" --count "$count" --quiet | tr '\n' '|')"
    client="$(tr ' ' ',' < "$raw/time")"
  else
    text="$(invoke "$payload" "$count" | tr '\n' '|')"
  fi
  serve1="$(ticks "$serve_pid")"
  fn1="$(ticks "$fn_pid")"
  printf '{"label":"%s","count":%s,"text":"%s","clk_tck":%s,"emulator_ticks":%s,"function_ticks":%s,"client_user_sys_s":[%s]}\n' \
    "$label" "$count" "$text" "$(getconf CLK_TCK)" "$((serve1 - serve0))" "$((fn1 - fn0))" "$client"
  stop_servers
}

if ! have_alc && [ "${ZS_BENCH_NO_BUILD:-0}" != 1 ] &&
   [ -f "$repo/tests/interop/node_modules/aws-lambda-ric/deps/aws-lambda-cpp.tar.xz" ]; then
  log "building the aws-lambda-cpp peer once (bench/peers/build_aws_lambda_cpp_echo.sh)"
  "$repo/bench/peers/build_aws_lambda_cpp_echo.sh" "$alc_dir" >&2 ||
    log "could not build the aws-lambda-cpp peer; it is skipped"
fi

date -u +%Y-%m-%dT%H:%M:%SZ > "$raw/started"
cat /proc/loadavg > "$raw/load_before"

log "cold start (zerostart bench: the first invoke of a fresh function process, as the caller sees it)"
# Every runtime is measured by one definition, `zerostart bench`'s (docs/benchmarks/foundation.md),
# at 3008 MB: Lambda's CPU share for it is 1.7 vCPUs, the most this 2-vCPU machine can give.
# A bootstrap that takes arguments (the JVM's) gets a script of its own.
jvm_bootstrap() {
  local file="$raw/$1"
  shift
  printf '#!/bin/bash\nexec %q' "$java_bootstrap" > "$file"
  printf ' %q' "$@" >> "$file"
  printf '\n' >> "$file"
  chmod +x "$file"
  printf '%s' "$file"
}
cold_functions=("zerostart-echo=$bin/echo")
{
  if have_alc; then cold_functions+=("aws-lambda-cpp=$alc_echo")
  else skip aws-lambda-cpp "not built (bench/peers/build_aws_lambda_cpp_echo.sh $alc_dir)"; fi
  if have_node; then cold_functions+=("aws-lambda-ric=$ric_bootstrap")
  else skip aws-lambda-ric "node or tests/interop/node_modules missing (scripts/install-interop.sh)"; fi
  if have_curl; then cold_functions+=("bash-curl=$curl_bootstrap")
  else skip bash-curl "curl missing"; fi
  if have_java; then
    cold_functions+=("jvm-echo=$(jvm_bootstrap jvm-echo "$classes" "${jvm_fast[@]}")")
    cold_functions+=("jvm-echo-default-flags=$(jvm_bootstrap jvm-echo-default-flags "$classes")")
  else skip jvm-echo "java or $classes/JavaEcho.class missing"; fi
} > "$raw/cold-skipped.jsonl"
"$bin/zerostart" bench --memory 3008 --cold "${ZS_BENCH_COLD:-20}" --warm 1 --warmups 0 \
  --payload "$payload" --no-charts --out "$raw/cold" "${cold_functions[@]}" > /dev/null

log "process spawn -> exit of the static echo (the floor under the cold starts)"
# Without AWS_LAMBDA_RUNTIME_API the runtime prints one line and exits: what any cold start on
# this machine pays before a runtime's own work (fork/exec of a static ELF, exit, reap).
python3 - "$bin/echo" > "$raw/spawn_floor.json" <<'PY'
import json, os, sys, time
path = sys.argv[1]
null = os.open(os.devnull, os.O_WRONLY)
times = []
for _ in range(40):
    start = time.perf_counter()
    pid = os.posix_spawn(path, [path], {}, file_actions=[(os.POSIX_SPAWN_DUP2, null, 2)])
    os.waitpid(pid, 0)
    times.append((time.perf_counter() - start) * 1e3)
print(json.dumps({"runs": len(times), "samples_ms": times}))
PY

log "loopback TCP round trip (the floor under the warm figures)"
"$bin/zs_loopback_rtt" --count 20000 > "$raw/loopback.json"

log "warm invokes through zerostart serve (16-byte payload, one kept-open connection)"
{
  # Three rounds (a fresh emulator each): the report takes the median round and shows the spread.
  for _ in 1 2 3; do warm zerostart-echo 10000 500 "$bin/echo"; done
  if have_alc; then warm aws-lambda-cpp 5000 500 "$alc_echo"
  else skip aws-lambda-cpp "not built"; fi
  if have_node; then warm aws-lambda-ric 1000 100 "$ric_bootstrap"
  else skip aws-lambda-ric "node or node_modules missing"; fi
  if have_java; then warm jvm-echo 2000 500 "$java_bootstrap" "$classes" "${jvm_fast[@]}"
  else skip jvm-echo "java missing"; fi
  if have_curl; then warm bash-curl 50 3 "$curl_bootstrap"
  else skip bash-curl "curl missing"; fi
} > "$raw/warm.jsonl"

log "binary sizes"
for f in echo kmeans sin; do
  printf '{"name":"%s","bytes":%s,"file":"%s"}\n' "$f" "$(stat -c %s "$bin/$f")" \
    "$(file -b "$bin/$f" 2>/dev/null | tr -d '"' || echo unknown)"
done > "$raw/sizes.jsonl"

log "k-means: the zerostart function through the emulator vs Commons Math 3.6.1 on one warm JVM"
small='{"n":1000,"d":2,"k":4,"seed":42}'
large='{"n":100000,"d":3,"k":8,"seed":42}'
serve kmeans "$bin/kmeans"
{
  for _ in 1 2 3; do invoke "$small" > /dev/null; done
  for _ in $(seq 1 21); do printf '{"case":"small","response":%s}\n' "$(invoke "$small")"; done
  invoke "$large" > /dev/null
  for _ in $(seq 1 5); do printf '{"case":"large","response":%s}\n' "$(invoke "$large")"; done
} > "$raw/kmeans_cpp.jsonl"
stop_servers
if have_java && [ -f "$classes/KMeansBench.class" ] && [ -f "$jar" ]; then
  # The JVM with its default flags (G1), and with the serial collector, which is faster for this
  # allocation-heavy loop on 2 vCPUs: the comparison uses the faster of the two.
  {
    for flags in "" "-XX:+UseSerialGC"; do
      # shellcheck disable=SC2086  # $flags is empty or one flag
      printf '{"case":"small","flags":"%s","java":%s}\n' "$flags" \
        "$(java $flags -cp "$classes:$jar" KMeansBench 1000 2 4 42 20 21)"
      # shellcheck disable=SC2086
      printf '{"case":"large","flags":"%s","java":%s}\n' "$flags" \
        "$(java $flags -cp "$classes:$jar" KMeansBench 100000 3 8 42 10 5)"
    done
  } > "$raw/kmeans_java.jsonl"
else
  log "no JVM / KMeansBench / $jar: the Commons Math side is skipped"
  : > "$raw/kmeans_java.jsonl"
fi

log "sin: 10^7 dependent sin calls"
serve sin "$bin/sin"
{
  invoke '{"start":1.0,"iterations":10000000}' > /dev/null
  for _ in 1 2 3 4 5; do
    printf '{"response":%s}\n' "$(invoke '{"start":1.0,"iterations":10000000}')"
  done
} > "$raw/sin_cpp.jsonl"
stop_servers
if have_java; then
  java -cp "$classes" SinLoop 1.0 10000000 5 > "$raw/sin_java.json"
else
  : > "$raw/sin_java.json"
fi

cat /proc/loadavg > "$raw/load_after"
date -u +%Y-%m-%dT%H:%M:%SZ > "$raw/finished"
mkdir -p "$(dirname "$out")"
python3 "$repo/bench/foundation_report.py" "$raw" "$out"
log "results written to $out"
