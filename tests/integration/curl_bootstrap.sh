#!/usr/bin/env bash
# A Lambda custom runtime written with bash and curl only, in the style of the AWS tutorial
# "Building a custom runtime" — a real runtime this project did not write, used to test the
# emulator against something other than our own runtime library.
#
# Handler: echoes the event back. If the event contains "curl-error", it posts to /error
# instead; "curl-log" makes it print a line to stdout and one to stderr first.
set -euo pipefail

api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
headers=$(mktemp)
trap 'rm -f "$headers"' EXIT

while true; do
  event=$(curl -sS -D "$headers" "$api/invocation/next")
  request_id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | tr -d '\r' | cut -d' ' -f2)
  case "$event" in
    *curl-log*)
      echo "curl_bootstrap: handling $request_id"
      echo "curl_bootstrap: to stderr" >&2
      ;;
  esac
  case "$event" in
    *curl-error*)
      curl -sS -o /dev/null -X POST "$api/invocation/$request_id/error" \
        -H 'Lambda-Runtime-Function-Error-Type: Unhandled' \
        -d '{"errorMessage":"curl bootstrap was asked to fail","errorType":"CurlError"}'
      ;;
    *)
      curl -sS -o /dev/null -X POST "$api/invocation/$request_id/response" -d "$event"
      ;;
  esac
done
