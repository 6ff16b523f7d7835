#!/bin/bash
# The k-means / sin benchmark, in ONE run: zerostart's engine (Google Benchmark
# zs_kmeans_bench and the static driver zs_kmeans_driver) beside Apache Commons Math 3.6.1 on
# OpenJDK 17, warm (>= 5 runs in the same JVM before the timed ones), on the same requests;
# results (sizes, sse bits, center bits) asserted identical; the sin chain beside a plain C loop
# over glibc's sin; this CPU's non-fused multiply+add peak (zs_fp_peak_bench). Writes
# docs/benchmarks/kmeans-results.json and docs/benchmarks/kmeans.md (bench/kmeans_report.py),
# and exits 1 if a result differs.
#
#   bench/run_kmeans_bench.sh [BUILD_DIR]     (default: build; Release; takes 4-8 minutes)
#
# Needs in BUILD_DIR: bin/{zs_kmeans_bench,zs_fp_peak_bench,zs_kmeans_driver,zs_sin_c_loop} and
# bench/peers/classes/KMeansBench.class (cmake --build BUILD_DIR --target zs_kmeans_bench
# zs_fp_peak_bench zs_kmeans_driver zs_sin_c_loop bench_java_peers), python3, java,
# /usr/share/java/commons-math3.jar. Environment overrides:
#   ZS_BENCH_OUT_DIR=dir     where kmeans.md / kmeans-results.json go (default docs/benchmarks)
#   ZS_COMMONS_MATH_JAR=jar  Commons Math 3.6.1 (default /usr/share/java/commons-math3.jar)
#   ZS_BENCH_QUICK=1         fewer repetitions and Java runs (a smoke run; figures are rougher)
# shellcheck source=bench/preamble.sh
source "$(dirname "$0")/preamble.sh" "${1:-}"

classes="$build/bench/peers/classes"
jar="${ZS_COMMONS_MATH_JAR:-/usr/share/java/commons-math3.jar}"
quick="${ZS_BENCH_QUICK:-0}"
raw="$(mktemp -d "${TMPDIR:-/tmp}/zs-kmeans-bench.XXXXXX")"
trap 'rm -rf "$raw"' EXIT

# The benchmark-only programs are outside `all`: build them (a no-op when they are up to date).
cmake --build "$build" --target bench_tools > /dev/null
require "$bin/zs_kmeans_bench" "$bin/zs_fp_peak_bench" "$bin/zs_kmeans_driver" "$bin/zs_sin_c_loop"
[ -f "$classes/KMeansBench.class" ] || { log "$classes/KMeansBench.class is missing"; exit 1; }
[ -f "$jar" ] || { log "$jar is missing (apt install libcommons-math3-java)"; exit 1; }
command -v java > /dev/null || { log "java is missing"; exit 1; }

if [ "$quick" = 1 ]; then reps=1; java_scale=1; else reps=3; java_scale=2; fi

# The benchmark shapes: name n d k seed maxIterations java-warmups java-runs
shapes=(
  "small 1000 2 4 42 100 $((10 * java_scale)) $((10 * java_scale + 1))"
  "medium 100000 3 8 42 100 $((5 * java_scale)) $((2 * java_scale + 1))"
  "large 1000000 16 32 42 10 5 $java_scale"
)

date -u +%Y-%m-%dT%H:%M:%SZ > "$raw/started"
cat /proc/loadavg > "$raw/load_before"
git -C "$repo" rev-parse HEAD > "$raw/commit" 2> /dev/null || echo unknown > "$raw/commit"
GIT_OPTIONAL_LOCKS=0 git -C "$repo" status --porcelain -- functions bench 2> /dev/null | wc -l > "$raw/dirty" || echo 0 > "$raw/dirty"
printf '%s ' "$0" "$@" > "$raw/command"

log "non-fused multiply+add peak (zs_fp_peak_bench)"
"$bin/zs_fp_peak_bench" --benchmark_format=json --benchmark_repetitions=$((reps + 2)) \
  --benchmark_min_time=0.2 > "$raw/fp_peak.json"

log "C++ results, peak RSS and single-run times (static zs_kmeans_driver, threads 1 and 2)"
for shape in "${shapes[@]}"; do
  read -r name n d k seed iters _ _ <<< "$shape"
  for threads in 1 2; do
    printf '{"shape":"%s","driver":%s}\n' "$name" \
      "$("$bin/zs_kmeans_driver" cluster "$n" "$d" "$k" "$seed" "$iters" "$threads")"
  done
done > "$raw/driver.jsonl"
# "mode":"fast" where it may pay (large d and k): its results beside the exact ones.
for shape in "${shapes[@]}"; do
  read -r name n d k seed iters _ _ <<< "$shape"
  [ "$name" = small ] && continue
  printf '{"shape":"%s","driver":%s}\n' "$name" \
    "$("$bin/zs_kmeans_driver" cluster "$n" "$d" "$k" "$seed" "$iters" 1 fast)"
done > "$raw/driver_fast.jsonl"

log "Google Benchmark: generation, clustering (threads 1, 2), sin chain vs C loop"
"$bin/zs_kmeans_bench" --benchmark_format=json --benchmark_repetitions="$reps" \
  --benchmark_filter='BM_(GeneratePoints|NextDoublesL1|NextDouble|Cluster|AssignDense|Seeding)' > "$raw/gbench.json"

log "sin: static driver (the function's SinChain, static glibc) and the plain C loop, interleaved"
for _ in $(seq 1 $((reps * 2 + 1))); do
  printf '{"who":"function","r":%s}\n' "$("$bin/zs_kmeans_driver" sin 1.0 10000000)"
  printf '{"who":"c_loop","r":%s}\n' "$("$bin/zs_sin_c_loop" 1.0 10000000)"
done > "$raw/sin.jsonl"
"$bin/zs_kmeans_bench" --benchmark_format=json --benchmark_repetitions=$((reps + 2)) \
  --benchmark_filter='BM_SinChain' > "$raw/gbench_sin.json"

log "Commons Math 3.6.1 on OpenJDK 17, warm (one JVM per shape; the large one takes minutes)"
for shape in "${shapes[@]}"; do
  read -r name n d k seed iters warmups runs <<< "$shape"
  printf '{"shape":"%s","flags":"default","java":%s}\n' "$name" \
    "$(java -cp "$classes:$jar" KMeansBench "$n" "$d" "$k" "$seed" "$warmups" "$runs" "$iters")"
  if [ "$name" != large ]; then
    # The serial collector is faster for this allocation-heavy loop on 2 vCPUs: the report
    # compares with the faster of the two (as docs/benchmarks/foundation.md does).
    printf '{"shape":"%s","flags":"-XX:+UseSerialGC","java":%s}\n' "$name" \
      "$(java -XX:+UseSerialGC -cp "$classes:$jar" KMeansBench "$n" "$d" "$k" "$seed" "$warmups" "$runs" "$iters")"
  fi
done > "$raw/java.jsonl"

cat /proc/loadavg > "$raw/load_after"
date -u +%Y-%m-%dT%H:%M:%SZ > "$raw/finished"
mkdir -p "$out_dir"
python3 "$repo/bench/kmeans_report.py" "$raw" "$out_dir/kmeans-results.json" "$out_dir/kmeans.md"
log "written: $out_dir/kmeans-results.json, $out_dir/kmeans.md"
