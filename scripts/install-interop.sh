#!/bin/bash
# Installs the interop peers of tests/interop (npm: @vercel/fun, aws-lambda-ric,
# @aws-sdk/client-lambda; versions pinned in tests/interop/package-lock.json) and links
# tests/interop/node_modules to them.
#
# They are installed once per machine, outside the clone, in
#   ${XDG_CACHE_HOME:-$HOME/.cache}/zerostart/npm/<key>/node_modules
# where <key> hashes package.json, package-lock.json, node's ABI and the architecture (what the
# native client is built for); every clone on the machine links to it. Idempotent: with the
# key's folder complete it only (re)makes the link.
#
# On a fresh Debian 12, as root, it first installs what is missing from apt: nodejs + npm
# (bookworm: node 18.20, npm 9.2), the node headers (libnode-dev, which brings libuv1-dev) and
# the tools aws-lambda-ric's install scripts use to build its native client offline (make, g++,
# cmake, python3, xz-utils), plus curl (curl_echo_bootstrap.sh) and procps (@vercel/fun's
# tree-kill runs `ps`). Not root and something missing: prints what to install, exits 1.
#
# The native build needs node's headers on disk: node-gyp would otherwise try to download
# them, and only the npm registry is reachable. npm_config_nodedir points it at them.
#
# Usage: scripts/install-interop.sh        (takes 1-3 minutes the first time; see README)
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="$repo/tests/interop"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/zerostart/npm"

# complete DIR: DIR/node_modules holds every peer, the native client built. (A new peer in
# package.json changes the key anyway; this also catches a folder filled by hand.)
complete() {
  [ -f "$1/.zerostart-installed" ] && [ -f "$1/node_modules/aws-lambda-ric/rapid-client.node" ] &&
    [ -f "$1/node_modules/@vercel/fun/package.json" ] &&
    [ -f "$1/node_modules/@aws-sdk/client-lambda/package.json" ]
}
# link DIR: tests/interop/node_modules -> DIR/node_modules (replacing an older folder or link).
link() {
  if [ "$(readlink "$dir/node_modules" 2>/dev/null)" != "$1/node_modules" ]; then
    rm -rf "$dir/node_modules"
    ln -s "$1/node_modules" "$dir/node_modules"
  fi
  echo "install-interop: $dir/node_modules -> $1/node_modules"
}
key_of() {
  { cat "$dir/package.json" "$dir/package-lock.json"
    node -p 'process.versions.modules + " " + process.arch'; } | sha256sum | cut -c1-16
}

if command -v node > /dev/null 2>&1; then
  cached="$cache_root/$(key_of)"
  if complete "$cached"; then
    link "$cached"
    exit 0
  fi
fi

apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "install-interop: missing: $*; install them (apt-get install $*) or run as root" >&2
    exit 1
  fi
  if [ "$apt_updated" = 0 ]; then
    apt-get update -q
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

packages=()
need() { command -v "$1" > /dev/null 2>&1 || packages+=("$2"); }
need node nodejs
need npm npm
need make make
need g++ g++
need cmake cmake
need python3 python3
need xz xz-utils
need curl curl
need ps procps
if [ ${#packages[@]} -gt 0 ]; then
  apt_install "${packages[@]}"
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 18 ]; then
  echo "install-interop: node $(node --version) is too old; the interop scripts need >= 18" >&2
  exit 1
fi

# Headers for node-gyp: nodesource and official builds ship them beside the binary
# (<prefix>/include/node; nodesource reports node_prefix "/" but installs to /usr); Debian's
# nodejs has them in libnode-dev.
find_headers() {
  local candidate
  for candidate in "${npm_config_nodedir:-}" \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")" \
                   "$(node -p 'process.config.variables.node_prefix || ""')" /usr; do
    if [ -n "$candidate" ] && [ -f "$candidate/include/node/node_version.h" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}
if ! prefix="$(find_headers)"; then
  apt_install libnode-dev
  if ! prefix="$(find_headers)"; then
    echo "install-interop: no node headers (include/node) found; node-gyp cannot build offline" >&2
    exit 1
  fi
fi
export npm_config_nodedir="$prefix"

cached="$cache_root/$(key_of)"
# npm ci writes straight into the key's folder (the native client may record where it was built,
# so it is built in place); the stamp is written last, so an interrupted install is not taken
# for a complete one and is redone from scratch.
rm -rf "$cached"
mkdir -p "$cached"
cp "$dir/package.json" "$dir/package-lock.json" "$cached/"
echo "install-interop: node $(node --version), npm $(npm --version), headers from $prefix/include/node"
echo "install-interop: npm ci in $cached (builds aws-lambda-ric's native client: 1-3 minutes)"
start=$(date +%s)
(cd "$cached" && npm ci --no-audit --no-fund --ignore-scripts=false)
if [ ! -f "$cached/node_modules/aws-lambda-ric/rapid-client.node" ]; then
  echo "install-interop: npm ci finished but aws-lambda-ric's native client was not built" >&2
  exit 1
fi
touch "$cached/.zerostart-installed"
link "$cached"
echo "install-interop: done in $(( $(date +%s) - start )) s; node_modules is $(du -sh "$cached/node_modules" | cut -f1)"
