#!/bin/bash
# Runs runtimes this project did not write under zerostart's emulator and checks, with curl on
# the invoke endpoint, what comes back.
#
#   ric_under_emulator.sh [--peer ric|curl|all] [--fake] BIN_DIR
#
# Peers (each started as `BIN_DIR/zerostart serve --port 0 -- BOOTSTRAP`):
#   ric   ric/bootstrap: AWS's Node.js Runtime Interface Client (npm aws-lambda-ric, native
#         aws-lambda-cpp + libcurl inside) with the handler ric/index.mjs.
#   curl  curl_echo_bootstrap.sh: bash + curl.
# Both: {"action":"error"} -> function error InteropError, anything else echoed unchanged.
# --fake uses fake_emulator.mjs instead of BIN_DIR/zerostart (to check this script and the
# peers when the emulator is not built).
#
# Checks per peer: echo round trips byte for byte (small, unicode, ~4 KiB), a thrown error
# comes back as HTTP 200 + X-Amz-Function-Error + JSON errorType "InteropError", and the
# invokes after it still work. On exit (any exit) the emulator gets SIGTERM; every process it
# started must be gone within 5 s (else the check fails), and is then killed regardless.
#
# Exit: 0 pass, 1 fail, 2 usage, 77 skipped (the ric peer alone was asked for and
# node_modules is not installed: run scripts/install-interop.sh).
set -u

here="$(cd "$(dirname "$0")" && pwd)"
peer=all
fake=0
bin_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --peer) peer="${2:-}"; shift 2 ;;
    --peer=*) peer="${1#--peer=}"; shift ;;
    --fake) fake=1; shift ;;
    -*) echo "usage: $0 [--peer ric|curl|all] [--fake] BIN_DIR" >&2; exit 2 ;;
    *) bin_dir="$1"; shift ;;
  esac
done
case "$peer" in ric|curl|all) ;; *) echo "unknown peer: $peer" >&2; exit 2 ;; esac
if [ "$fake" = 0 ] && [ -z "$bin_dir" ]; then
  echo "usage: $0 [--peer ric|curl|all] [--fake] BIN_DIR" >&2
  exit 2
fi

if [ "$fake" = 1 ]; then
  emulator=(node "$here/fake_emulator.mjs")
else
  if [ ! -x "$bin_dir/zerostart" ]; then
    echo "FAIL  $bin_dir/zerostart is not built" >&2
    exit 1
  fi
  emulator=("$bin_dir/zerostart")
fi

ric_ready=1
[ -f "$here/node_modules/aws-lambda-ric/rapid-client.node" ] || ric_ready=0
if [ "$peer" = ric ] && [ "$ric_ready" = 0 ]; then
  echo "SKIP  aws-lambda-ric is not installed in $here/node_modules: run scripts/install-interop.sh"
  exit 77
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/zs-interop.XXXXXX")" || exit 1
run_id="$(basename "$work")"
emulator_pid=""
failures=0

# ok/fail, run_pids and stop_emulator are serve_lib.sh's; start_emulator below replaces its
# own (the emulator here may be the fake one, and the function takes no serve options).
# shellcheck source=serve_lib.sh
source "$here/serve_lib.sh"

cleanup() {
  stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' TERM INT HUP

# Starts the emulator on BOOTSTRAP and sets $base_url from its ready line.
start_emulator() {
  local bootstrap="$1" log="$work/emulator.log" i
  : > "$log"
  # setsid: the emulator leads a new process group, so whatever it starts can be found.
  ZS_INTEROP_RUN_ID="$run_id" setsid "${emulator[@]}" serve --port 0 -- "$bootstrap" \
    2> "$log" > "$work/emulator.stdout" < /dev/null &
  emulator_pid=$!
  base_url=""
  for i in $(seq 200); do   # 20 s
    base_url="$(grep -m1 '^zerostart: serving' "$log" | grep -Eo 'http://127\.0\.0\.1:[0-9]+' | head -n1)"
    [ -n "$base_url" ] && return 0
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
      fail "emulator exited before its ready line; stderr:"; sed 's/^/      /' "$log"
      emulator_pid=""
      return 1
    fi
    sleep 0.1
  done
  fail "no ready line from the emulator within 20 s; stderr:"; sed 's/^/      /' "$log"
  return 1
}

# invoke NAME PAYLOAD_FILE: sets $status; body in $work/NAME.out, headers in $work/NAME.hdr.
invoke() {
  status="$(curl -sS --max-time 20 -o "$work/$1.out" -D "$work/$1.hdr" -w '%{http_code}' \
    -H 'Content-Type: application/json' --data-binary "@$2" \
    "$base_url/2015-03-31/functions/function/invocations" 2> "$work/$1.err")" || {
    status="curl failed: $(cat "$work/$1.err")"
  }
}

header() {  # header NAME FILE -> value of the first header NAME (case-insensitive)
  tr -d '\r' < "$2" | awk -v h="$(echo "$1" | tr 'A-Z' 'a-z')" -F': *' \
    'tolower($1) == h { sub(/^[^:]*: */, ""); print; exit }'
}

check_echo() {  # check_echo NAME PAYLOAD_TEXT
  printf '%s' "$2" > "$work/$1.in"
  invoke "$1" "$work/$1.in"
  local size; size="$(wc -c < "$work/$1.in")"
  if [ "$status" = 200 ] && cmp -s "$work/$1.in" "$work/$1.out"; then
    ok "$peer_name: echo $1 ($size bytes) byte for byte"
  else
    fail "$peer_name: echo $1 ($size bytes): status $status, body $(head -c 200 "$work/$1.out" 2>/dev/null)"
  fi
}

check_error() {  # check_error NAME
  printf '%s' '{"action":"error"}' > "$work/$1.in"
  invoke "$1" "$work/$1.in"
  local function_error body
  function_error="$(header X-Amz-Function-Error "$work/$1.hdr" 2>/dev/null)"
  body="$(cat "$work/$1.out" 2>/dev/null)"
  if [ "$status" = 200 ] && [ -n "$function_error" ] &&
     printf '%s' "$body" | grep -Eq '"errorType" *: *"InteropError"' &&
     printf '%s' "$body" | grep -Eq '"errorMessage" *: *"requested error"'; then
    ok "$peer_name: thrown error -> 200, X-Amz-Function-Error: $function_error, errorType InteropError"
  else
    fail "$peer_name: thrown error: status $status, X-Amz-Function-Error '${function_error}', body $(printf '%s' "$body" | head -c 300)"
  fi
}

run_peer() {  # run_peer NAME BOOTSTRAP
  peer_name="$1"
  echo "# $peer_name: ${emulator[*]} serve --port 0 -- $2"
  start_emulator "$2" || { stop_emulator; return; }
  check_echo small '{"hello":"world"}'
  check_echo unicode $'{"s":"h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \U0001F600","n":-1.5e-7}'
  check_echo 4k "{\"data\":\"$(head -c 4000 /dev/zero | tr '\0' 'k')\"}"
  check_error error
  check_echo after-error '{"after":"error"}'
  check_echo sequential '{"n":2}'
  stop_emulator
  if [ -s "$work/emulator.log" ] && [ "$failures" -gt 0 ]; then
    echo "# emulator stderr:"; sed 's/^/      /' "$work/emulator.log" | tail -n 40
  fi
}

if [ "$peer" = curl ] || [ "$peer" = all ]; then
  run_peer curl "$here/curl_echo_bootstrap.sh"
fi
if [ "$peer" = ric ] || [ "$peer" = all ]; then
  if [ "$ric_ready" = 1 ]; then
    run_peer aws-lambda-ric "$here/ric/bootstrap"
  else
    echo "SKIP  aws-lambda-ric: not installed in $here/node_modules (run scripts/install-interop.sh)"
  fi
fi

if [ "$failures" -eq 0 ]; then
  echo "PASS  peers under ${emulator[*]}"
  exit 0
fi
echo "FAIL  $failures check(s) failed under ${emulator[*]}"
exit 1
