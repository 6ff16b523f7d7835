#!/usr/bin/env bash
# The installed CMake package end to end, as a user meets it:
#   cmake --install BUILD --prefix TMP/prefix      (only the runtime, headers, CLI, package config)
#   examples/cmake-function configured out of tree with -DCMAKE_PREFIX_PATH=TMP/prefix and built:
#   the function `hello` (must be static), then its target hello_zip: hello.zip (must hold `bootstrap`, 0755)
#   the unzipped bootstrap served by TMP/prefix/bin/zerostart serve and invoked with a plain
#   event, then with a Function URL event (read through the installed zerostart::http_event).
# Usage: example_project_test.sh BUILD_DIR EXAMPLE_DIR CMAKE_GENERATOR CXX_COMPILER
# Scratch files live in one temporary directory, removed on exit.
set -euo pipefail
build=$1
example=$2
generator=$3
cxx=$4

NAME=cmake_package
# shellcheck source=tests/cmake_package/lib.sh
source "$(dirname "$0")/lib.sh"

install_zerostart "$build"
echo "installed into $prefix:"
(cd "$prefix" && find . -type f | sort | sed 's|^\./|  |')
[ -f "$prefix/include/zerostart/runtime.h" ] || fail "include/zerostart/runtime.h not installed"
[ -f "$prefix/include/zerostart/http_event.h" ] || fail "include/zerostart/http_event.h not installed"
[ -n "$(find "$prefix" -name libzerostart_http_event.a)" ] || fail "libzerostart_http_event.a not installed"
[ -x "$prefix/bin/zerostart" ] || fail "bin/zerostart not installed"
[ "$(ls "$prefix/bin")" = "zerostart" ] || fail "bin/ holds more than zerostart: $(ls "$prefix/bin")"
# The public headers must not reach into the source tree.
if grep -rn '#include "src/' "$prefix/include"; then fail "installed headers include src/"; fi

# The example, out of tree, finding zerostart only through CMAKE_PREFIX_PATH.
run cmake -S "$example" -B "$work/build" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
grep -q "^zerostart_DIR:PATH=$prefix/" "$work/build/CMakeCache.txt" ||
  fail "find_package(zerostart) did not take the package from $prefix"
run cmake --build "$work/build" --target hello
function_binary="$work/build/hello"
[ -x "$function_binary" ] || fail "the example did not produce $function_binary"
if readelf -lW "$function_binary" | grep -q INTERP; then fail "hello is dynamically linked"; fi
echo "hello: static, $(stat -c %s "$function_binary") bytes"

# The zip target: `zerostart package` through zerostart_package(), then the unzipped bootstrap.
run cmake --build "$work/build" --target hello_zip
zip="$work/build/hello.zip"
[ -f "$zip" ] || fail "target hello_zip did not write $zip"
unzip -Z1 "$zip" | grep -qx bootstrap || fail "hello.zip has no bootstrap at its root: $(unzip -Z1 "$zip")"
unzip -Z "$zip" bootstrap | grep -q '^-rwxr-xr-x' || fail "bootstrap is not 0755 in hello.zip"
mkdir "$work/unzipped"
run unzip -q "$zip" -d "$work/unzipped"
function_binary="$work/unzipped/bootstrap"
echo "hello.zip: $(stat -c %s "$zip") bytes, bootstrap at its root"

# The function under the installed emulator (as scripts/demo.sh starts it): one invoke.
start_serve --memory 128 --timeout 10 -- "$function_binary"
answer=$("$prefix/bin/zerostart" invoke --port "$port" --payload '{"name":"world"}')
[ "$answer" = '{"NAME":"WORLD"}' ] || { cat "$work/serve.stderr" >&2; fail "unexpected answer: $answer"; }
echo "invoke {\"name\":\"world\"} -> $answer"
# A Function URL event: hello reads it with zerostart::http_event (linked from the install).
event='{"version":"2.0","requestContext":{"http":{"method":"POST"}},"body":"d29ybGQ=","isBase64Encoded":true}'
answer=$("$prefix/bin/zerostart" invoke --port "$port" --payload "$event")
expected='{"statusCode":200,"headers":{"content-type":"text/plain"},"body":"WORLD"}'
[ "$answer" = "$expected" ] || { cat "$work/serve.stderr" >&2; fail "unexpected URL answer: $answer"; }
echo "invoke (Function URL event, body \"world\" in base64) -> $answer"
echo "cmake_package: OK"
