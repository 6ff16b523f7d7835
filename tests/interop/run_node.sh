#!/bin/sh
# ctest entry point for the node scripts here: `run_node.sh SCRIPT.mjs ARGS...`.
# Exits 77 (ctest: skipped) with the reason when node or the npm peers are not installed,
# else runs the script with node from PATH.
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -d "$here/node_modules" ]; then
  echo "SKIP  $here/node_modules is absent: run scripts/install-interop.sh"
  exit 77
fi
if ! command -v node > /dev/null 2>&1; then
  echo "SKIP  node is not installed: run scripts/install-interop.sh"
  exit 77
fi
script="$1"
shift
exec node "$here/$script" "$@"
