#!/usr/bin/env bash
# Runs each libFuzzer target of a clang build from its seed corpus: the HTTP parser for
# HTTP_SECONDS, then the Gob stream decoder for GOB_SECONDS (default: both SECONDS).
#   scripts/fuzz.sh [BUILD [SECONDS [GOB_SECONDS]]]     (0 seconds skips that target)
# The corpora grow in BUILD/corpus/ (kept between runs, so later runs start where earlier ones
# stopped); each run's full output is in BUILD/fuzz-NAME.log. Prints one summary line per target
# (total execs, execs/s, corpus size). Exits non-zero if either target found a crash, leak or
# timeout (libFuzzer leaves the input as BUILD/crash-* / leak-* / timeout-*; its report is printed).
set -euo pipefail
build=${1:-build-fuzz}
http_seconds=${2:-60}
gob_seconds=${3:-$http_seconds}

mkdir -p "$build/corpus/http" "$build/corpus/gob"
cp -n tests/testdata/http_corpus/* "$build/corpus/http/" 2>/dev/null || true
# Gob seeds: the fuzz input is a 4-byte split seed followed by the stream.
for f in tests/testdata/gob/*.gob; do
  seed="$build/corpus/gob/seed-$(basename "$f")"
  [ -e "$seed" ] || { printf '\0\0\0\0'; cat "$f"; } > "$seed"
done

# run NAME SECONDS ARGS...: one target; a summary line, or its report and a failure.
run() {
  local name=$1 seconds=$2
  shift 2
  local log="$build/fuzz-$name.log"
  echo "fuzz: $name for ${seconds}s"
  if ! "$build/bin/zs_${name}_fuzz" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$build/" \
       "$@" >"$log" 2>&1; then
    echo "fuzz: $name FAILED; the end of $log:" >&2
    tail -n 60 "$log" >&2
    return 1
  fi
  local execs rate corpus
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  corpus=$(ls "$build/corpus/${name%%_*}" | wc -l)
  echo "fuzz: $name ok: ${execs:-?} execs in ${seconds}s (${rate:-?} execs/s), corpus $corpus inputs"
}

status=0
# -max_total_time=0 would mean "forever" to libFuzzer: 0 seconds skips a target instead.
[ "$http_seconds" -eq 0 ] || run http_parser "$http_seconds" -dict=src/http/parser_fuzz.dict "$build/corpus/http" || status=1
[ "$gob_seconds" -eq 0 ] || run gob_decoder "$gob_seconds" "$build/corpus/gob" || status=1
exit $status
