#!/bin/bash
# A Lambda custom-runtime `bootstrap` written with nothing but bash and curl: a runtime this
# project did not write in C++, used as an interop peer for zerostart's emulator and as a
# known-good function for the @vercel/fun harness (fun_runs_function.mjs).
#
# Contract (the part of tests/functions/faulty's that the interop checks use; ric/index.mjs
# does the same for "error"):
#   event whose JSON has "action":"error"  -> POST /error with
#       {"errorMessage":"requested error","errorType":"InteropError","stackTrace":[]}
#       and Lambda-Runtime-Function-Error-Type: InteropError
#   event whose JSON has "action":"exit"   -> exit 3 in the middle of the invoke
#   any other event                        -> POST /response with the event bytes unchanged
#
# Bodies go through files so every byte (UTF-8, no trailing newline) survives. `Expect:` is
# emptied so curl never waits for "100 Continue" on bodies over 1 KiB.
set -u

api="http://${AWS_LAMBDA_RUNTIME_API:?AWS_LAMBDA_RUNTIME_API is not set}/2018-06-01/runtime"
work="$(mktemp -d "${TMPDIR:-/tmp}/curl-bootstrap.XXXXXX")" || exit 1
curl_pid=""
trap 'rm -rf "$work"' EXIT
# SIGTERM must end the runtime even while it waits in /next: curl runs in the background and
# `wait` is interruptible, so the trap runs at once and takes curl down with it.
trap '[ -n "$curl_pid" ] && kill "$curl_pid" 2>/dev/null; exit 0' TERM INT

while true; do
  # No client timeout: between invokes the process may be frozen (SIGSTOP) or simply idle.
  curl -sS -o "$work/event" -D "$work/headers" "$api/invocation/next" &
  curl_pid=$!
  wait "$curl_pid"
  next_status=$?
  curl_pid=""
  if [ "$next_status" -gt 128 ]; then
    exit 0  # curl was killed by a signal: the whole process tree is being stopped
  elif [ "$next_status" -ne 0 ]; then
    echo "curl_echo_bootstrap: GET /next failed" >&2
    exit 1
  fi
  request_id="$(tr -d '\r' < "$work/headers" |
    awk -F': *' 'tolower($1) == "lambda-runtime-aws-request-id" { print $2; exit }')"
  if [ -z "$request_id" ]; then
    echo "curl_echo_bootstrap: /next response had no Lambda-Runtime-Aws-Request-Id" >&2
    exit 1
  fi
  action="$(tr -d ' \n\r\t' < "$work/event" | grep -o '"action":"[a-z]*"' | head -n1)"
  if [ "$action" = '"action":"exit"' ]; then
    exit 3
  elif [ "$action" = '"action":"error"' ]; then
    printf '%s' '{"errorMessage":"requested error","errorType":"InteropError","stackTrace":[]}' \
      > "$work/out"
    curl -sS -o /dev/null -H 'Expect:' -H 'Content-Type: application/json' \
      -H 'Lambda-Runtime-Function-Error-Type: InteropError' \
      --data-binary "@$work/out" "$api/invocation/$request_id/error" ||
      echo "curl_echo_bootstrap: POST /error failed" >&2
  else
    curl -sS -o /dev/null -H 'Expect:' -H 'Content-Type: application/json' \
      --data-binary "@$work/event" "$api/invocation/$request_id/response" ||
      echo "curl_echo_bootstrap: POST /response failed" >&2
  fi
done
