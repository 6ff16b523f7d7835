#!/usr/bin/env bash
# Runs every test once, with ctest, never retrying one: first the Release tree's (tests/: the
# shipped binaries end to end, interop with peers we did not write, the Commons Math oracle,
# packaging, arm64 under qemu), then the ASan+UBSan tree's (the tests beside the code: unit,
# in-process integration, and the fuzz targets replaying their committed corpora).
#   scripts/run-tests.sh [RELEASE_BUILD [ASAN_BUILD]]      (default build, build-asan)
# ZS_TEST_JOBS sets ctest's parallelism (default 2). Prints ctest's summaries; exits non-zero if
# any test failed.
set -uo pipefail
cd "$(dirname "$0")/.."
release=${1:-build}
asan=${2:-build-asan}
jobs=${ZS_TEST_JOBS:-2}

bash scripts/install-interop.sh || echo "run-tests: npm peers unavailable; interop tests will be skipped" >&2

status=0
echo "== Release build: the tests of the shipped binaries (tests/)"
ctest --test-dir "$release" --output-on-failure -j"$jobs" || status=1
echo "== ASan+UBSan build: the tests beside the code"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$asan" --output-on-failure -j"$jobs" || status=1
exit $status
