#!/usr/bin/env bash
# ctest entry: Go's net/rpc client against a zerostart function binary. Skips (77) without go.
set -euo pipefail
bin=$1
command -v go >/dev/null || { echo "SKIP: go is not installed (Debian golang-go)"; exit 77; }
cd "$(dirname "$0")"
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
# Offline and stdlib-only: no module proxy, a private build cache.
GOCACHE="$cache" GOPATH="$cache/gopath" GOFLAGS=-mod=mod GOPROXY=off GO111MODULE=on \
  timeout 150 go run . "$bin"
