#!/usr/bin/env bash
# Runs each libFuzzer target of a clang build (`make fuzz-build`; ASan and UBSan) from its
# committed corpus: the HTTP parser, the chunked coding's round trip (writer -> parser), the Gob
# stream decoder, the event-stream decoder and its encoder -> decoder round trip, the ELF reader
# of `zerostart package`, the zip reader that unpacks deployment zips, the Telemetry API
# subscription parser, the Function URL event builder and the k-means request reader.
#   scripts/fuzz.sh [BUILD [SECONDS]]      (default build-fuzz, 60 s; 0 seconds skips fuzzing)
# Environment:
#   FUZZ_RUNS=N        run each target for N executions (libFuzzer -runs=N) instead of SECONDS
#   FUZZ_TARGETS="a b" only these targets (names as in the list at the end: http_parser, ...)
#   FUZZ_ARGS="..."    more libFuzzer flags for every target, after the target's own (a later
#                      flag wins: FUZZ_ARGS="-max_total_time=600" caps a FUZZ_RUNS run)
#   FUZZ_MINIMIZE=1    afterwards, merge each target's grown corpus (and the committed one) into a
#                      fresh directory (libFuzzer -merge=1: the smallest set of inputs that keeps
#                      all the coverage) and write it back as the committed corpus
#                      tests/testdata/CORPUS_corpus. Inputs named by hand there (seeds that show
#                      a case; regression-*, inputs that once found a defect) are kept as they
#                      are; those named by libFuzzer (the SHA-1 of their bytes) are replaced.
# The corpora grow in BUILD/corpus/CORPUS (kept between runs, so later runs start where earlier
# ones stopped); each run's full output is in BUILD/fuzz-NAME.log. Prints one summary line per
# target: executions, wall time, execs/s, libFuzzer's final coverage (cov: edges reached, ft:
# features) and the corpus size. Exits non-zero if any target found a crash, leak, timeout or
# sanitizer report (libFuzzer leaves the input as BUILD/crash-* / leak-* / timeout-*; its report
# is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
seconds=${2:-60}
runs=${FUZZ_RUNS:-}
only=${FUZZ_TARGETS:-}
minimize=${FUZZ_MINIMIZE:-0}

# A committed corpus should stay small enough to replay in a second or two on every test run.
max_inputs=500
max_bytes=$((1024 * 1024))

# bytes DIR: the total size of the files in DIR.
total_bytes() {
  find "$1" -type f -printf '%s\n' | awk '{ n += $1 } END { print n + 0 }'
}

selected() {
  [ -z "$only" ] || [[ " $only " == *" $1 "* ]]
}

# summary NAME LOG DIR WALL: the figures of one run's log.
summary() {
  local name=$1 log=$2 dir=$3 wall=$4 execs rate last cov ft
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  # libFuzzer's status lines: "#123456 pulse  cov: 812 ft: 3021 corp: ..."; the last one counts.
  last=$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\) .*/\1/p' <<<"$last")
  echo "fuzz: $name ok: ${execs:-?} execs in ${wall}s (${rate:-?} execs/s), cov ${cov:-?}, ft ${ft:-?}," \
       "corpus $(find "$dir" -type f | wc -l) inputs ($(total_bytes "$dir") bytes)"
}

# run NAME CORPUS_NAME ARGS...: one target; a summary line, or its report and a failure.
run() {
  local name=$1 corpus=$2
  shift 2
  selected "$name" || return 0
  local log="$build/fuzz-$name.log" dir="$build/corpus/$corpus" limit
  mkdir -p "$dir"
  cp -n "tests/testdata/${corpus}_corpus/"* "$dir/" 2>/dev/null || true
  if [ -n "$runs" ]; then
    limit=(-runs="$runs")
    echo "fuzz: $name for $runs executions"
  elif [ "$seconds" -gt 0 ]; then
    limit=(-max_total_time="$seconds")
    echo "fuzz: $name for ${seconds}s"
  else
    limit=()  # -max_total_time=0 would mean "forever" to libFuzzer: 0 seconds skips instead
  fi
  if [ ${#limit[@]} -gt 0 ]; then
    local start=$SECONDS
    if ! "$build/bin/zs_${name}_fuzz" "${limit[@]}" -print_final_stats=1 -artifact_prefix="$build/" \
         "$@" ${FUZZ_ARGS:-} "$dir" >"$log" 2>&1; then
      echo "fuzz: $name FAILED; the end of $log:" >&2
      tail -n 60 "$log" >&2
      return 1
    fi
    summary "$name" "$log" "$dir" $((SECONDS - start))
  fi
  [ "$minimize" = 1 ] && minimize_corpus "$name" "$corpus" "$@"
  return 0
}

# merge NAME FRESH GROWN COMMITTED ARGS...: libFuzzer's merge of GROWN and COMMITTED into FRESH.
merge() {
  local name=$1 fresh=$2 grown=$3 committed=$4
  shift 4
  if ! "$build/bin/zs_${name}_fuzz" -merge=1 -artifact_prefix="$build/" "$@" "$fresh" "$grown" "$committed" \
       >"$build/merge-$name.log" 2>&1; then
    echo "fuzz: $name merge FAILED; the end of $build/merge-$name.log:" >&2
    tail -n 40 "$build/merge-$name.log" >&2
    return 1
  fi
}

# minimize_corpus NAME CORPUS_NAME ARGS...: the grown and the committed corpus merged into the
# smallest set with the same coverage, written back to tests/testdata/CORPUS_corpus.
minimize_corpus() {
  local name=$1 corpus=$2
  shift 2
  local committed="tests/testdata/${corpus}_corpus" fresh="$build/corpus-min/$corpus"
  local grown="$build/corpus/$corpus"
  mkdir -p "$grown"
  rm -rf "$fresh"
  mkdir -p "$fresh"
  local before_files before_bytes
  before_files=$(find "$grown" -type f | wc -l)
  before_bytes=$(total_bytes "$grown")
  merge "$name" "$fresh" "$grown" "$committed" "$@" || return 1
  if [ "$(find "$fresh" -type f | wc -l)" -gt "$max_inputs" ]; then
    # Too many inputs to keep: merge again keeping only what reaches new edges (hit counts
    # no longer tell inputs apart).
    rm -rf "$fresh"
    mkdir -p "$fresh"
    merge "$name" "$fresh" "$grown" "$committed" "$@" -use_counters=0 || return 1
  fi
  # libFuzzer names what it writes by the SHA-1 of the contents; other names were given by hand
  # (a seed that shows a case, a regression-* input) and stay, and the merge's copy of one goes.
  find "$committed" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
  local kept
  kept=$(find "$committed" -maxdepth 1 -type f -exec sha1sum {} + | cut -d' ' -f1)
  for input in "$fresh"/*; do
    grep -qx "$(basename "$input")" <<<"$kept" || cp "$input" "$committed/"
  done
  local files bytes
  files=$(find "$committed" -type f | wc -l)
  bytes=$(total_bytes "$committed")
  echo "fuzz: $name corpus minimized: $before_files inputs ($before_bytes bytes) grown -> $committed:" \
       "$files inputs ($bytes bytes)"
  if [ "$files" -gt "$max_inputs" ] || [ "$bytes" -gt "$max_bytes" ]; then
    echo "fuzz: $name: $committed is over $max_inputs inputs or $max_bytes bytes; lower -max_len" >&2
    return 1
  fi
}

status=0
run http_parser http -dict=src/http/parser_fuzz.dict || status=1
run http_chunked chunked || status=1
run gob_decoder gob || status=1
run eventstream_decoder eventstream || status=1
run eventstream_roundtrip eventstream_roundtrip || status=1
run elf_info elf -max_len=16384 || status=1
run zip_reader zip_reader -max_len=16384 || status=1
run telemetry_subscription telemetry_subscription || status=1
run function_url_event function_url_event -dict=src/emulator/function_url_event_fuzz.dict || status=1
run kmeans_request kmeans_request -dict=functions/kmeans/kmeans_request_fuzz.dict || status=1
exit $status
