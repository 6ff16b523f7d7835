# Shared by the installed-package tests (example_project_test.sh, new_project_test.sh): a scratch
# folder removed on exit, quiet steps, the install, and `zerostart serve` from the install.
# Source it after setting NAME (the test's name in messages); it sets $work.
work=$(mktemp -d "${TMPDIR:-/tmp}/zs-cmake-package.XXXXXX")
serve_pid=""
stop_serve() {
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
  serve_pid=""
}
cleanup() {
  stop_serve
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "$NAME: FAIL: $*" >&2; exit 1; }
# A command that fails under `set -e` says which, instead of ending the test silently.
trap 'echo "$NAME: FAIL: line $LINENO: $BASH_COMMAND (exit $?)" >&2' ERR
# Runs a step quietly; on failure shows its output.
run() {
  local log="$work/step.log"
  "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "$*"; }
}
# install_zerostart BUILD: `cmake --install` of what users' projects need into $work/prefix
# (built first: a no-op after a full build, as in `make test`); sets $prefix.
install_zerostart() {
  run cmake --build "$1" --target zerostart_runtime zerostart_http_event zerostart
  prefix="$work/prefix"
  run cmake --install "$1" --prefix "$prefix"
}
# start_serve SERVE_ARGUMENT...: the installed `zerostart serve --port 0 SERVE_ARGUMENT...`
# (e.g. `--memory 128 -- FUNCTION`, or `--template FILE`), started as the user would; sets
# $serve_pid and $port once its ready line is out.
start_serve() {
  : > "$work/serve.stderr"
  "$prefix/bin/zerostart" serve --port 0 "$@" 2>"$work/serve.stderr" &
  serve_pid=$!
  port=""
  for _ in $(seq 1 200); do
    port=$(sed -n 's|.*serving .* on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/serve.stderr" | head -n1)
    [ -n "$port" ] && return 0
    kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.stderr" >&2; fail "zerostart serve exited early"; }
    sleep 0.05
  done
  fail "zerostart serve did not become ready"
}
