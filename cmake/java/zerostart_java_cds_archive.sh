#!/bin/sh
# Writes a Java function package's application class-data-sharing archive, PACKAGE/lib/app.jsa:
# the JVM's classes parsed and verified once, at build time, then mapped at every start.
#   zerostart_java_cds_archive.sh ZEROSTART PACKAGE INVOKES PAYLOAD
# A training run: `ZEROSTART serve` runs PACKAGE/bootstrap with -XX:ArchiveClassesAtExit and
# -Dzerostart.exitAfterInvokes=INVOKES (dev.zerostart.Lambda, zerostart.jar), we invoke it
# INVOKES times with PAYLOAD, then the function's next readRequest exits the JVM cleanly, which
# writes the archive of every class those invokes loaded. The archive is written under another
# name and renamed only once the JVM has exited with 0: a partial one never reaches the package
# (JDK 17 falls back silently from a missing archive or a foreign one, but a truncated one
# crashes it). Exits non-zero, with the reason, when any step fails.
set -u
if [ "$#" -ne 4 ]; then
  echo "zerostart_java_cds_archive: usage: $0 ZEROSTART PACKAGE INVOKES PAYLOAD" >&2
  exit 64
fi
zerostart="$1"
package="$2"
invokes="$3"
payload="$4"
archive="$package/lib/app.jsa"
partial="$package/lib/app.jsa.partial"
log="$(mktemp "${TMPDIR:-/tmp}/zs-cds.XXXXXX")"
serve_pid=
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2> /dev/null && wait "$serve_pid" 2> /dev/null
  rm -f "$log" "$partial"
}
trap cleanup EXIT
fail() {
  echo "zerostart_java_cds_archive: $package: $1" >&2
  sed 's/^/  serve: /' "$log" >&2
  exit 1
}
# Polls `grep -q PATTERN $log` every 0.1 s for at most SECONDS; the exit status is grep's.
wait_for() {
  tries=$(($2 * 10))
  while [ "$tries" -gt 0 ]; do
    grep -q "$1" "$log" && return 0
    sleep 0.1
    tries=$((tries - 1))
  done
  return 1
}

# A stale archive would be mapped by the training JVM itself (the bootstrap uses it if present).
rm -f "$archive" "$partial"
# --no-freeze: the JVM must run on after its last answer, to exit. The archive's class path is
# the bootstrap's, relative to the package (it runs from there), so the package may move.
"$zerostart" serve --port 0 --no-limits --no-freeze \
  --env "ZEROSTART_JAVA_OPTS=-XX:ArchiveClassesAtExit=lib/app.jsa.partial -Dzerostart.exitAfterInvokes=$invokes" \
  -- "$package/bootstrap" > /dev/null 2> "$log" &
serve_pid=$!
wait_for ' on http://127\.0\.0\.1:[0-9]' 10 || fail "zerostart serve did not start"
port="$(sed -n 's/.* on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)"
i=0
while [ "$i" -lt "$invokes" ]; do
  response="$("$zerostart" invoke --port "$port" --payload "$payload" 2>> "$log")" ||
    fail "invoke $((i + 1)) of $invokes failed"
  case "$response" in
    *'"errorType"'*) fail "invoke $((i + 1)) of $invokes answered an error: $response" ;;
  esac
  i=$((i + 1))
done
wait_for 'exited between invokes (exit status 0)' 60 || fail "the JVM did not exit cleanly after $invokes invokes"
[ -s "$partial" ] || fail "the JVM exited without writing $partial"
mv "$partial" "$archive"
