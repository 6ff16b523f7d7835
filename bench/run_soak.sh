#!/bin/bash
# The soak (`make soak`): zs_soak (bench/soak.cc, whose header says what it checks) against
# `zerostart serve` with echo — 1,000,000 invokes over the Runtime API from 16 clients through up
# to 16 environments, then 100,000 in go1.x mode, each after 160 of 1 MiB that warm every
# environment's buffers up — and with the streamer test function, 10,000
# InvokeWithResponseStream calls (after the same warm-up, sampled every 50 ms: the run is
# short); each run fails on any invoke lost, answered twice or wrongly,
# or serve's RSS growing 1 % or more after warm-up. Then the chaos run (tests/chaos/chaos.h): ten
# minutes of faults from every side in Runtime API mode and five in go1.x mode, seeded
# (ZS_CHAOS_SECONDS=S sets the first; the second is half of it), failing on any problem it finds.
#
#   bench/run_soak.sh [BUILD_DIR] [zs_soak flags...]     (default: build; a few minutes)
#
# Writes docs/benchmarks/soak-runtime-api.json, soak-go1x.json and soak-stream.json
# (ZS_BENCH_OUT_DIR=dir to change) and the samples as CSV beside them; chaos-runtime-api.json and
# chaos-go1x.json with their tables as .md.
# shellcheck source=bench/preamble.sh
source "$(dirname "$0")/preamble.sh" "${1:-}"

shift || true

cmake --build "$build" --target zerostart echo streamer faulty zs_soak zs_chaos -j"$(nproc)" >/dev/null
chaos_seconds="${ZS_CHAOS_SECONDS:-600}"
cpu_line
status=0
"$bin/zs_soak" --zerostart "$bin/zerostart" --function "$bin/echo" --warmup 160 --invokes 1000000 \
  --json "$out_dir/soak-runtime-api.json" --csv "$out_dir/soak-runtime-api.csv" "$@" || status=1
"$bin/zs_soak" --zerostart "$bin/zerostart" --function "$bin/echo" --protocol go1x --warmup 160 --invokes 100000 \
  --json "$out_dir/soak-go1x.json" --csv "$out_dir/soak-go1x.csv" "$@" || status=1
"$bin/zs_soak" --zerostart "$bin/zerostart" --function "$bin/streamer" --stream --warmup 160 --invokes 10000 \
  --sample-ms 50 --json "$out_dir/soak-stream.json" --csv "$out_dir/soak-stream.csv" "$@" || status=1
for run in "runtime-api 7 $chaos_seconds" "go1x 8 $((chaos_seconds / 2))"; do
  read -r protocol seed seconds <<<"$run"
  "$bin/zs_chaos" --zerostart "$bin/zerostart" --faulty "$bin/faulty" --protocol "$protocol" --seed "$seed" \
    --seconds "$seconds" --json "$out_dir/chaos-$protocol.json" --markdown "$out_dir/chaos-$protocol.md" || status=1
done
# The chart: serve's and the functions' memory and serve's descriptors along the run.
if command -v gnuplot >/dev/null; then
  for run in runtime-api go1x stream; do
    gnuplot <<GNUPLOT
set terminal svg size 900,420 dynamic font "sans,11"
set output "$out_dir/soak-$run.svg"
set datafile separator ","
set key top left
set xlabel "invokes answered"
set ylabel "MiB"
set y2label "open descriptors / threads of serve"
set y2tics
set ytics nomirror
set yrange [0:*]
set y2range [0:*]
set title "zerostart serve under 16 clients ($run): memory and descriptors"
plot "$out_dir/soak-$run.csv" using 2:(\$3/1024) skip 1 with lines title "serve RSS", \
     "" using 2:(\$6/1024) skip 1 with lines title "function processes' RSS (all)", \
     "" using 2:4 skip 1 axes x1y2 with lines dashtype 2 title "serve fds", \
     "" using 2:5 skip 1 axes x1y2 with lines dashtype 3 title "serve threads"
GNUPLOT
  done
fi
exit $status
