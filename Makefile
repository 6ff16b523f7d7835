# zerostart's front door. `make demo` and `make test` are the README's quick start: each installs
# missing Debian packages itself, configures, builds and runs.
BUILD      ?= build
ASAN_BUILD ?= build-asan
ARM64_BUILD ?= build-arm64
JOBS       ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps build asan arm64 demo study soak test fuzz fuzz-corpus fuzz-build clean

all: build

deps:
	@bash scripts/install-deps.sh

# The Release tree: what ships (functions, the zerostart CLI, the JNI bridge) and the tests that
# run it (tests/: integration, interop, oracle, package, arm64). The tests beside the code are
# compiled and run once, in the ASan+UBSan tree (ZS_CODE_TESTS=OFF here).
# Every tree compiles through ccache when it is installed (cmake/ccache.cmake; the cache is in
# ${XDG_CACHE_HOME:-~/.cache}/zerostart, outside the clone).
build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DZS_ARM64_BUILD=$(abspath $(ARM64_BUILD)) \
	  -DZS_CODE_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# The ASan+UBSan build serves the tests that live beside the code (unit, in-process integration
# over loopback, and the fuzz targets replaying their committed corpora); -O1 -g1 keeps it quick
# to compile and readable in reports.
asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=None "-DCMAKE_CXX_FLAGS=-O1 -g1" \
	  -DZS_SANITIZE=ON -DZS_SYSTEM_TESTS=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

# The arm64 (Graviton) function binaries, cross-compiled (static, stripped) into
# $(ARM64_BUILD)/bin; tests/arm64 runs them under qemu-aarch64-static against the emulator.
arm64: deps
	@JOBS=$(JOBS) bash scripts/build-arm64.sh $(ARM64_BUILD)

# The main job: the emulator serving the k-means function, invoked cold then warm, with its
# START/END/REPORT lines.
demo: build
	@bash scripts/demo.sh $(BUILD)/bin

# The study: every function of this repository (C++ and Java k-means and sin, echo) at
# 128-3008 MB, cold and warm: `zerostart bench --config bench/study/study.json` into
# docs/benchmarks/study (results.json, report.md, SVG charts), then the study's page (study.md:
# its targets and the original study's claims, checked against the run); under 10 minutes.
# STUDY_FLAGS=--quick for a shorter run. The commit is recorded when git knows it.
STUDY_OUT   ?= docs/benchmarks/study
STUDY_FLAGS ?=
study: build
	@$(BUILD)/bin/zerostart bench --config bench/study/study.json --out $(STUDY_OUT) \
	  --commit "$$(git rev-parse HEAD 2>/dev/null || true)" $(STUDY_FLAGS)
	@$(BUILD)/bin/zs_study_claims $(STUDY_OUT)/results.json bench/study/study.md.in $(STUDY_OUT)/study.md
	@echo "study: $(STUDY_OUT)/study.md"

# The soak: 1,000,000 invokes through serve from 16 clients (exactly one right answer each; serve's
# memory, descriptors and threads flat after warm-up), then 100,000 in go1.x mode and 10,000
# streamed (InvokeWithResponseStream); then the chaos run, 10 minutes in Runtime API mode and 5 in
# go1.x mode (ZS_CHAOS_SECONDS=S for other lengths); figures into docs/benchmarks/soak*.json and
# chaos*.json. SOAK_FLAGS are passed to each soak run (e.g. --invokes 100000).
SOAK_FLAGS ?=
soak: build
	@bash bench/run_soak.sh $(BUILD) $(SOAK_FLAGS)

# Every test, once, never retried: the Release tree's (tests/), then the ASan+UBSan tree's (the
# tests beside the code, the fuzz targets replaying their committed corpora). Timed fuzzing is
# `make fuzz`.
test: arm64 build asan
	@bash scripts/run-tests.sh $(BUILD) $(ASAN_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(ARM64_BUILD) $(FUZZ_BUILD)

# libFuzzer (clang, ASan+UBSan) on the decoders of untrusted bytes, each for FUZZ_SECONDS
# (default 60) or, when FUZZ_RUNS is set, for that many executions, from its committed corpus:
# the HTTP parser, the chunked coding's round trip, the Gob stream decoder, the event-stream
# decoder and encoder round trip, the ELF reader, the zip reader, the Telemetry API subscription
# parser, the Function URL event builder and the k-means request reader. FUZZ_TARGETS picks some
# of them (scripts/fuzz.sh). `make fuzz-corpus` merges the corpora grown so far into the smallest
# set with the same coverage and writes it back to tests/testdata/*_corpus.
FUZZ_SECONDS ?= 60
FUZZ_BUILD   ?= build-fuzz
fuzz: fuzz-build
	@FUZZ_RUNS="$(FUZZ_RUNS)" FUZZ_TARGETS="$(FUZZ_TARGETS)" bash scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-corpus: fuzz-build
	@FUZZ_RUNS= FUZZ_TARGETS="$(FUZZ_TARGETS)" FUZZ_MINIMIZE=1 bash scripts/fuzz.sh $(FUZZ_BUILD) 0

# Only the fuzz targets are built in this tree (clang, no system tests).
FUZZ_TARGETS_BUILT = zs_http_parser_fuzz zs_http_chunked_fuzz zs_gob_decoder_fuzz \
  zs_eventstream_decoder_fuzz zs_eventstream_roundtrip_fuzz zs_elf_info_fuzz zs_zip_reader_fuzz \
  zs_telemetry_subscription_fuzz zs_function_url_event_fuzz zs_kmeans_request_fuzz
fuzz-build: deps
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	  -DCMAKE_C_COMPILER=clang -DZS_SYSTEM_TESTS=OFF -DZS_CODE_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target $(FUZZ_TARGETS_BUILT)
