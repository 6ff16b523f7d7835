# What every bench/run_*.sh starts with. A runner sources it first:
#   source "$(dirname "$0")/preamble.sh" "${1:-}"
# and then has: strict mode (set -euo pipefail); repo (the tree's root); build (the build folder
# given as the first argument, default build, made absolute); bin ($build/bin); out_dir (where
# figures go: $ZS_BENCH_OUT_DIR, default docs/benchmarks);
#   log MESSAGE...   "run_NAME: MESSAGE" on stderr (NAME from the runner's file name);
#   require FILE...  exits 1 naming the first FILE that is not an executable, and how to make it;
#   cpu_line         "CPU: <model name>, <n> vCPUs", the line every figure is printed under.
# shellcheck shell=bash
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$repo/build}" && pwd)"
# shellcheck disable=SC2034  # for the runner that sources this
bin="$build/bin"
# shellcheck disable=SC2034
out_dir="${ZS_BENCH_OUT_DIR:-$repo/docs/benchmarks}"
bench_script="$(basename "$0" .sh)"

log() { printf '%s: %s\n' "$bench_script" "$*" >&2; }

require() {
  local file
  for file in "$@"; do
    [ -x "$file" ] || { log "$file is missing (build $build first)"; exit 1; }
  done
}

cpu_line() {
  echo "CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(nproc) vCPUs"
}
