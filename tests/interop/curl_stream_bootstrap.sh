#!/bin/bash
# A streaming Lambda custom runtime written with nothing but bash and curl: it answers every
# event with a response stream (Lambda-Runtime-Function-Response-Mode: streaming), posted as a
# chunked request body that curl reads from a pipe while the handler is still writing to it.
# A streaming runtime this project did not write, used as a peer for zerostart's emulator.
#
# Contract (the event is JSON; fields are found by pattern, so keep them flat):
#   "lines":N          write N lines "line I of N\n" (default 3, at most 1000), one write each
#   "interval_ms":D    pause D ms between lines (default 100)
#   "wait_file":"P"    after the first line, wait until the file P exists (at most 30 s), then
#                      write the rest: a caller that sees line 1 before it creates P has
#                      proof the answer was streamed
# The answer's Content-Type is text/plain.
# A Function URL event (it has "rawPath") takes the same settings from the request's headers
# x-lines, x-interval-ms, x-wait-file, plus x-status (default 200), and is answered as an HTTP
# response stream (Content-Type application/vnd.awslambda.http-integration-response): the
# JSON prelude {"statusCode":S,"headers":{"content-type":"text/event-stream",
# "x-runtime":"bash+curl"},"cookies":["session=abc; Path=/","theme=dark"]}, 8 NUL bytes, then
# one server-sent event "data: line I of N\n\n" per write.
# Before streaming it prints "curl_stream_bootstrap: streaming N lines" to stdout (the
# function's log).
#
# `-T -` makes curl send what it reads from the pipe as HTTP chunks as soon as each read
# returns, so every line leaves on its own. SIGTERM ends the runtime at once, also while it
# waits in /next or streams.
set -u

api="http://${AWS_LAMBDA_RUNTIME_API:?AWS_LAMBDA_RUNTIME_API is not set}/2018-06-01/runtime"
work="$(mktemp -d "${TMPDIR:-/tmp}/curl-stream-bootstrap.XXXXXX")" || exit 1
child_pid=""
trap 'rm -rf "$work"' EXIT
trap '[ -n "$child_pid" ] && kill "$child_pid" 2>/dev/null; exit 0' TERM INT

# field NAME: the value of a flat "NAME":number or "NAME":"string" in the event ("" if none).
field() {
  tr -d '\n\r\t' < "$work/event" |
    grep -Eo "\"$1\" *: *(\"[^\"]*\"|[0-9]+)" | head -n1 | sed -E 's/^[^:]*: *"?//; s/"$//'
}

# write_lines N INTERVAL_MS WAIT_FILE FORMAT: the handler's output, to stdout (the pipe to
# curl); FORMAT is a printf format taking I and N.
write_lines() {
  local n="$1" pause i deadline
  pause="$(printf '%d.%03d' $(($2 / 1000)) $(($2 % 1000)))"
  for ((i = 1; i <= n; i++)); do
    printf "$4" "$i" "$n"
    if [ "$i" = 1 ] && [ -n "$3" ]; then
      deadline=$((SECONDS + 30))
      until [ -e "$3" ] || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.01; done
    fi
    [ "$i" -lt "$n" ] && sleep "$pause"
  done
}

# url_stream N INTERVAL_MS WAIT_FILE STATUS: a Function URL's HTTP response stream.
url_stream() {
  printf '{"statusCode":%d,"headers":{"content-type":"text/event-stream","x-runtime":"bash+curl"},' "$4"
  printf '"cookies":["session=abc; Path=/","theme=dark"]}'
  printf '\0\0\0\0\0\0\0\0'
  write_lines "$1" "$2" "$3" 'data: line %d of %d\n\n'
}

while true; do
  # No client timeout: between invokes the process may be frozen (SIGSTOP) or simply idle.
  curl -sS -o "$work/event" -D "$work/headers" "$api/invocation/next" &
  child_pid=$!
  wait "$child_pid"
  next_status=$?
  child_pid=""
  if [ "$next_status" -gt 128 ]; then
    exit 0  # curl was killed by a signal: the whole process tree is being stopped
  elif [ "$next_status" -ne 0 ]; then
    echo "curl_stream_bootstrap: GET /next failed" >&2
    exit 1
  fi
  request_id="$(tr -d '\r' < "$work/headers" |
    awk -F': *' 'tolower($1) == "lambda-runtime-aws-request-id" { print $2; exit }')"
  if [ -z "$request_id" ]; then
    echo "curl_stream_bootstrap: /next response had no Lambda-Runtime-Aws-Request-Id" >&2
    exit 1
  fi
  status=200
  if grep -q '"rawPath"' "$work/event"; then
    mode=url
    content_type='application/vnd.awslambda.http-integration-response'
    lines="$(field x-lines)"
    interval="$(field x-interval-ms)"
    wait_file="$(field x-wait-file)"
    status="$(field x-status)"
    [[ "$status" =~ ^[1-5][0-9][0-9]$ ]] || status=200
  else
    mode=plain
    content_type='text/plain'
    lines="$(field lines)"
    interval="$(field interval_ms)"
    wait_file="$(field wait_file)"
  fi
  [[ "$lines" =~ ^[0-9]+$ ]] && [ "$lines" -le 1000 ] || lines=3
  [[ "$interval" =~ ^[0-9]+$ ]] || interval=100
  echo "curl_stream_bootstrap: streaming $lines lines"
  if [ "$mode" = url ]; then
    url_stream "$lines" "$interval" "$wait_file" "$status"
  else
    write_lines "$lines" "$interval" "$wait_file" 'line %d of %d\n'
  fi | curl -sS -o /dev/null -X POST \
      -H 'Lambda-Runtime-Function-Response-Mode: streaming' \
      -H 'Transfer-Encoding: chunked' -H "Content-Type: $content_type" \
      -T - "$api/invocation/$request_id/response" &
  child_pid=$!
  wait "$child_pid" || echo "curl_stream_bootstrap: streamed POST /response failed" >&2
  child_pid=""
done
