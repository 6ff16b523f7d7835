#!/bin/bash
# Installs the interop peers of tests/interop (npm: @vercel/fun, aws-lambda-ric; versions pinned
# in tests/interop/package-lock.json) into tests/interop/node_modules. Idempotent: does nothing
# when node_modules already matches package.json + package-lock.json.
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
stamp="$dir/node_modules/.zerostart-installed"

want="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
   [ -f "$dir/node_modules/aws-lambda-ric/rapid-client.node" ] &&
   [ -f "$dir/node_modules/@vercel/fun/package.json" ]; then
  echo "install-interop: $dir/node_modules is up to date"
  exit 0
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

echo "install-interop: node $(node --version), npm $(npm --version), headers from $prefix/include/node"
echo "install-interop: npm ci in $dir (builds aws-lambda-ric's native client: 1-3 minutes)"
start=$(date +%s)
cd "$dir"
npm ci --no-audit --no-fund --ignore-scripts=false
if [ ! -f node_modules/aws-lambda-ric/rapid-client.node ]; then
  echo "install-interop: npm ci finished but aws-lambda-ric's native client was not built" >&2
  exit 1
fi
echo "$want" > "$stamp"
echo "install-interop: done in $(( $(date +%s) - start )) s; node_modules is $(du -sh node_modules | cut -f1)"
