#!/usr/bin/env bash
# Runs every test of the Release build, then those of the ASan+UBSan build (the tests beside the
# code: unit, and in-process integration), with ctest; then, when ZS_FUZZ_BUILD names a built
# fuzz tree (`make fuzz-build`), the HTTP parser fuzzer for ZS_FUZZ_HTTP_SECONDS (30) and the Gob
# decoder fuzzer for ZS_FUZZ_GOB_SECONDS (60) via scripts/fuzz.sh (0 skips one).
# Prints ctest's summaries and the fuzzers' figures; exits non-zero if any test failed or a fuzzer
# found a crash.
set -uo pipefail
release=${1:-build}
asan=${2:-build-asan}
jobs=${ZS_TEST_JOBS:-2}

bash scripts/install-interop.sh || echo "run-tests: npm peers unavailable; interop tests will be skipped" >&2

status=0
echo "== Release build: all tests"
# until-pass:2 reruns a failed test once: a few integration tests wait on real processes and
# wall-clock gaps (timeouts, queue order) that a loaded 2-core CI machine can stretch.
ctest --test-dir "$release" --output-on-failure -j"$jobs" --repeat until-pass:2 || status=1
echo "== ASan+UBSan build: the tests beside the code"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$asan" --output-on-failure -j"$jobs" --repeat until-pass:2 || status=1

fuzz_build=${ZS_FUZZ_BUILD:-}
if [ -n "$fuzz_build" ]; then
  echo "== Fuzzing (corpora in $fuzz_build/corpus)"
  bash scripts/fuzz.sh "$fuzz_build" "${ZS_FUZZ_HTTP_SECONDS:-30}" "${ZS_FUZZ_GOB_SECONDS:-60}" || status=1
fi
exit $status
