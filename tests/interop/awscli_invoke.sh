#!/bin/bash
# The AWS CLI (`aws lambda invoke`, Debian's awscli) against `zerostart serve`: plain invokes
# on echo, request signed and answer parsed by botocore, not by anything this project wrote.
#
#   awscli_invoke.sh BIN_DIR
#
# Checks (echo): RequestResponse -> StatusCode 200, ExecutedVersion $LATEST, the payload file
# byte for byte; --log-type Tail -> LogResult decoding to START/END/REPORT of one request id;
# --invocation-type Event -> 202; DryRun -> 204; an unknown function ->
# ResourceNotFoundException and a non-zero exit. With BIN_DIR/faulty built: a thrown error ->
# FunctionError "Unhandled" and the error JSON in the payload file; and under `--concurrency 1`,
# with the only environment held (wait_file), a synchronous invoke -> TooManyRequestsException
# and a non-zero exit (retries off: AWS_MAX_ATTEMPTS=1), --invocation-type Event -> 202, then
# the held invoke's answer once released. A SAM template's two functions (echo from a folder,
# faulty from a zip) served at once: each invoked by its name.
#
# The CLI is $ZS_AWS_CLI, else Debian's /usr/bin/aws, else `aws` from PATH. Version 2 gets
# --cli-binary-format raw-in-base64-out (the payload is raw JSON); version 1 takes raw
# payloads as they are. Credentials, region and config are dummies from the environment:
# nothing is read from ~/.aws and nothing leaves 127.0.0.1.
#
# Exit: 0 pass, 1 fail, 2 usage, 77 skipped (no AWS CLI: apt-get install awscli, or
# scripts/install-deps.sh). Every call is bounded (30 s).
set -u

here="$(cd "$(dirname "$0")" && pwd)"
bin_dir="${1:-}"
if [ -z "$bin_dir" ] || [ $# -ne 1 ]; then
  echo "usage: $0 BIN_DIR" >&2
  exit 2
fi
if [ -n "${ZS_AWS_CLI:-}" ]; then
  aws_cli="$ZS_AWS_CLI"
elif [ -x /usr/bin/aws ]; then
  aws_cli=/usr/bin/aws
elif command -v aws > /dev/null 2>&1; then
  aws_cli="$(command -v aws)"
else
  echo "SKIP  the AWS CLI is not installed (apt-get install awscli, or scripts/install-deps.sh)"
  exit 77
fi
if ! version="$(timeout 30 "$aws_cli" --version 2>&1)"; then
  echo "SKIP  $aws_cli does not run: $version"
  exit 77
fi
if ! command -v python3 > /dev/null 2>&1; then
  echo "FAIL  python3 is not installed (scripts/install-deps.sh)"
  exit 1
fi
if [ ! -x "$bin_dir/zerostart" ]; then
  echo "FAIL  $bin_dir/zerostart is not built"
  exit 1
fi
# shellcheck source=serve_lib.sh
. "$here/serve_lib.sh"
serve_init
echo "# $aws_cli: $version"
binary_format=()
case "$version" in
  aws-cli/1.*) ;;
  *) binary_format=(--cli-binary-format raw-in-base64-out) ;;
esac

# An environment of dummies only.
export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$work/no-config" AWS_SHARED_CREDENTIALS_FILE="$work/no-credentials"
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_LAMBDA AWS_CA_BUNDLE

# lambda_invoke NAME ARGS...: `aws lambda invoke ... $work/NAME.payload`; sets $rc; the CLI's
# JSON output in $work/NAME.json, its stderr in $work/NAME.err.
lambda_invoke() {
  local name="$1"
  shift
  timeout 30 "$aws_cli" lambda invoke --endpoint-url "$base_url" \
    --cli-connect-timeout 5 --cli-read-timeout 30 --output json "${binary_format[@]}" \
    "$@" "$work/$name.payload" > "$work/$name.json" 2> "$work/$name.err"
  rc=$?
}

# output_check NAME DESCRIPTION PYTHON: PYTHON runs with `out` = the CLI's JSON output and
# `payload` = the bytes of the payload file (b'' when none was written).
output_check() {
  local name="$1" what="$2" why
  if [ "$rc" != 0 ]; then
    fail "$what: aws exited $rc: $(tail -n 3 "$work/$name.err")"
    return
  fi
  if why="$(python3 - "$work/$name.json" "$work/$name.payload" 2>&1 <<EOF
import base64, json, os, re, sys
out = json.load(open(sys.argv[1]))
payload = open(sys.argv[2], 'rb').read() if os.path.exists(sys.argv[2]) else b''
$3
EOF
)"; then
    ok "$what"
  else
    fail "$what: $(echo "$why" | tail -n 1) — output $(tr -d '\n' < "$work/$name.json" | head -c 400)"
  fi
}

tail_check='
text = base64.b64decode(out["LogResult"]).decode("utf-8")
start = re.search(r"START RequestId: ([0-9a-f-]+)", text)
assert start, "no START line in LogResult: %r" % text
for line in ("END RequestId: " + start.group(1), "REPORT RequestId: " + start.group(1)):
    assert line in text, "LogResult lacks %r: %r" % (line, text)'

echo_checks() {
  lambda_invoke plain --function-name function --payload '{"a":1,"s":"h\u00e9llo"}'
  output_check plain "aws lambda invoke: StatusCode 200, ExecutedVersion \$LATEST, payload byte for byte" '
assert out.get("StatusCode") == 200, "StatusCode %r" % out.get("StatusCode")
assert out.get("ExecutedVersion") == "$LATEST", "ExecutedVersion %r" % out.get("ExecutedVersion")
assert "FunctionError" not in out, "FunctionError %r" % out.get("FunctionError")
assert "LogResult" not in out, "LogResult without --log-type Tail"
assert payload == b"{\"a\":1,\"s\":\"h\\u00e9llo\"}", "payload %r" % payload'

  lambda_invoke tail --function-name echo --log-type Tail --payload '{"log":"tail"}'
  output_check tail "aws lambda invoke --log-type Tail (the function's own name): LogResult with START/END/REPORT" "
assert out.get('StatusCode') == 200, 'StatusCode %r' % out.get('StatusCode')
assert payload == b'{\"log\":\"tail\"}', 'payload %r' % payload
$tail_check"

  lambda_invoke event --function-name function --invocation-type Event --payload '{"async":true}'
  output_check event "aws lambda invoke --invocation-type Event: StatusCode 202" '
assert out.get("StatusCode") == 202, "StatusCode %r" % out.get("StatusCode")
assert payload == b"", "payload %r" % payload'

  lambda_invoke dryrun --function-name function --invocation-type DryRun --payload '{}'
  output_check dryrun "aws lambda invoke --invocation-type DryRun: StatusCode 204" '
assert out.get("StatusCode") == 204, "StatusCode %r" % out.get("StatusCode")
assert payload == b"", "payload %r" % payload'

  lambda_invoke unknown --function-name no-such-function --payload '{}'
  if [ "$rc" != 0 ] && grep -q 'ResourceNotFoundException' "$work/unknown.err"; then
    ok "aws lambda invoke on an unknown function: exit $rc, ResourceNotFoundException"
  else
    fail "aws lambda invoke on an unknown function: exit $rc, stderr $(tail -n 3 "$work/unknown.err")"
  fi

  lambda_invoke again --function-name function --payload '{"again":2}'
  output_check again "aws lambda invoke after the others: still answers" '
assert out.get("StatusCode") == 200 and payload == b"{\"again\":2}", "StatusCode %r, payload %r" % (out.get("StatusCode"), payload)'
}

faulty_checks() {
  lambda_invoke throw --function-name function --log-type Tail --payload '{"action":"throw"}'
  output_check throw "aws lambda invoke on an error: FunctionError Unhandled, error JSON, LogResult" "
assert out.get('StatusCode') == 200, 'StatusCode %r' % out.get('StatusCode')
assert out.get('FunctionError') == 'Unhandled', 'FunctionError %r' % out.get('FunctionError')
error = json.loads(payload)
assert error.get('errorType'), 'errorType in %r' % payload
assert error.get('errorMessage') == 'faulty: ünïcödé failure', 'errorMessage in %r' % payload
$tail_check"
}

# wait_started N: waits (20 s at most) until the emulator's stdout holds N START lines.
wait_started() {
  local _
  for _ in $(seq 200); do
    [ "$(grep -c '^START RequestId: ' "$work/emulator.stdout")" -ge "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

# Under --concurrency 1: one invoke holds the only environment (faulty's wait_file) while a
# synchronous call is throttled and an Event is accepted.
throttle_checks() {
  local release="$work/release" held_pid started
  ( lambda_invoke held --function-name function \
      --payload "{\"action\":\"wait_file\",\"path\":\"$release\"}"
    echo "$rc" > "$work/held.rc" ) &
  held_pid=$!
  if ! wait_started 1; then
    fail "the held invoke did not start within 20 s: $(tail -n 3 "$work/held.err" 2>/dev/null)"
    touch "$release"; wait "$held_pid"
    return
  fi
  ok "an invoke holds the only environment (--concurrency 1)"

  lambda_invoke throttled --function-name function --payload '{"action":"echo"}'
  if [ "$rc" != 0 ] && grep -q 'TooManyRequestsException' "$work/throttled.err" &&
     grep -q 'Rate Exceeded\.' "$work/throttled.err"; then
    ok "aws lambda invoke while every environment is busy: exit $rc, TooManyRequestsException: Rate Exceeded."
  else
    fail "aws lambda invoke while every environment is busy: exit $rc, stderr $(tail -n 3 "$work/throttled.err"), output $(head -c 300 "$work/throttled.json")"
  fi

  lambda_invoke busy_event --function-name function --invocation-type Event --payload '{"queued":true}'
  output_check busy_event "aws lambda invoke --invocation-type Event while every environment is busy: StatusCode 202" '
assert out.get("StatusCode") == 202, "StatusCode %r" % out.get("StatusCode")'

  started="$(grep -c '^START RequestId: ' "$work/emulator.stdout")"
  if [ "$started" = 1 ]; then
    ok "neither the throttled nor the queued invoke ran while the environment was held"
  else
    fail "$started START lines while the environment was held"
  fi

  touch "$release"
  wait "$held_pid"
  rc="$(cat "$work/held.rc" 2>/dev/null || echo none)"
  output_check held "released, the held invoke completes: StatusCode 200, its payload" "
assert out.get('StatusCode') == 200, 'StatusCode %r' % out.get('StatusCode')
assert 'FunctionError' not in out, 'FunctionError %r' % out.get('FunctionError')
assert json.loads(payload) == {'action': 'wait_file', 'path': '$release'}, 'payload %r' % payload"
}

if [ -x "$bin_dir/echo" ]; then
  if start_emulator "$bin_dir/echo"; then echo_checks; fi
  stop_emulator
else
  fail "$bin_dir/echo is not built"
fi
# A SAM template's two functions on one port, each invoked by its name: echo from a CodeUri
# folder, faulty from a zip made by `zerostart package`.
template_checks() {
  lambda_invoke by_name_echo --function-name EchoFunction --payload '{"to":"echo"}'
  output_check by_name_echo "aws lambda invoke --function-name EchoFunction (a template's function): its payload" '
assert out.get("StatusCode") == 200, "StatusCode %r" % out.get("StatusCode")
assert payload == b"{\"to\":\"echo\"}", "payload %r" % payload'

  lambda_invoke by_name_faulty --function-name FaultyFunction --payload '{"action":"error"}'
  output_check by_name_faulty "aws lambda invoke --function-name FaultyFunction (the other one): its error" '
assert out.get("StatusCode") == 200, "StatusCode %r" % out.get("StatusCode")
assert out.get("FunctionError") == "Unhandled", "FunctionError %r" % out.get("FunctionError")
assert json.loads(payload).get("errorType") == "MyError", "payload %r" % payload'
}

if [ -x "$bin_dir/echo" ] && [ -x "$bin_dir/faulty" ]; then
  mkdir -p "$work/echo-code" && cp "$bin_dir/echo" "$work/echo-code/bootstrap"
  if "$bin_dir/zerostart" package -o "$work/faulty.zip" "$bin_dir/faulty" > /dev/null 2>&1; then
    cat > "$work/template.yaml" <<TEMPLATE
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: provided.al2023, MemorySize: 256}
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: echo-code}
  FaultyFunction:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: faulty.zip, Timeout: 5}
TEMPLATE
    if TMPDIR="$work" start_serve --template "$work/template.yaml"; then template_checks; fi
    stop_emulator
  else
    fail "zerostart package could not write faulty.zip"
  fi
fi
if [ -x "$bin_dir/faulty" ]; then
  if start_emulator "$bin_dir/faulty"; then faulty_checks; fi
  stop_emulator
  if start_emulator "$bin_dir/faulty" --concurrency 1 --event-retry-delay 0.05; then throttle_checks; fi
  stop_emulator
else
  echo "#     $bin_dir/faulty is not built: its checks are not run"
fi
finish "$aws_cli lambda invoke against zerostart serve"
