# shellcheck shell=bash
# Sourced by the bash interop tests that drive `zerostart serve` with a client: starting it on
# a free port, finding everything it started, stopping it, and ok/fail bookkeeping.
#
# The caller sets `bin_dir` (where zerostart is built) and then calls serve_init [SECONDS]
# once; it gets $work (a temp dir removed on exit), ok/fail/finish, start_emulator FUNCTION
# [ARGS] or start_serve ARGS, which set $base_url, and stop_emulator. On any exit the emulator gets SIGTERM and
# every process it started must be gone within 5 s (else a failure), then is killed
# regardless. A run still going after SECONDS (default 80; keep each command bounded too) is
# failed and stopped that way.

serve_init() {
  local deadline="${1:-80}"
  work="$(mktemp -d "${TMPDIR:-/tmp}/zs-interop.XXXXXX")" || exit 1
  run_id="$(basename "$work")"
  emulator_pid=""
  failures=0
  ( trap 'kill "$!" 2>/dev/null; exit 0' TERM
    sleep "$deadline" & wait "$!"
    echo "FAIL  the whole run took more than $deadline s"
    kill -TERM $$ ) &
  watchdog_pid=$!
  # Last, whatever this shell still has in the background (a curl cut short by the deadline).
  trap 'kill "$watchdog_pid" 2>/dev/null; stop_emulator; kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
  trap 'exit 1' TERM INT HUP
}

ok()   { echo "ok    $*"; }
fail() { echo "FAIL  $*"; failures=$((failures + 1)); }

# finish WHAT: prints the verdict and exits 0 (no failure) or 1.
finish() {
  if [ "$failures" -eq 0 ]; then
    echo "PASS  $1"
    exit 0
  fi
  echo "FAIL  $failures check(s) failed: $1"
  exit 1
}

# PIDs of every process started for this run: ZS_INTEROP_RUN_ID in the environment (it
# reaches the function unless the emulator scrubs it) or the emulator's process group.
run_pids() {
  local dir pid kv pgid stat
  for dir in /proc/[0-9]*; do
    pid="${dir#/proc/}"
    [ "$pid" = "$$" ] && continue
    if [ -n "$emulator_pid" ] && read -r stat 2>/dev/null < "$dir/stat"; then
      stat="${stat##*) }"              # drop "pid (comm) "
      read -r _ _ pgid _ <<< "$stat"   # state ppid pgrp
      if [ "$pgid" = "$emulator_pid" ]; then echo "$pid"; continue; fi
    fi
    while IFS= read -r -d '' kv; do
      if [ "$kv" = "ZS_INTEROP_RUN_ID=$run_id" ]; then echo "$pid"; break; fi
    done 2>/dev/null < "$dir/environ"
  done
}

stop_emulator() {
  [ -n "$emulator_pid" ] || return 0
  kill -TERM "$emulator_pid" 2>/dev/null
  local left="" i pid
  for i in $(seq 50); do
    left="$(run_pids)"
    [ -z "$left" ] && break
    sleep 0.1
  done
  if [ -n "$left" ]; then
    fail "processes still running 5 s after SIGTERM to the emulator: ${left//$'\n'/ }"
    for pid in $left; do kill -CONT "$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null; done
  fi
  wait "$emulator_pid" 2>/dev/null
  emulator_pid=""
  if [ "$failures" -gt 0 ] && [ -s "$work/emulator.log" ]; then
    echo "# emulator stderr (last 40 lines):"; tail -n 40 "$work/emulator.log" | sed 's/^/      /'
  fi
}

# start_emulator FUNCTION [SERVE OPTIONS...]: `zerostart serve --port 0 OPTIONS -- FUNCTION`;
# sets $base_url from its ready line. Its stdout (START/END/REPORT) is $work/emulator.stdout.
start_emulator() {
  local function="$1"
  shift
  start_serve "$@" -- "$function"
}

# start_serve ARGS...: `zerostart serve --port 0 ARGS` (e.g. --template FILE), as start_emulator.
start_serve() {
  local log="$work/emulator.log" i
  : > "$log"
  echo "# $bin_dir/zerostart serve --port 0 $*"
  # setsid: the emulator leads a new process group, so whatever it starts can be found.
  ZS_INTEROP_RUN_ID="$run_id" setsid "$bin_dir/zerostart" serve --port 0 "$@" \
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

header() {  # header NAME FILE -> value of the first header NAME (case-insensitive)
  tr -d '\r' < "$2" | awk -v h="$(echo "$1" | tr 'A-Z' 'a-z')" -F': *' \
    'tolower($1) == h { sub(/^[^:]*: */, ""); print; exit }'
}

status_of() {  # status_of FILE -> the status code of the last response head in FILE
  tr -d '\r' < "$1" | awk '/^HTTP\// { code = $2 } END { print code }'
}
