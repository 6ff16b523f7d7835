#!/bin/bash
# Builds the optional aws-lambda-cpp peer of the Foundation benchmark: an echo function on AWS's
# C++ runtime (aws_lambda_cpp_echo.cc), from the curl and aws-lambda-cpp source tarballs that npm's
# aws-lambda-ric 4.0.2 ships (tests/interop/node_modules, scripts/install-interop.sh), configured
# exactly as ric's own preinstall script configures them: a minimal static libcurl (HTTP only, no
# TLS, no resolver threads) and a static aws-lambda-cpp. glibc and libstdc++ stay dynamic, as in an
# ordinary Linux build. No network. Takes 2-4 minutes of CPU.
#
#   bench/peers/build_aws_lambda_cpp_echo.sh OUT_DIR     -> OUT_DIR/aws-lambda-cpp-echo
#
# run_foundation_bench.sh picks it up from BUILD_DIR/bench/aws-lambda-cpp/aws-lambda-cpp-echo.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
deps="$repo/tests/interop/node_modules/aws-lambda-ric/deps"
out="$(mkdir -p "${1:?usage: $0 OUT_DIR}" && cd "$1" && pwd)"
jobs="${ZS_JOBS:-2}"
if [ ! -f "$deps/curl.tar.xz" ] || [ ! -f "$deps/aws-lambda-cpp.tar.xz" ]; then
  echo "build_aws_lambda_cpp_echo: $deps has no tarballs; run scripts/install-interop.sh" >&2
  exit 1
fi

prefix="$out/artifacts"
rm -rf "$out/curl-src" "$out/aws-lambda-cpp-src"
mkdir -p "$out/curl-src" "$out/aws-lambda-cpp-src" "$prefix"
tar xJf "$deps/curl.tar.xz" --no-same-owner -C "$out/curl-src" 2> /dev/null
tar xJf "$deps/aws-lambda-cpp.tar.xz" --no-same-owner -C "$out/aws-lambda-cpp-src" 2> /dev/null

(
  cd "$out/curl-src"
  ./configure --prefix "$prefix" --disable-alt-svc --disable-ares --disable-cookies \
    --disable-crypto-auth --disable-dateparse --disable-dict --disable-dnsshuffle --disable-doh \
    --disable-file --disable-ftp --disable-get-easy-options --disable-gopher --disable-hsts \
    --disable-http-auth --disable-imap --disable-ipv6 --disable-ldap --disable-ldaps \
    --disable-libcurl-option --disable-manual --disable-mime --disable-mqtt --disable-netrc \
    --disable-ntlm-wb --disable-pop3 --disable-progress-meter --disable-proxy --disable-pthreads \
    --disable-rtsp --disable-shared --disable-smtp --disable-socketpair --disable-sspi \
    --disable-telnet --disable-tftp --disable-threaded-resolver --disable-unix-sockets \
    --disable-verbose --disable-versioned-symbols --with-pic --without-brotli \
    --without-ca-bundle --without-gssapi --without-libidn2 --without-libpsl --without-librtmp \
    --without-libssh2 --without-nghttp2 --without-nghttp3 --without-ngtcp2 --without-ssl \
    --without-zlib --without-zstd > "$out/curl-configure.log"
  make -j "$jobs" > "$out/curl-make.log"
  make install > /dev/null
)
(
  mkdir -p "$out/aws-lambda-cpp-src/build"
  cd "$out/aws-lambda-cpp-src/build"
  cmake .. -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS=-fPIC -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_PREFIX_PATH="$prefix" > "$out/aws-lambda-cpp-cmake.log"
  make -j "$jobs" > "$out/aws-lambda-cpp-make.log"
  make install > /dev/null
)
lib="$prefix/lib"
[ -d "$prefix/lib64" ] && [ -f "$prefix/lib64/libaws-lambda-runtime.a" ] && lib="$prefix/lib64"
g++ -O2 -std=c++17 -I "$prefix/include" "$repo/bench/peers/aws_lambda_cpp_echo.cc" \
  "$lib/libaws-lambda-runtime.a" "$prefix/lib/libcurl.a" -o "$out/aws-lambda-cpp-echo"
strip "$out/aws-lambda-cpp-echo"
echo "build_aws_lambda_cpp_echo: built $out/aws-lambda-cpp-echo"
