#!/usr/bin/env bash
# Runs every test of the Release build, then those of the ASan+UBSan build (the tests beside the
# code: unit, and in-process integration), with ctest; then, when ZS_FUZZ_BUILD names a built
# fuzz tree (`make fuzz-build`), the HTTP parser fuzzer for ZS_FUZZ_HTTP_SECONDS (30) and the Gob
# decoder fuzzer for ZS_FUZZ_GOB_SECONDS (60) via scripts/fuzz.sh, and the ELF reader of
# `zerostart package` for ZS_FUZZ_ELF_SECONDS (20) (0 skips one).
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
  # `zerostart package`'s ELF reader (src/package/elf_info.h) for ZS_FUZZ_ELF_SECONDS (20; 0
  # skips), from tests/testdata/elf_corpus; its target is built here if the fuzz tree lacks it.
  elf_seconds=${ZS_FUZZ_ELF_SECONDS:-20}
  if [ "$elf_seconds" -gt 0 ]; then
    elf_log="$fuzz_build/fuzz-elf_info.log"
    mkdir -p "$fuzz_build/corpus/elf"
    cp -n tests/testdata/elf_corpus/* "$fuzz_build/corpus/elf/" 2>/dev/null || true
    echo "fuzz: elf_info for ${elf_seconds}s"
    if cmake --build "$fuzz_build" --target zs_elf_info_fuzz >"$elf_log" 2>&1 &&
       "$fuzz_build/bin/zs_elf_info_fuzz" -max_total_time="$elf_seconds" -max_len=16384 -print_final_stats=1 \
         -artifact_prefix="$fuzz_build/" "$fuzz_build/corpus/elf" >>"$elf_log" 2>&1; then
      echo "fuzz: elf_info ok: $(sed -n 's/^stat::number_of_executed_units: *//p' "$elf_log") execs in" \
           "${elf_seconds}s, corpus $(ls "$fuzz_build/corpus/elf" | wc -l) inputs"
    else
      echo "fuzz: elf_info FAILED; the end of $elf_log:" >&2
      tail -n 60 "$elf_log" >&2
      status=1
    fi
  fi
fi
exit $status
