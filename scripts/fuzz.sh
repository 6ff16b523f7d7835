#!/usr/bin/env bash
# Runs each libFuzzer target of a clang build for SECONDS from its seed corpus; the corpora grow
# in BUILD/corpus/. Exits non-zero on the first crash (libFuzzer leaves the input as crash-*).
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-60}

mkdir -p "$build/corpus/http" "$build/corpus/gob"
cp -n tests/testdata/http_corpus/* "$build/corpus/http/" 2>/dev/null || true
# Gob seeds: the fuzz input is a 4-byte split seed followed by the stream.
for f in tests/testdata/gob/*.gob; do
  seed="$build/corpus/gob/seed-$(basename "$f")"
  [ -e "$seed" ] || { printf '\0\0\0\0'; cat "$f"; } > "$seed"
done

"$build/bin/zs_http_parser_fuzz" -max_total_time="$seconds" -print_final_stats=1 \
  -dict=src/http/parser_fuzz.dict "$build/corpus/http"
"$build/bin/zs_gob_decoder_fuzz" -max_total_time="$seconds" -print_final_stats=1 \
  "$build/corpus/gob"
