#!/usr/bin/env bash
# The main job: `zerostart serve` runs the k-means function the way Lambda does; we invoke it
# twice (a cold start, then warm) and show the responses and the emulator's START/END/REPORT lines.
set -euo pipefail
bin=${1:-build/bin}
request='{"n":100000,"d":3,"k":8,"maxIterations":100,"seed":42}'

work=$(mktemp -d)
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: the emulator picks a free port and names it in its ready line on stderr. The file
# exists before tee starts, so the first poll never races tee's open.
: > "$work/stderr"
"$bin/zerostart" serve --port 0 --memory 1024 --timeout 30 -- "$bin/kmeans" 2> >(tee "$work/stderr" >&2) &
serve_pid=$!

port=""
for _ in $(seq 1 200); do
  port=$(sed -n 's|.*serving .* on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/stderr" | head -n1)
  [ -n "$port" ] && break
  kill -0 "$serve_pid" 2>/dev/null || { echo "demo: zerostart serve exited early" >&2; exit 1; }
  sleep 0.05
done
[ -n "$port" ] || { echo "demo: zerostart serve did not become ready" >&2; exit 1; }

echo "== invoke 1 (cold start): $request"
"$bin/zerostart" invoke --port "$port" --payload "$request"
sleep 0.1  # the emulator prints END/REPORT just after it answers: let them land before we go on
echo "== invoke 2 (warm)"
"$bin/zerostart" invoke --port "$port" --payload "$request"
sleep 0.1
