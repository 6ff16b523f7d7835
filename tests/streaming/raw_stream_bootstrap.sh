#!/usr/bin/env bash
# A custom runtime in bash that writes its Runtime API requests byte by byte over /dev/tcp, to
# send what a well-behaved runtime never would. The event names the misbehaviour:
#   {"raw":"bogus-mode"}       a response mode other than "streaming"
#   {"raw":"content-length"}   a streamed response with Content-Length instead of chunks
#   {"raw":"bad-trailer"}      an error body trailer that is not base64
#   {"raw":"error-after-start","gate":PATH}  /error on a second connection while the stream is
#                              open, once PATH exists (the caller creates it when it has seen
#                              the first chunk); the /error's status line is streamed next
#   {"raw":"after-terminal"}   garbage after the terminal chunk
#   anything else             a correct streamed response "ok"
set -uo pipefail

host=${AWS_LAMBDA_RUNTIME_API%:*}
port=${AWS_LAMBDA_RUNTIME_API##*:}
base=/2018-06-01/runtime/invocation

# request FD: writes stdin to the Runtime API on FD.
send() { cat >&"$1"; }

while true; do
  exec 3<>"/dev/tcp/$host/$port" || exit 1
  printf 'GET %s/next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "$base" >&3
  answer=$(cat <&3)
  exec 3>&-
  id=$(printf '%s' "$answer" | tr -d '\r' | sed -n 's/^Lambda-Runtime-Aws-Request-Id: //Ip' | head -n1)
  event=${answer##*$'\r\n\r\n'}
  exec 3<>"/dev/tcp/$host/$port" || exit 1
  head="POST $base/$id/response HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/plain\r\n"
  case "$event" in
    *bogus-mode*)
      printf "${head}Lambda-Runtime-Function-Response-Mode: sideways\r\nContent-Length: 2\r\n\r\nno" >&3 ;;
    *content-length*)
      printf "${head}Lambda-Runtime-Function-Response-Mode: streaming\r\nContent-Length: 5\r\n\r\nwhole" >&3 ;;
    *bad-trailer*)
      printf "${head}Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\nTrailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n4\r\npart\r\n0\r\nLambda-Runtime-Function-Error-Type: Bad.Trailer\r\nLambda-Runtime-Function-Error-Body: %%%%not-base64\r\n\r\n" >&3 ;;
    *error-after-start*)
      printf "${head}Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n" >&3
      gate=$(printf '%s' "$event" | sed -n 's/.*"gate":"\([^"]*\)".*/\1/p')
      while [ ! -e "$gate" ]; do sleep 0.001; done
      exec 4<>"/dev/tcp/$host/$port" || exit 1
      printf 'POST %s/%s/error HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}' "$base" "$id" >&4
      status=$(head -n1 <&4 | tr -d '\r')
      exec 4>&-
      printf '%s\r\n%s\r\n0\r\n\r\n' "$(printf '%x' ${#status})" "$status" >&3 ;;
    *after-terminal*)
      printf "${head}Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n\x01garbage\r\n\r\n" >&3 ;;
    *)
      printf "${head}Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n" >&3 ;;
  esac
  cat <&3 >/dev/null
  exec 3>&-
done
