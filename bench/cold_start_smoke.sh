#!/bin/sh
# ctest bench_cold_start_smoke: zs_cold_start runs echo three times and prints a well-formed
# report whose runs all echoed the event. Checks the shape only, never a time.
#   cold_start_smoke.sh ZS_COLD_START ECHO
set -eu
out="$("$1" --runs 3 --warmup 0 --label echo -- "$2")"
echo "$out"
case "$out" in
  '{"label":"echo",'*'"runs":3,'*'"cold_ms":{"min":'*'"peak_rss_kib":{"min":'*'"samples_ms":['*']}') ;;
  *) echo "cold_start_smoke: unexpected report" >&2; exit 1 ;;
esac
# Three samples, each a positive number of milliseconds.
samples="$(printf '%s' "$out" | sed -n 's/.*"samples_ms":\[\([^]]*\)\].*/\1/p')"
count=0
for s in $(printf '%s' "$samples" | tr ',' ' '); do
  case "$s" in
    [0-9]*.[0-9][0-9][0-9]) count=$((count + 1)) ;;
    *) echo "cold_start_smoke: bad sample '$s'" >&2; exit 1 ;;
  esac
done
[ "$count" -eq 3 ] || { echo "cold_start_smoke: expected 3 samples, got $count" >&2; exit 1; }
# A zero VmHWM would mean the memory was read after the process was gone.
case "$out" in
  *'"peak_rss_kib":{"min":0,'*) echo "cold_start_smoke: VmHWM not read" >&2; exit 1 ;;
esac
