#!/bin/bash
# The environment's lifecycle, measured: what one no-op external extension costs a function under
# `zerostart serve` (zs_extensions_bench: cold init and warm invokes, with and without it,
# alternating round by round in one run), and what one application log record costs in the
# runtime (zs_log_bench: zerostart/log.h, JSON and text, end to end and filtered).
#
#   bench/run_lifecycle.sh [BUILD_DIR]      (default: build; about half a minute)
#
# Builds what it needs in BUILD_DIR (a Release build) and prints Markdown; the raw figures go to
# docs/benchmarks/lifecycle-results.json (ZS_BENCH_OUT_DIR=dir to change).
# shellcheck source=bench/preamble.sh
source "$(dirname "$0")/preamble.sh" "${1:-}"

cmake --build "$build" --target zerostart echo noop-extension zs_extensions_bench zs_log_bench -j"$(nproc)" >/dev/null

cpu_line
echo
echo "## One no-op external extension against none (echo, --no-limits)"
echo
"$bin/zs_extensions_bench" --zerostart "$bin/zerostart" --function "$bin/echo" \
  --extension "$bin/noop-extension" --rounds 10 --warm-invokes 300 --json "$out_dir/lifecycle-results.json"
echo
echo "## One application log record (zerostart/log.h)"
echo
"$bin/zs_log_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_format=console 2>/dev/null | grep -E "median|Benchmark|---"
