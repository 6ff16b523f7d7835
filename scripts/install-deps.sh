#!/usr/bin/env bash
# Installs the Debian 12 packages zerostart needs to build and test, if any is missing.
# Idempotent and quiet when everything is there; needs root (or sudo) only when installing.
set -euo pipefail

packages=(
  cmake make g++ clang libclang-rt-14-dev       # toolchain (+ clang's libFuzzer/sanitizer runtimes)
  libgtest-dev libgmock-dev libbenchmark-dev     # tests and micro-benchmarks
  nlohmann-json3-dev libcli11-dev                # JSON, CLI parsing
  libyaml-cpp-dev                                # `serve --template`: SAM templates (YAML)
  openjdk-17-jdk-headless libcommons-math3-java libandroid-json-org-java  # k-means oracle, Java peer
  junit4                                         # `zerostart new --template java`: its test
  curl ca-certificates zip unzip                 # curl bootstrap peer, packaging
  libzip-dev zlib1g-dev python3-yaml             # package zips, event-stream CRC-32; SAM template checks
  g++-aarch64-linux-gnu qemu-user-static         # arm64 (Graviton) bootstraps, run under qemu
  nodejs npm                                     # npm peers (@vercel/fun, aws-lambda-ric, AWS SDK)
  awscli                                         # `aws lambda invoke` against `zerostart serve`
  golang-go                                      # Go's net/rpc + encoding/gob peer
  gnuplot-nox                                    # `zerostart bench` charts (SVG)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A node from elsewhere (e.g. nodesource) also serves; only ask apt for it when there is none.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"
[ "${#missing[@]}" -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
