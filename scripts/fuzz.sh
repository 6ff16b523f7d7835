#!/usr/bin/env bash
# Runs each libFuzzer target of a clang build (`make fuzz-build`) from its committed corpus: the
# HTTP parser, the chunked coding's round trip (writer -> parser), the Gob stream decoder, the
# event-stream decoder and the ELF reader of
# `zerostart package`, each for SECONDS.
#   scripts/fuzz.sh [BUILD [SECONDS]]      (default build-fuzz, 60 s; 0 seconds skips all)
# The corpora grow in BUILD/corpus/ (kept between runs, so later runs start where earlier ones
# stopped; the committed seeds are tests/testdata/{http,chunked,gob,eventstream,elf}_corpus, which
# `make test` replays on every run); each run's full output is in BUILD/fuzz-NAME.log. Prints one
# summary line per target (total execs, execs/s, corpus size). Exits non-zero if any target found
# a crash, leak or timeout (libFuzzer leaves the input as BUILD/crash-* / leak-* / timeout-*; its
# report is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
seconds=${2:-60}

# run NAME CORPUS_NAME ARGS...: one target; a summary line, or its report and a failure.
run() {
  local name=$1 corpus=$2
  shift 2
  local log="$build/fuzz-$name.log" dir="$build/corpus/$corpus"
  mkdir -p "$dir"
  cp -n "tests/testdata/${corpus}_corpus/"* "$dir/" 2>/dev/null || true
  echo "fuzz: $name for ${seconds}s"
  if ! "$build/bin/zs_${name}_fuzz" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$build/" \
       "$@" "$dir" >"$log" 2>&1; then
    echo "fuzz: $name FAILED; the end of $log:" >&2
    tail -n 60 "$log" >&2
    return 1
  fi
  local execs rate
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz: $name ok: ${execs:-?} execs in ${seconds}s (${rate:-?} execs/s), corpus $(ls "$dir" | wc -l) inputs"
}

# -max_total_time=0 would mean "forever" to libFuzzer: 0 seconds skips instead.
[ "$seconds" -gt 0 ] || exit 0
status=0
run http_parser http -dict=src/http/parser_fuzz.dict || status=1
run http_chunked chunked || status=1
run gob_decoder gob || status=1
run eventstream_decoder eventstream || status=1
run elf_info elf -max_len=16384 || status=1
run telemetry_subscription telemetry_subscription || status=1
exit $status
