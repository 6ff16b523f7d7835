#!/bin/bash
# curl against `zerostart serve`'s Function URLs (/lambda-url/NAME/PATH), the way a browser or
# a script would call a Lambda function URL.
#
#   function_url_curl.sh BIN_DIR
#
# 1. Streamed answers with a prelude, from two writers of it: BIN_DIR/streamer (our runtime's
#    StartHttpResponse; behind a URL it reads its settings from the request body) and
#    curl_stream_bootstrap.sh (a bash + curl runtime that writes the prelude and its 8 NUL
#    bytes by hand). `curl -sN` on /lambda-url/function/sse?x=1 sees the first server-sent
#    event while the function still waits for a file that this script creates only after
#    seeing it (streaming proven by order, not timing); status, Content-Type
#    text/event-stream, a header and every cookie come from the prelude; the body is exactly
#    the events, sent chunked.
# 2. A buffered function (BIN_DIR/echo returns its event, so the body is the payload-2.0 event
#    the emulator built): GET with a path, a query, a header and cookies; POST of JSON text
#    (plain body); POST of every byte value 0-255 (base64, isBase64Encoded true); the
#    function's own name in the URL; an unknown name -> 404.
#
# Exit: 0 pass, 1 fail, 2 usage. Every curl is bounded (30 s); on exit the emulator gets
# SIGTERM and everything it started must be gone within 5 s.
set -u

here="$(cd "$(dirname "$0")" && pwd)"
bin_dir="${1:-}"
if [ -z "$bin_dir" ] || [ $# -ne 1 ]; then
  echo "usage: $0 BIN_DIR" >&2
  exit 2
fi
for tool in curl python3; do
  command -v "$tool" > /dev/null 2>&1 || { echo "FAIL  $tool is not installed (scripts/install-deps.sh)"; exit 1; }
done
if [ ! -x "$bin_dir/zerostart" ]; then
  echo "FAIL  $bin_dir/zerostart is not built"
  exit 1
fi
# shellcheck source=serve_lib.sh
. "$here/serve_lib.sh"
serve_init

# ---- 1. streamed answers with a prelude -------------------------------------------------

# stream_checks WHO FLAG EXPECTED_STATUS EXPECTED_COOKIES EXPECTED_BODY CURL-ARGS...: runs
# `curl -sN CURL-ARGS` in the background while the function holds its answer open until FLAG
# exists, reads curl's output as it grows, creates FLAG only once the first event is there,
# then checks the head (status, Content-Type text/event-stream, x-runtime: WHO, the cookies
# joined by '|', chunked) and that the body is exactly EXPECTED_BODY (printf format).
stream_checks() {
  local who="$1" flag="$2" want_status="$3" want_cookies="$4" want_body="$5"
  shift 5
  local out="$work/$who.out" hdr="$work/$who.hdr" first i seen=0 curl_pid rc
  curl -sS -N --max-time 30 -D "$hdr" -o "$out" "$@" 2> "$work/$who.err" &
  curl_pid=$!
  first="$(printf "$want_body" | head -n 1)"
  for i in $(seq 150); do   # 15 s
    if grep -qF "$first" "$out" 2>/dev/null; then seen=1; break; fi
    kill -0 "$curl_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ "$seen" = 1 ] && [ ! -e "$flag" ]; then
    ok "url stream ($who): the first event reached curl while the function still waited for $(basename "$flag")"
  else
    fail "url stream ($who): no '$first' within 15 s while the function waited for $flag (curl had: $(head -c 200 "$out" 2>/dev/null | od -c | head -n 3 | tr -s ' '))"
  fi
  : > "$flag"
  wait "$curl_pid"
  rc=$?
  if [ "$rc" = 0 ]; then
    ok "url stream ($who): curl ended cleanly (the chunked body has its last chunk)"
  else
    fail "url stream ($who): curl exited $rc: $(cat "$work/$who.err")"
  fi

  local status content_type runtime chunked cookies
  status="$(status_of "$hdr")"
  content_type="$(header Content-Type "$hdr")"
  runtime="$(header x-runtime "$hdr")"
  chunked="$(header Transfer-Encoding "$hdr" | tr 'A-Z' 'a-z')"
  cookies="$(tr -d '\r' < "$hdr" | grep -i '^set-cookie:' | sed 's/^[^:]*: *//' | paste -sd '|')"
  if [ "$status" = "$want_status" ] && [ "$content_type" = text/event-stream ] &&
     [ "$runtime" = "$who" ]; then
    ok "url stream ($who): status $status, Content-Type text/event-stream and x-runtime from the prelude"
  else
    fail "url stream ($who): status '$status' (want $want_status), Content-Type '$content_type' (want text/event-stream), x-runtime '$runtime' (want $who)"
  fi
  [ "$cookies" = "$want_cookies" ] && ok "url stream ($who): one Set-Cookie per cookie of the prelude" ||
    fail "url stream ($who): Set-Cookie headers '$cookies', want '$want_cookies'"
  [ "$chunked" = chunked ] && ok "url stream ($who): sent with Transfer-Encoding: chunked" ||
    fail "url stream ($who): Transfer-Encoding '$chunked', want chunked"
  printf "$want_body" > "$work/$who.expected"
  if cmp -s "$work/$who.expected" "$out"; then
    ok "url stream ($who): the body is exactly the events (no prelude, no NUL bytes)"
  else
    fail "url stream ($who): body differs: $(od -c "$out" | head -n 6 | tr -s ' ')"
  fi
}

# tests/functions/streamer: our runtime's StartHttpResponse writes the prelude; behind a URL
# the streamer takes its settings from the request body.
streamer_url_checks() {
  local flag="$work/release-streamer"
  printf '%s' "{\"chunks\":3,\"interval_ms\":50,\"text\":\"data: tick\\n\\n\",
    \"prelude\":{\"statusCode\":200,\"headers\":{\"content-type\":\"text/event-stream\",
    \"x-runtime\":\"streamer\"},\"cookies\":[\"id=7; HttpOnly\",\"lang=en\"]},
    \"after\":\"wait_file:$flag\"}" > "$work/streamer.in"
  stream_checks streamer "$flag" 200 'id=7; HttpOnly|lang=en' \
    'data: tick\n\ndata: tick\n\ndata: tick\n\n' \
    -X POST -H 'Content-Type: application/json' --data-binary "@$work/streamer.in" \
    "$base_url/lambda-url/function/sse?x=1"
}

# curl_stream_bootstrap.sh: a bash + curl runtime writes the prelude and its 8 NUL bytes by
# hand; settings from request headers.
bootstrap_url_checks() {
  local flag="$work/release-bash"
  stream_checks bash+curl "$flag" 201 'session=abc; Path=/|theme=dark' \
    'data: line 1 of 3\n\ndata: line 2 of 3\n\ndata: line 3 of 3\n\n' \
    -H 'x-lines: 3' -H 'x-interval-ms: 50' -H "x-wait-file: $flag" -H 'x-status: 201' \
    "$base_url/lambda-url/function/sse?x=1"
}

# ---- 2. a buffered function: the payload-2.0 event, echoed --------------------------------

# url_request NAME CURL-ARGS...: sets $status; body $work/NAME.out, head $work/NAME.hdr.
url_request() {
  local name="$1"
  shift
  status="$(curl -sS --max-time 30 -o "$work/$name.out" -D "$work/$name.hdr" -w '%{http_code}' \
    "$@" 2> "$work/$name.err")" || status="curl failed: $(cat "$work/$name.err")"
}

# event_check NAME DESCRIPTION PYTHON: runs PYTHON with `e` = the echoed event (JSON) and
# `raw` = the body's bytes; a failed assert names the field.
event_check() {
  local name="$1" what="$2" why
  if [ "$status" != 200 ]; then
    fail "$what: status $status, body $(head -c 300 "$work/$name.out")"
    return
  fi
  if why="$(python3 - "$work/$name.out" "$work/$name.hdr" 2>&1 <<EOF
import base64, json, sys
raw = open(sys.argv[1], 'rb').read()
head = open(sys.argv[2], encoding='latin-1').read().lower()
assert 'content-type: application/json' in head, 'Content-Type is not application/json: ' + head
e = json.loads(raw)
assert e.get('version') == '2.0', 'version %r' % e.get('version')
assert e.get('routeKey') == '\$default', 'routeKey %r' % e.get('routeKey')
http = e['requestContext']['http']
$3
EOF
)"; then
    ok "$what"
  else
    fail "$what: $(echo "$why" | tail -n 1) — body $(head -c 400 "$work/$name.out")"
  fi
}

buffered_checks() {
  url_request get -H 'X-Custom: v1' -H 'Cookie: a=1; b=2' \
    "$base_url/lambda-url/function/some/path?x=1&y=two"
  event_check get "url buffered: GET /some/path?x=1&y=two -> the payload-2.0 event" "
assert e['rawPath'] == '/some/path', 'rawPath %r' % e['rawPath']
assert e['rawQueryString'] == 'x=1&y=two', 'rawQueryString %r' % e['rawQueryString']
assert e['queryStringParameters'] == {'x': '1', 'y': 'two'}, 'queryStringParameters %r' % e.get('queryStringParameters')
assert e['headers'].get('x-custom') == 'v1', 'headers %r' % e['headers']
assert 'cookie' not in e['headers'], 'the Cookie header should be in cookies, not headers'
assert e.get('cookies') == ['a=1', 'b=2'], 'cookies %r' % e.get('cookies')
assert http['method'] == 'GET' and http['path'] == '/some/path', 'requestContext.http %r' % http
assert e['isBase64Encoded'] is False, 'isBase64Encoded %r' % e['isBase64Encoded']
assert 'body' not in e or e['body'] in (None, ''), 'body %r' % e.get('body')"

  printf '%s' '{"greeting":"héllo ✓"}' > "$work/text.in"
  url_request post-text -X POST -H 'Content-Type: application/json' --data-binary "@$work/text.in" \
    "$base_url/lambda-url/function/"
  event_check post-text "url buffered: POST JSON -> body as text, isBase64Encoded false" "
assert e['rawPath'] == '/', 'rawPath %r' % e['rawPath']
assert e['rawQueryString'] == '', 'rawQueryString %r' % e['rawQueryString']
assert http['method'] == 'POST', 'method %r' % http['method']
assert e['headers'].get('content-type') == 'application/json', 'headers %r' % e['headers']
assert e['isBase64Encoded'] is False, 'isBase64Encoded %r' % e['isBase64Encoded']
assert e['body'] == open('$work/text.in', encoding='utf-8').read(), 'body %r' % e['body']"

  python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)))' > "$work/binary.in"
  url_request post-binary -X POST -H 'Content-Type: application/octet-stream' \
    --data-binary "@$work/binary.in" "$base_url/lambda-url/echo/upload"
  event_check post-binary "url buffered: POST 256 binary bytes (the function's own name) -> base64, isBase64Encoded true" "
assert e['rawPath'] == '/upload', 'rawPath %r' % e['rawPath']
assert e['isBase64Encoded'] is True, 'isBase64Encoded %r' % e['isBase64Encoded']
assert base64.b64decode(e['body']) == bytes(range(256)), 'body does not decode to bytes 0-255: %r' % e['body']"

  url_request unknown "$base_url/lambda-url/no-such-function/"
  if [ "$status" = 404 ]; then
    ok "url: an unknown function name -> 404"
  else
    fail "url: an unknown function name: status $status, expected 404"
  fi
}

if [ -x "$bin_dir/streamer" ]; then
  if start_emulator "$bin_dir/streamer"; then streamer_url_checks; fi
  stop_emulator
else
  fail "$bin_dir/streamer is not built"
fi
if start_emulator "$here/curl_stream_bootstrap.sh"; then bootstrap_url_checks; fi
stop_emulator
if [ -x "$bin_dir/echo" ]; then
  if start_emulator "$bin_dir/echo"; then buffered_checks; fi
  stop_emulator
else
  fail "$bin_dir/echo is not built"
fi
finish "curl against zerostart serve's Function URLs"
